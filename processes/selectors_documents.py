"""Reads for controlled documents, already limited to what the person may see.

Every list starts from ``access.filter_for_user`` so the list, its count and
the filters agree. Drafts and reviews are only ever looked at on documents
the person edits (``"history"`` in the document policy: editors, the owner,
the creator): a reader never learns that a new version is being written.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ledningssystem import access
from ledningssystem.views import home
from processes import access_rules
from processes.models import OPEN_STATUSES, Document, DocumentVersion, VersionStatus

STATUS_FILTERS = ("in_force", "in_review", "draft", "withdrawn")


def _owned(user: Any) -> Q:
    condition = Q(pk__in=[])
    for role_id, unit_id in access_rules.owned_pairs(user):
        condition |= Q(owner_role_id=role_id, owner_unit_id=unit_id)
    return condition


def owns_documents(user: Any) -> bool:
    """Does the person hold the owner role of some document at its owner unit?"""
    return access_rules.owned_pairs(user) and Document.objects.filter(_owned(user)).exists()


def documents_to_review_for_user(user: Any, on: datetime.date | None = None) -> QuerySet[Document]:
    """Documents in force past their review date that the person owns, manages or coordinates."""
    day = on or timezone.localdate()
    return access.filter_for_user(user, Document.objects.review_overdue(day), "history")


def document_list_for_user(
    user: Any,
    *,
    q: str = "",
    kind: str = "",
    status: str = "",
    owner_unit: Any = None,
    overdue: bool = False,
    mine: bool = False,
) -> QuerySet[Document]:
    """The documents a person may see, filtered, with what each row shows already joined.

    ``open_status`` is the status of the version being worked on, annotated
    only for the rows the person edits (it is blanked in Python for others by
    ``mark_rows``).
    """
    qs = access.filter_for_user(user, Document.objects.all(), "view")
    if q:
        q = q.strip()
        qs = qs.filter(Q(title__icontains=q) | Q(identifier__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if owner_unit is not None:
        qs = qs.filter(owner_unit=owner_unit)
    if mine:
        qs = qs.filter(_owned(user))
    if overdue:
        qs = qs.filter(pk__in=documents_to_review_for_user(user).values("pk"))
    if status == "in_force":
        qs = qs.in_force()
    elif status in {"in_review", "draft"}:
        edited = access.filter_for_user(user, Document.objects.all(), "history")
        qs = qs.filter(pk__in=edited.values("pk"), versions__status=status)
    elif status == "withdrawn":
        qs = qs.filter(current_version__isnull=True, versions__status=VersionStatus.WITHDRAWN).distinct()
    open_status = DocumentVersion.objects.filter(document=OuterRef("pk"), status__in=OPEN_STATUSES).values("status")[:1]
    return qs.select_related("owner_unit", "owner_role", "current_version").annotate(open_status=Subquery(open_status))


def mark_rows(user: Any, documents: list[Document]) -> list[Document]:
    """Per-row facts for the list without a query per row: whether the person edits it."""
    today = timezone.localdate()
    for document in documents:
        document.is_edited_by_viewer = access_rules.is_editor(user, document)
        if not document.is_edited_by_viewer:
            document.open_status = None
        document.review_overdue = bool(
            document.current_version_id and document.next_review_on and document.next_review_on < today
        )
    return documents


def owner_units_for_list(user: Any) -> QuerySet[Any]:
    """The units owning a document the person may see (for the filter)."""
    from ledningssystem.models import Unit

    visible = access.filter_for_user(user, Document.objects.all(), "view")
    return Unit.objects.filter(pk__in=visible.values("owner_unit")).order_by("path")


def document_get_for_user(user: Any, pk: Any, action: str = "view") -> Document:
    qs = Document.objects.select_related("owner_unit", "owner_role", "current_version__approved_by", "created_by")
    return access.get_for_user(user, qs, pk, action)


def versions_for_user(user: Any, document: Document) -> list[DocumentVersion]:
    qs = access.filter_for_user(user, DocumentVersion.objects.filter(document=document), "view")
    return list(qs.select_related("created_by", "approved_by").order_by("-number"))


def version_get_for_user(user: Any, document_pk: Any, number: Any) -> DocumentVersion:
    """One version the person may see, by its document and number; 404 otherwise."""
    from django.http import Http404

    try:
        number = int(number)
        document_pk = int(document_pk)
    except (TypeError, ValueError):
        raise Http404 from None
    qs = DocumentVersion.objects.filter(document_id=document_pk, number=number).select_related(
        "document__owner_unit", "document__owner_role", "created_by", "approved_by"
    )
    version = access.filter_for_user(user, qs, "view").first()
    if version is None:
        raise Http404
    return version


MY_PAGE_LIMIT = 10


def _my_page_section(request: Any) -> tuple[str, dict[str, Any]] | None:
    """Min sida: documents past their review date that the person owns, manages or coordinates."""
    qs = documents_to_review_for_user(request.user)
    shown = list(qs.order_by("next_review_on", "pk")[: MY_PAGE_LIMIT + 1])
    if not shown:
        return None
    count = len(shown) if len(shown) <= MY_PAGE_LIMIT else qs.count()
    return "processes/_my_page.html", {"documents": shown[:MY_PAGE_LIMIT], "count": count}


home.MY_PAGE_SECTIONS.append(_my_page_section)
