"""What the catalogue screens read, already limited by the access module.

Every function reads a fixed number of queries whatever the size of the
catalogue: sections come in one query, a page of requirements in one, and
their areas of application in one more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet

from ledningssystem import access
from requirements.models import ApplicationArea, Framework, Requirement, Section

MAX_SEARCH_WORDS = 8


def framework_list_for_user(user: Any) -> QuerySet[Framework]:
    """Frameworks with the number of active requirements and of those needing review."""
    return access.for_user(user, Framework).annotate(
        requirement_count=Count("requirements", filter=Q(requirements__is_active=True)),
        unverified_count=Count("requirements", filter=Q(requirements__is_active=True, requirements__is_verified=False)),
    )


def framework_get_for_user(user: Any, pk: Any) -> Framework:
    return access.get_for_user(user, Framework, pk)


def _with_areas(qs: QuerySet[Requirement]) -> QuerySet[Requirement]:
    return qs.prefetch_related(Prefetch("areas", queryset=ApplicationArea.objects.order_by("sort_order", "name")))


@dataclass
class SectionNode:
    section: Section
    depth: int
    children: list[SectionNode] = field(default_factory=list)


def section_tree(framework: Framework) -> tuple[list[SectionNode], dict[int, list[Section]]]:
    """The framework's active chapters and sections as a tree (one query).

    Also returns, per section id, the chain of sections from the chapter
    down to it, so a requirement can be shown under its headings.
    """
    sections = list(Section.objects.filter(framework=framework, is_active=True).order_by("position"))
    by_id = {s.pk: s for s in sections}
    nodes: dict[int, SectionNode] = {}
    roots: list[SectionNode] = []
    chains: dict[int, list[Section]] = {}
    for s in sections:
        parent = nodes.get(s.parent_id) if s.parent_id else None
        node = SectionNode(s, parent.depth + 1 if parent else 0)
        nodes[s.pk] = node
        (parent.children if parent else roots).append(node)
        chain = [*chains.get(s.parent_id, []), s] if s.parent_id in by_id else [s]
        chains[s.pk] = chain
    return roots, chains


def requirements_of_framework(framework: Framework, section: Section | None = None) -> QuerySet[Requirement]:
    """Active requirements in file order, optionally only those under one section."""
    qs = Requirement.objects.active().filter(framework=framework)
    if section is not None:
        below = [section.pk]
        # Sections are few per framework: collect the subtree in Python.
        children: dict[int | None, list[int]] = {}
        for pk, parent in Section.objects.filter(framework=framework).values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(pk)
        stack = [section.pk]
        while stack:
            for child in children.get(stack.pop(), []):
                below.append(child)
                stack.append(child)
        qs = qs.filter(section_id__in=below)
    return _with_areas(qs.select_related("section").order_by("position"))


def requirement_get_for_user(user: Any, pk: Any) -> Requirement:
    qs = _with_areas(Requirement.objects.select_related("framework", "section", "section__parent"))
    return access.get_for_user(user, qs, pk)


def requirement_search_for_user(
    user: Any, text: str, *, framework: Framework | None = None, kind: str = "", area: ApplicationArea | None = None
) -> QuerySet[Requirement]:
    """Active requirements matching ``text``, best first.

    PostgreSQL: Swedish full-text search on the stored search vector (so
    "klagomålen" finds "klagomål"), plus a plain match on the reference
    ("5 kap. 3 §") and identifier. SQLite: every word must occur in the
    title, summary, reference or identifier (case-insensitive).
    """
    qs = access.filter_for_user(user, Requirement.objects.active()).select_related("framework", "section")
    if framework is not None:
        qs = qs.filter(framework=framework)
    if kind:
        qs = qs.filter(kind=kind)
    if area is not None:
        qs = qs.filter(areas=area)
    text = " ".join(text.split()[:MAX_SEARCH_WORDS])
    if not text:
        return _with_areas(qs.order_by("framework__code", "position"))
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config="swedish", search_type="websearch")
        qs = (
            qs.filter(Q(search_vector=query) | Q(reference__icontains=text) | Q(identifier__iexact=text))
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by(F("rank").desc(nulls_last=True), "framework__code", "position")
        )
    else:
        for word in text.split():
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(reference__icontains=word)
                | Q(identifier__icontains=word)
                | Q(note__icontains=word)
            )
        qs = qs.order_by("framework__code", "position")
    return _with_areas(qs)
