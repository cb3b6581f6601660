"""Review reminders for controlled documents: who is told, once per document and review date.

The owner is whoever holds the document's owner role at its owner unit
today. When nobody does (a vacant post), the coordinators over the owner
unit (``manage_documents``) are told instead, so a reminder is never lost.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ledningssystem import access
from ledningssystem.models import RoleAssignment
from notifications.models import Kind
from notifications.services import notify
from processes.models import Document


def _owners(documents: list[Document], today: datetime.date) -> dict[tuple[int, int], set[int]]:
    """(role id, unit id) → people holding that role there today, in one query."""
    holders: dict[tuple[int, int], set[int]] = defaultdict(set)
    if not documents:
        return holders
    rows = (
        RoleAssignment.objects.active(today)
        .filter(
            role_id__in={d.owner_role_id for d in documents},
            unit_id__in={d.owner_unit_id for d in documents},
            person__is_active=True,
        )
        .values_list("role_id", "unit_id", "person_id")
    )
    for role_id, unit_id, person_id in rows:
        holders[(role_id, unit_id)].add(person_id)
    return holders


def _recipients(document: Document, owners: dict[tuple[int, int], set[int]], today: datetime.date) -> set[int]:
    people = owners.get((document.owner_role_id, document.owner_unit_id), set())
    if people:
        return people
    return set(
        access.capability_holders(access.MANAGE_DOCUMENTS, document.owner_unit, today).values_list(
            "person_id", flat=True
        )
    )


def review_reminders(today: datetime.date | None = None) -> int:
    """Tell owners of documents whose review is due within the notice period, or has passed.

    Returns the number of notifications created; running again the same day
    (or any day before the review date moves) creates none.
    """
    today = today or timezone.localdate()
    notice = datetime.timedelta(days=settings.DOCUMENT_REVIEW_NOTICE_DAYS)
    in_force = Document.objects.in_force().select_related("owner_unit").order_by("pk")
    batches = (
        (Kind.REVIEW_DUE, "due", in_force.filter(next_review_on__gte=today, next_review_on__lte=today + notice)),
        (Kind.REVIEW_OVERDUE, "overdue", in_force.filter(next_review_on__lt=today)),
    )
    count = 0
    for kind, label, qs in batches:
        documents = list(qs)
        owners = _owners(documents, today)
        for document in documents:
            count += len(
                notify(
                    recipients=_recipients(document, owners, today),
                    kind=kind,
                    url=reverse("processes:document_detail", args=[document.pk]),
                    dedupe_key=f"document.review_{label}:{document.pk}:{document.next_review_on.isoformat()}",
                )
            )
    return count
