"""Read confirmations: asking, confirming, who owes, notifications, and the query counts of the selectors."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledningssystem.services import DomainError
from notifications.models import Kind, Notification
from processes import reading
from processes.models import DocumentVersion, ReadConfirmation, ReadRequest, VersionStatus
from tests.factories import PersonFactory, assign
from tests.processes.reading_helpers import make_document

pytestmark = pytest.mark.django_db


def routine_for_section_1(org):
    """Applies to Sektion Ett (Enhet A and A2), owned by the section: approvers are section_head and director."""
    return make_document(
        owner_unit=org.section_1, applies_to=[org.section_1], by=org.quality, owner_role="sektionschef"
    )


def test_expected_people_are_those_at_or_below_the_units_in_scope(org):
    _document, version = routine_for_section_1(org)
    expected = set(reading.expected_people(version).values_list("username", flat=True))
    # Not the director or the coordinator (above), not unit B (beside), not the committee.
    assert expected == {"staff_a", "colleague_a", "manager_a", "section_head"}


def test_an_approver_asks_and_everyone_owing_is_told_once(org):
    _document, version = routine_for_section_1(org)
    due = timezone.localdate() + datetime.timedelta(days=14)
    read_request = reading.read_request_create(version=version, by=org.section_head, due_on=due, message="Ny dosering")
    assert read_request.due_on == due
    assert read_request.history.get().history_change_reason == "document.read_requested"
    told = set(Notification.objects.filter(kind=Kind.READ_REQUESTED).values_list("recipient__username", flat=True))
    assert told == {"staff_a", "colleague_a", "manager_a"}  # not the approver who asked
    assert Notification.objects.get(recipient=org.staff_a).url == reading.confirm_url(version)
    # The event again (a retried task) tells nobody twice.
    reading.read_requested(read_request, by=org.section_head)
    assert Notification.objects.filter(kind=Kind.READ_REQUESTED).count() == 3


def test_asking_twice_says_so_and_changes_nothing(org):
    _document, version = routine_for_section_1(org)
    reading.read_request_create(version=version, by=org.section_head)
    with pytest.raises(DomainError, match=r"redan begärts|already asked"):
        reading.read_request_create(version=version, by=org.director)
    assert ReadRequest.objects.count() == 1


@pytest.mark.parametrize("persona", ["staff_a", "manager_a", "quality", "manager_b", "committee"])
def test_only_approvers_of_the_document_may_ask(org, persona):
    _document, version = routine_for_section_1(org)
    with pytest.raises(PermissionDenied):
        reading.read_request_create(version=version, by=getattr(org, persona))
    assert not ReadRequest.objects.exists()


def test_a_due_date_in_the_past_is_refused(org):
    _document, version = routine_for_section_1(org)
    with pytest.raises(DomainError) as exc:
        reading.read_request_create(
            version=version, by=org.section_head, due_on=timezone.localdate() - datetime.timedelta(days=1)
        )
    assert exc.value.field == "due_on"
    assert not ReadRequest.objects.exists()
    assert not Notification.objects.exists()


def test_only_the_approved_version_in_force_can_be_asked_for(org):
    document, version = routine_for_section_1(org)
    draft = DocumentVersion.objects.create(
        document=document, number=2, title="Ny version", created_by=org.quality, status=VersionStatus.DRAFT
    )
    with pytest.raises(PermissionDenied):  # a draft is nobody's to confirm
        reading.read_request_create(version=draft, by=org.section_head)
    # A superseded version no longer in force.
    version.status = VersionStatus.SUPERSEDED
    version.save()
    with pytest.raises(PermissionDenied):
        reading.read_request_create(version=version, by=org.section_head)


def test_confirming_is_idempotent_and_recorded(org):
    _document, version = routine_for_section_1(org)
    reading.read_request_create(version=version, by=org.section_head)
    first = reading.read_confirm(version=version, by=org.staff_a)
    again = reading.read_confirm(version=version, by=org.staff_a)
    assert first.pk == again.pk
    assert ReadConfirmation.objects.count() == 1
    assert first.history.get().history_change_reason == "document.read_confirmed"
    assert "staff_a" not in set(reading.owing_people(version).values_list("username", flat=True))


def test_confirming_needs_a_request_and_scope(org):
    _document, version = routine_for_section_1(org)
    with pytest.raises(DomainError, match=r"begärt|asked"):
        reading.read_confirm(version=version, by=org.staff_a)
    reading.read_request_create(version=version, by=org.section_head)
    with pytest.raises(DomainError):  # the coordinator sees it but is above the units it applies to
        reading.read_confirm(version=version, by=org.quality)
    with pytest.raises(PermissionDenied):  # unit B does not see the document at all
        reading.read_confirm(version=version, by=org.staff_b)
    assert not ReadConfirmation.objects.exists()


def test_ended_assignments_and_deactivated_people_do_not_owe(org):
    _document, version = routine_for_section_1(org)
    gone = PersonFactory(username="gone")
    assign(
        gone,
        "medarbetare",
        org.unit_a,
        start=timezone.localdate() - datetime.timedelta(days=90),
        end=timezone.localdate() - datetime.timedelta(days=1),
    )
    inactive = PersonFactory(username="inactive")
    assign(inactive, "medarbetare", org.unit_a)
    inactive.is_active = False
    inactive.save()
    names = set(reading.owing_people(version).values_list("username", flat=True))
    assert "gone" not in names and "inactive" not in names


def test_owed_by_lists_what_the_person_owes(org):
    _document, version = routine_for_section_1(org)
    _other, other_version = make_document(owner_unit=org.unit_b, applies_to=[org.unit_b], by=org.quality)
    reading.read_request_create(version=version, by=org.section_head)
    reading.read_request_create(version=other_version, by=org.manager_b)
    assert [r.version_id for r in reading.owed_by(org.staff_a)] == [version.pk]
    assert [r.version_id for r in reading.owed_by(org.staff_b)] == [other_version.pk]
    reading.read_confirm(version=version, by=org.staff_a)
    assert list(reading.owed_by(org.staff_a)) == []
    assert [r.version_id for r in reading.owed_by(org.colleague_a)] == [version.pk]


def test_a_superseded_version_is_no_longer_owed(org):
    document, version = routine_for_section_1(org)
    reading.read_request_create(version=version, by=org.section_head)
    document.current_version = None
    document.save()
    version.status = VersionStatus.SUPERSEDED
    version.save()
    assert list(reading.owed_by(org.staff_a)) == []


def _grow(org, n):
    for i in range(n):
        person = PersonFactory(username=f"extra{n}-{i}")
        assign(person, "medarbetare", org.unit_a if i % 2 else org.unit_a2)
        _document, version = make_document(
            owner_unit=org.section_1, applies_to=[org.section_1], by=org.quality, owner_role="sektionschef"
        )
        reading.read_request_create(version=version, by=org.section_head)


def test_selectors_use_a_fixed_number_of_queries(org):
    _document, version = routine_for_section_1(org)
    reading.read_request_create(version=version, by=org.section_head)

    def run():
        with CaptureQueriesContext(connection) as queries:
            list(reading.owed_by(org.staff_a))
            list(reading.owing_people(version))
            reading.progress_for_user(org.section_head, version)
        return len(queries)

    run()
    small = run()
    _grow(org, 8)
    reading.read_confirm(version=version, by=org.staff_a)
    assert run() <= small


def test_progress_per_unit_for_a_manager_and_an_editor(org):
    _document, version = make_document(
        owner_unit=org.administration, applies_to=[org.administration], by=org.quality, owner_role="kvalitetssamordnare"
    )
    reading.read_request_create(version=version, by=org.director)
    reading.read_confirm(version=version, by=org.staff_a)
    # The unit manager sees their unit only, with names of who has not confirmed.
    progress = reading.progress_for_user(org.manager_a, version)
    assert [(r.unit.name, r.expected, r.confirmed) for r in progress.rows] == [("Enhet A", 3, 1)]
    assert {p.username for p in progress.rows[0].missing} == {"colleague_a", "manager_a"}
    assert progress.percent == 33
    # The director (an editor, and sees people everywhere) sees every unit.
    rows = {r.unit.name: (r.expected, r.confirmed) for r in reading.progress_for_user(org.director, version).rows}
    assert rows["Enhet B"] == (2, 0)
    assert rows["Enhet A"] == (3, 1)
