"""Scoped administrators stay inside their scope; someone always administers everything."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from ledningssystem import access, services
from ledningssystem.models import Role, RoleAssignment, User
from ledningssystem.models.organisation import UnitKind
from tests.factories import PersonFactory, assign, make_unit


@pytest.fixture
def scoped_admin(org):
    person = PersonFactory(username="scoped_admin")
    assign(person, "administrator", org.section_1)
    return User.objects.get(pk=person.pk)


def test_scoped_admin_cannot_take_over_roles_held_elsewhere(org, scoped_admin, client_for) -> None:
    # A person with roles both inside and outside the scoped admin's section.
    target = PersonFactory(username="target")
    assign(target, "administrator", org.committee_unit)
    assign(target, "medarbetare", org.unit_a)
    client = client_for("scoped_admin")
    url = reverse("person_deactivate", args=[target.pk])
    response = client.post(url, {"successor": scoped_admin.pk, "transfer_roles": "on"})
    assert response.status_code == 403
    assert not access.is_system_admin(User.objects.get(pk=scoped_admin.pk))
    assert User.objects.get(pk=target.pk).is_active


def test_scoped_admin_cannot_edit_someone_who_works_elsewhere(org, scoped_admin, client_for) -> None:
    assign(org.staff_b, "medarbetare", org.unit_a2)  # also works in section 1 now
    response = client_for("scoped_admin").post(
        reverse("person_edit", args=[org.staff_b.pk]),
        {"first_name": "X", "last_name": "Y", "email": "attacker@example.com", "language": "sv", "version": 1},
    )
    assert response.status_code == 403
    assert User.objects.get(pk=org.staff_b.pk).email != "attacker@example.com"


def test_scoped_admin_manages_people_wholly_in_scope(org, scoped_admin, client_for) -> None:
    response = client_for("scoped_admin").get(reverse("person_edit", args=[org.staff_a.pk]))
    assert response.status_code == 200


def test_people_list_hides_roles_outside_the_viewers_scope(org, client_for) -> None:
    assign(org.staff_b, "medarbetare", org.unit_a2)
    html = client_for("manager_b").get(reverse("person_list")).content.decode()
    assert "Enhet B" in html
    assert "Enhet A2" not in html


def test_administrator_of_one_committee_is_not_system_administrator(org, client_for) -> None:
    other = make_unit("Utbildningsnämnden", UnitKind.COMMITTEE)
    school_admin = PersonFactory(username="school_admin")
    assign(school_admin, "administrator", other)
    school_admin = User.objects.get(pk=school_admin.pk)
    assert not access.is_system_admin(school_admin)
    client = client_for("school_admin")
    assert client.get(reverse("role_edit", args=[Role.objects.get(slug="medarbetare").pk])).status_code == 403
    assert client.get(reverse("person_edit", args=[org.manager_a.pk])).status_code == 404
    # The organisation-wide administrator now needs both committees.
    assert not access.is_system_admin(User.objects.get(pk=org.admin.pk))
    assign(org.admin, "administrator", other)
    assert access.is_system_admin(User.objects.get(pk=org.admin.pk))


def test_the_last_system_administrator_cannot_remove_their_own_power(org) -> None:
    role = Role.objects.get(slug="administrator")
    keep = list(role.permissions.exclude(codename="manage_organisation"))
    with pytest.raises(services.DomainError):
        services.role_update(
            role=role, by=org.admin, version=role.version, name=role.name, description="", permissions=keep
        )
    assert role.permissions.filter(codename="manage_organisation").exists()
    assignment = org.admin.assignments.get()
    with pytest.raises(services.DomainError):
        services.assignment_end(assignment=assignment, end_date=timezone.localdate(), by=org.admin)
    assert RoleAssignment.objects.get(pk=assignment.pk).end_date is None


def test_with_a_second_administrator_the_first_may_leave(org) -> None:
    deputy = PersonFactory(username="deputy")
    assign(deputy, "administrator", org.committee_unit)
    assignment = org.admin.assignments.get()
    services.assignment_end(assignment=assignment, end_date=timezone.localdate(), by=deputy)
    assert RoleAssignment.objects.get(pk=assignment.pk).end_date == timezone.localdate()


def test_handover_keeps_a_fixed_term(org) -> None:
    end = timezone.localdate() + timezone.timedelta(days=90)
    temp = PersonFactory(username="vikarie")
    assign(temp, "enhetschef", org.unit_b, end=end)
    successor = PersonFactory(username="ny_vikarie")
    services.person_deactivate(person=temp, by=org.admin, successor=successor, transfer_roles=True)
    assert RoleAssignment.objects.get(person=successor).end_date == end
