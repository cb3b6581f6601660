"""The access module: scope inheritance, dates, role changes, row growth."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from ledningssystem import access, services
from ledningssystem.models import Role, Unit, UnitGroupObjectPermission, User
from tests.factories import PersonFactory, assign, make_unit


def fresh(person: User) -> User:
    return User.objects.get(pk=person.pk)


def test_scope_covers_the_unit_and_everything_below(org) -> None:
    visible = set(access.units_for_user(org.section_head).values_list("name", flat=True))
    assert visible == {"Sektion Ett", "Enhet A", "Enhet A2"}
    assert access.has_capability(org.section_head, access.VIEW_ASSIGNMENTS, org.unit_a)
    assert not access.has_capability(org.section_head, access.VIEW_ASSIGNMENTS, org.unit_b)


def test_staff_see_only_their_unit(org) -> None:
    assert set(access.units_for_user(org.staff_a).values_list("name", flat=True)) == {"Enhet A"}
    assert not access.has_capability(org.staff_a, access.VIEW_ASSIGNMENTS)


def test_get_for_user_is_404_out_of_scope_and_403_without_the_right(org) -> None:
    with pytest.raises(Http404):
        access.get_for_user(org.staff_b, Unit, org.unit_a.pk)
    with pytest.raises(PermissionDenied):
        access.get_for_user(org.manager_a, Unit, org.unit_a.pk, "change")
    assert access.get_for_user(org.admin, Unit, org.unit_a.pk, "change") == org.unit_a
    with pytest.raises(Http404):
        access.get_for_user(org.admin, Unit, "not-a-number")


def test_committee_members_never_see_people(org) -> None:
    assert list(access.for_user(org.committee, User)) == [org.committee]
    assert access.has_capability(org.committee, access.VIEW_STATISTICS, org.unit_a)


def test_assignment_in_the_future_takes_effect_on_its_start_date(org, time_machine) -> None:
    newcomer = PersonFactory(username="newcomer")
    start = timezone.localdate() + datetime.timedelta(days=10)
    assign(newcomer, "enhetschef", org.unit_b, start=start)
    assert not access.has_capability(fresh(newcomer), access.VIEW_ASSIGNMENTS, org.unit_b)
    time_machine.move_to(datetime.datetime.combine(start, datetime.time(8), tzinfo=datetime.UTC))
    assert access.has_capability(fresh(newcomer), access.VIEW_ASSIGNMENTS, org.unit_b)


def test_ended_assignment_removes_access_after_the_end_date(org, time_machine) -> None:
    assignment = org.manager_a.assignments.get()
    end = timezone.localdate() + datetime.timedelta(days=3)
    services.assignment_end(assignment=assignment, end_date=end, by=org.admin)
    assert access.has_capability(fresh(org.manager_a), access.VIEW_ASSIGNMENTS, org.unit_a)
    time_machine.move_to(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(8), tzinfo=datetime.UTC)
    )
    assert not access.has_capability(fresh(org.manager_a), access.VIEW_ASSIGNMENTS, org.unit_a)


def test_changing_a_role_changes_what_every_holder_may_do(org) -> None:
    role = Role.objects.get(slug="medarbetare")
    assert not access.has_capability(fresh(org.staff_a), access.VIEW_ASSIGNMENTS)
    services.role_update(
        role=role,
        by=org.admin,
        version=role.version,
        name=role.name,
        description="",
        permissions=list(access.capability_permissions().filter(codename__in=["view_unit", "view_assignments"])),
    )
    assert access.has_capability(fresh(org.staff_a), access.VIEW_ASSIGNMENTS, org.unit_a)
    assert access.has_capability(fresh(org.staff_b), access.VIEW_ASSIGNMENTS, org.unit_b)


def test_custom_role_grants_exactly_its_capabilities(org) -> None:
    mas = services.role_create(
        name="MAS",
        slug="mas",
        description="Medicinskt ansvarig sjuksköterska",
        permissions=list(access.capability_permissions().filter(codename__in=["view_unit", "view_statistics"])),
        by=org.admin,
    )
    nurse = PersonFactory(username="mas")
    services.assignment_create(
        person=nurse, role=mas, unit=org.section_2, start_date=timezone.localdate(), end_date=None, by=org.admin
    )
    nurse = fresh(nurse)
    assert access.has_capability(nurse, access.VIEW_STATISTICS, org.unit_b)
    assert not access.has_capability(nurse, access.VIEW_ASSIGNMENTS, org.unit_b)
    assert not access.has_capability(nurse, access.VIEW_UNIT, org.unit_a)


def test_permission_rows_grow_with_roles_and_units_not_people(org) -> None:
    before = UnitGroupObjectPermission.objects.count()
    for i in range(25):
        assign(PersonFactory(username=f"extra{i}"), "medarbetare", org.unit_a)
    assert UnitGroupObjectPermission.objects.count() == before


def test_deactivated_person_loses_all_access(org) -> None:
    services.person_deactivate(person=org.staff_a, by=org.admin, successor=None, transfer_roles=False)
    assert not access.units_for_user(fresh(org.staff_a)).exists()


def test_inactive_unit_grants_nothing(org) -> None:
    unit = make_unit("Tillfällig enhet", parent=org.section_2)
    holder = PersonFactory(username="holder")
    assign(holder, "enhetschef", unit)
    with pytest.raises(services.DomainError):  # people still hold roles there
        services.unit_update(
            unit=unit,
            by=org.admin,
            version=unit.version,
            name=unit.name,
            kind=unit.kind,
            code="",
            description="",
            is_active=False,
        )
    Unit.objects.filter(pk=unit.pk).update(is_active=False)  # e.g. changed directly in the database
    assert not access.has_capability(fresh(holder), access.VIEW_UNIT)


def test_scope_lookup_is_one_query_per_request(org, django_assert_num_queries) -> None:
    person = fresh(org.section_head)
    access.has_capability(person, access.VIEW_UNIT)  # daily sync already done today
    person = fresh(org.section_head)
    with django_assert_num_queries(1):
        for _ in range(10):
            access.has_capability(person, access.VIEW_UNIT, org.unit_a)
            access.has_capability(person, access.VIEW_ASSIGNMENTS, org.unit_b)


def test_sync_all_access_task_aligns_everyone(org, time_machine) -> None:
    from ledningssystem.tasks import sync_all_access

    time_machine.move_to(timezone.now() + datetime.timedelta(days=1))
    assert sync_all_access() == User.objects.count()
    assert sync_all_access() == 0
