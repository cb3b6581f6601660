"""Review reminders: the owner is told before and after the review date, once per date."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ledningssystem.models import Role, RoleAssignment
from notifications.models import Kind, Notification
from processes import documents
from processes.models import Document
from processes.tasks import send_document_review_reminders
from tests.processes.conftest import approved

pytestmark = pytest.mark.django_db


def due_in(document: Document, days: int) -> None:
    Document.objects.filter(pk=document.pk).update(next_review_on=timezone.localdate() + datetime.timedelta(days=days))


def test_owner_is_told_before_and_after_once(org, settings) -> None:
    settings.DOCUMENT_REVIEW_NOTICE_DAYS = 30
    soon = approved(org, title="Snart")
    late = approved(org, title="Sen")
    later = approved(org, title="Senare")  # outside the notice period
    due_in(soon, 10)
    due_in(late, -2)
    due_in(later, 45)
    assert send_document_review_reminders.delay().get() == 2
    due = Notification.objects.get(kind=Kind.REVIEW_DUE)
    overdue = Notification.objects.get(kind=Kind.REVIEW_OVERDUE)
    assert due.recipient == org.quality and due.url == f"/routines/{soon.pk}/"
    assert overdue.recipient == org.quality and overdue.url == f"/routines/{late.pk}/"
    # Idempotent: the daily job run twice tells nobody twice.
    assert send_document_review_reminders.delay().get() == 0
    assert Notification.objects.count() == 2
    # Reviewed: the next date is a new event, far away, so nothing now.
    late = Document.objects.get(pk=late.pk)
    documents.document_mark_reviewed(document=late, by=org.quality, version=late.version)
    assert send_document_review_reminders.delay().get() == 0


def test_notice_days_is_a_setting(org, settings) -> None:
    document = approved(org)
    due_in(document, 50)
    settings.DOCUMENT_REVIEW_NOTICE_DAYS = 30
    assert send_document_review_reminders.delay().get() == 0
    settings.DOCUMENT_REVIEW_NOTICE_DAYS = 60
    assert send_document_review_reminders.delay().get() == 1


def test_owner_role_held_at_the_owner_unit_only_and_vacancy_goes_to_coordinators(org) -> None:
    manager_role = Role.objects.get(slug="enhetschef")
    document = documents.document_create(
        by=org.quality,
        kind="routine",
        title="Enhetens rutin",
        owner_role=manager_role,
        owner_unit=org.unit_a,
        applies_to=[org.unit_a],
        body="<p>Text</p>",
    )
    version = documents.version_submit(version=document.versions.get(), by=org.quality, lock_version=None)
    documents.version_approve(version=version, by=org.director, lock_version=None, decision_reference="X")
    due_in(document, -1)
    from processes.events_documents import review_reminders

    assert review_reminders() == 1
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["manager_a"]
    # The post falls vacant: the coordinator over the unit is told about the next date instead.
    RoleAssignment.objects.filter(person=org.manager_a).update(end_date=timezone.localdate() - datetime.timedelta(1))
    due_in(document, -5)
    assert review_reminders() == 1
    assert Notification.objects.latest("pk").recipient == org.quality


def test_drafts_and_withdrawn_documents_are_not_reminded(org) -> None:
    from tests.processes.conftest import draft

    draft(org)
    withdrawn = approved(org, title="Upphävd")
    documents.document_withdraw(document=withdrawn, by=org.director, version=withdrawn.version, reason="Gammal")
    Document.objects.update(next_review_on=timezone.localdate())
    assert send_document_review_reminders.delay().get() == 0
