"""The coverage matrix: requirement · routines and processes · follow-up method · responsible · status.

``coverage_matrix(user, unit, framework, …)`` is a pure read: it writes
nothing and reads a fixed number of queries whatever the number of
requirements, routines, processes or focus areas (the benchmark in
``bench/coverage.py`` calls it directly).

What counts for a unit (the scope):

* routines (controlled documents) linked to the requirement that apply to
  the unit, a unit below it or a unit above it, and are in force (an
  approved version) or being drafted (no version in force yet, a draft or a
  version in review); withdrawn documents do not count;
* processes linked to the requirement with the same reach, in use or drafted;
* follow-up methods and responsible roles of the active focus areas that
  answer the requirement and are defined at the unit or above, plus the
  owner roles of the routines and processes shown.

Status per requirement:

* ``covered``: a routine in force or a process in use answers it;
* ``overdue``: covered, but a routine in force is past its review date;
* ``draft``: only drafts answer it;
* ``gap``: nothing answers it.

Only what the person may see is listed (``access.filter_for_user``). A
draft the person may not see still makes the status "draft only" (the
committee needs to know work is under way), but neither its title nor its
link is shown: the row says how many such drafts there are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledningssystem import access
from ledningssystem.models import Role, Unit
from processes.models import OPEN_STATUSES, Document, DocumentVersion, Process, ProcessStatus
from requirements.models import (
    BINDING_KINDS,
    FocusArea,
    FocusAreaResponsibility,
    FollowUpMethod,
    Framework,
    Requirement,
    Section,
)

COVERED = "covered"
OVERDUE = "overdue"
DRAFT = "draft"
GAP = "gap"

STATUSES = (COVERED, OVERDUE, DRAFT, GAP)
STATUS_LABELS = {
    COVERED: _("Covered"),
    OVERDUE: _("Covered, review overdue"),
    DRAFT: _("Draft only"),
    GAP: _("Gap"),
}
# Shown next to the words, never instead of them (and never colour alone).
STATUS_ICONS = {COVERED: "✓", OVERDUE: "⚠", DRAFT: "✎", GAP: "✗"}

KIND_BINDING = "binding"
# What a row shows of a routine (and what linking and unlinking need).
DOCUMENT_FIELDS = (
    "id",
    "identifier",
    "kind",
    "title",
    "current_version_id",
    "next_review_on",
    "owner_role_id",
    "owner_unit_id",
    "created_by_id",
)
KIND_ADVICE = "advice"


@dataclass
class RoutineCell:
    document: Document
    is_draft: bool
    is_overdue: bool


@dataclass
class ProcessCell:
    process: Process
    is_draft: bool


@dataclass
class CoverageRow:
    requirement: Requirement
    chapter: Section | None
    status: str
    routines: list[RoutineCell] = field(default_factory=list)
    processes: list[ProcessCell] = field(default_factory=list)
    hidden_drafts: int = 0
    methods: list[FollowUpMethod] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    focus_areas: list[FocusArea] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def status_icon(self) -> str:
        return STATUS_ICONS[self.status]


@dataclass
class CoverageMatrix:
    unit: Unit
    framework: Framework
    rows: list[CoverageRow]
    counts: dict[str, int]
    chapters: list[Section]
    chapter: Section | None
    kind: str
    status: str
    today: datetime.date

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _reach(unit: Unit, lookup: str) -> Q:
    """``lookup`` (a unit path) at, below or above ``unit``."""
    return Q(**{f"{lookup}__startswith": unit.path}) | Q(**{f"{lookup}__in": unit.ancestor_paths})


def _applies(model: type[Document] | type[Process], unit: Unit) -> Exists:
    through = model.applies_to.through
    owner = "document_id" if model is Document else "process_id"
    return Exists(through.objects.filter(_reach(unit, "unit__path"), **{owner: OuterRef("pk")}))


def _chapter_sections(sections: list[Section], chapter: Section) -> set[int]:
    """The chapter and every section below it."""
    children: dict[int | None, list[Section]] = defaultdict(list)
    for s in sections:
        children[s.parent_id].append(s)
    found, stack = set(), [chapter.pk]
    while stack:
        pk = stack.pop()
        found.add(pk)
        stack.extend(c.pk for c in children.get(pk, []))
    return found


def _requirements(framework: Framework, kind: str, section_ids: set[int] | None) -> QuerySet[Requirement]:
    qs = Requirement.objects.active().filter(framework=framework).order_by("position", "pk")
    if kind == KIND_BINDING:
        qs = qs.filter(kind__in=BINDING_KINDS)
    elif kind == KIND_ADVICE:
        qs = qs.exclude(kind__in=BINDING_KINDS)
    if section_ids is not None:
        qs = qs.filter(section_id__in=section_ids)
    return qs


def coverage_matrix(
    user: Any,
    unit: Unit,
    framework: Framework,
    *,
    chapter: Section | None = None,
    kind: str | None = None,
    status: str | None = None,
    today: datetime.date | None = None,
) -> CoverageMatrix:
    """The matrix of ``framework`` for ``unit`` as ``user`` may see it.

    The caller has checked ``processes.access_rules.may_see_coverage(user, unit)``.
    ``chapter`` is a top-level section of the framework; ``kind`` is "binding"
    or "advice"; ``status`` keeps only rows with that status (the counts stay
    those of all rows in the chapter and kind). Thirteen queries (plus
    the person's scope, read once and cached on them), whatever the volume.
    """
    day = today or timezone.localdate()
    kind = kind if kind in (KIND_BINDING, KIND_ADVICE) else ""
    status = status if status in STATUSES else ""

    # 1. Sections (chapters for the filter, and which sections a chapter holds).
    sections = list(Section.objects.filter(framework=framework, is_active=True).order_by("position"))
    chapters = [s for s in sections if s.parent_id is None]
    by_id = {s.pk: s for s in sections}
    if chapter is not None and chapter.framework_id != framework.pk:
        chapter = None
    section_ids = _chapter_sections(sections, chapter) if chapter is not None else None

    # 2. Requirements.
    requirements = list(_requirements(framework, kind, section_ids))
    requirement_ids = {r.pk for r in requirements}
    in_framework = Requirement.objects.filter(framework=framework, is_active=True)

    # 3-4. Routines answering a requirement in scope, in force or being drafted, and the links.
    open_version = Exists(DocumentVersion.objects.filter(document=OuterRef("pk"), status__in=OPEN_STATUSES))
    doc_links = Document.requirements.through.objects.filter(requirement__in=in_framework)
    documents_qs = (
        Document.objects.filter(pk__in=doc_links.values("document_id"))
        .filter(_applies(Document, unit))
        .filter(Q(current_version__isnull=False) | open_version)
    )
    # 5. Which of them the person may see (one query, same rules as every list).
    visible_docs = set(access.filter_for_user(user, documents_qs, "view").values_list("pk", flat=True))
    roles_by_id = {r.pk: r for r in Role.objects.all()}  # a handful of rows: cheaper than a join per routine
    documents = {
        d.pk: d
        for d in documents_qs.select_related("owner_unit")
        .only(*DOCUMENT_FIELDS, "owner_unit__path", "owner_unit__name")
        .order_by("title", "pk")
    }
    for d in documents.values():
        d.owner_role = roles_by_id[d.owner_role_id]
    links_by_req: dict[int, list[int]] = defaultdict(list)
    # Every link into the framework, narrowed here: sending thousands of ids back in an IN list
    # costs more than the few links of routines outside the scope.
    for req_id, doc_id in doc_links.order_by("document__title", "document_id").values_list(
        "requirement_id", "document_id"
    ):
        if req_id in requirement_ids and doc_id in documents:
            links_by_req[req_id].append(doc_id)

    # 6-8. Processes, the links and what the person may see.
    proc_links = Process.requirements.through.objects.filter(requirement__in=in_framework)
    processes_qs = (
        Process.objects.filter(pk__in=proc_links.values("process_id"))
        .filter(_applies(Process, unit))
        .filter(status__in=[ProcessStatus.ACTIVE, ProcessStatus.DRAFT])
    )
    visible_procs = set(access.filter_for_user(user, processes_qs, "view").values_list("pk", flat=True))
    processes = {p.pk: p for p in processes_qs.select_related("owner_unit").order_by("title", "pk")}
    for p in processes.values():
        p.owner_role = roles_by_id[p.owner_role_id]
    procs_by_req: dict[int, list[int]] = defaultdict(list)
    for req_id, proc_id in proc_links.order_by("process__title", "process_id").values_list(
        "requirement_id", "process_id"
    ):
        if req_id in requirement_ids and proc_id in processes:
            procs_by_req[req_id].append(proc_id)

    # 9-11. Focus areas at the unit or above answering a requirement, their methods and roles.
    area_links = FocusArea.requirements.through.objects.filter(
        requirement__in=in_framework,
        focusarea__is_active=True,
        focusarea__unit__path__in=[*unit.ancestor_paths, unit.path],
    )
    areas_by_req: dict[int, list[int]] = defaultdict(list)
    for req_id, area_id in area_links.values_list("requirement_id", "focusarea_id"):
        if req_id in requirement_ids:
            areas_by_req[req_id].append(area_id)
    area_ids = {a for ids in areas_by_req.values() for a in ids}
    areas = {
        a.pk: a
        for a in FocusArea.objects.filter(pk__in=area_ids)
        .select_related("unit")
        .prefetch_related(
            "follow_up_methods",
            # Responsibilities with their roles in one query (select_related inside the prefetch).
            _responsibility_prefetch(),
        )
    }

    rows: list[CoverageRow] = []
    counts = dict.fromkeys(STATUSES, 0)
    for requirement in requirements:
        row = CoverageRow(
            requirement=requirement,
            chapter=_chapter_of(requirement, by_id),
            status=GAP,
        )
        in_force = overdue = drafts = 0
        roles: dict[int, Role] = {}
        for doc_id in links_by_req.get(requirement.pk, []):
            document = documents[doc_id]
            is_draft = document.current_version_id is None
            is_overdue = not is_draft and document.next_review_on is not None and document.next_review_on < day
            if is_draft:
                drafts += 1
            else:
                if doc_id not in visible_docs:
                    continue  # an approved routine outside the person's reach is not counted
                in_force += 1
                overdue += is_overdue
            if doc_id in visible_docs:
                row.routines.append(RoutineCell(document, is_draft, is_overdue))
                roles.setdefault(document.owner_role_id, document.owner_role)
            else:
                row.hidden_drafts += 1
        for proc_id in procs_by_req.get(requirement.pk, []):
            process = processes[proc_id]
            is_draft = process.status == ProcessStatus.DRAFT
            if proc_id not in visible_procs:
                if is_draft:
                    drafts += 1
                    row.hidden_drafts += 1
                continue
            if is_draft:
                drafts += 1
            else:
                in_force += 1
            row.processes.append(ProcessCell(process, is_draft))
            roles.setdefault(process.owner_role_id, process.owner_role)
        methods: dict[int, FollowUpMethod] = {}
        for area_id in areas_by_req.get(requirement.pk, []):
            area = areas[area_id]
            row.focus_areas.append(area)
            for method in area.follow_up_methods.all():
                if method.is_active:
                    methods.setdefault(method.pk, method)
            for duty in area.responsibilities.all():
                roles.setdefault(duty.role_id, duty.role)
        row.methods = sorted(methods.values(), key=lambda m: (m.sort_order, m.name))
        row.roles = sorted(roles.values(), key=lambda r: (r.sort_order, r.name))
        if in_force:
            row.status = OVERDUE if overdue else COVERED
        elif drafts:
            row.status = DRAFT
        counts[row.status] += 1
        if not status or row.status == status:
            rows.append(row)
    return CoverageMatrix(
        unit=unit,
        framework=framework,
        rows=rows,
        counts=counts,
        chapters=chapters,
        chapter=chapter,
        kind=kind,
        status=status,
        today=day,
    )


def _responsibility_prefetch() -> Any:
    from django.db.models import Prefetch

    return Prefetch("responsibilities", queryset=FocusAreaResponsibility.objects.select_related("role"))


def _chapter_of(requirement: Requirement, by_id: dict[int, Section]) -> Section | None:
    section = by_id.get(requirement.section_id) if requirement.section_id else None
    depth = 0
    while section is not None and section.parent_id is not None and depth < 20:
        section = by_id.get(section.parent_id)
        depth += 1
    return section
