"""Organisation services: rules, history rows with who and why."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ledningssystem import services
from ledningssystem.history import entries
from ledningssystem.models import Role, RoleAssignment, Unit, User
from ledningssystem.models.organisation import UnitKind
from tests.factories import PersonFactory, assign, make_unit


def test_unit_create_records_who_and_why(org) -> None:
    unit = services.unit_create(parent=org.section_2, name="Enhet C", kind=UnitKind.UNIT, by=org.admin)
    record = unit.history.get()
    assert record.history_user == org.admin
    assert record.history_change_reason == "unit.created"
    assert unit.get_parent() == org.section_2


@pytest.mark.parametrize(
    ("parent_attr", "kind"),
    [(None, UnitKind.UNIT), ("unit_a", UnitKind.SECTION), ("unit_a", UnitKind.ADMINISTRATION)],
)
def test_unit_kinds_follow_the_hierarchy(org, parent_attr, kind) -> None:
    parent = getattr(org, parent_attr) if parent_attr else None
    with pytest.raises(services.DomainError):
        services.unit_create(parent=parent, name="Fel", kind=kind, by=org.admin)


def test_tree_is_at_most_six_levels(org) -> None:
    parent = org.unit_a  # level 4
    parent = make_unit("Nivå 5", UnitKind.UNIT, parent)
    parent = make_unit("Nivå 6", UnitKind.UNIT, parent)
    with pytest.raises(services.DomainError, match="6"):
        services.unit_create(parent=Unit.objects.get(pk=parent.pk), name="Nivå 7", kind=UnitKind.UNIT, by=None)


def test_duplicate_sibling_name_is_refused(org) -> None:
    with pytest.raises(services.DomainError):
        services.unit_create(parent=org.section_1, name="enhet a", kind=UnitKind.UNIT, by=org.admin)


def test_concurrent_edit_is_refused_not_overwritten(org) -> None:
    seen = org.unit_a.version
    services.unit_update(
        unit=Unit.objects.get(pk=org.unit_a.pk),
        by=org.admin,
        version=seen,
        name="Först",
        kind="unit",
        code="",
        description="",
        is_active=True,
    )
    with pytest.raises(services.ConflictError):
        services.unit_update(
            unit=Unit.objects.get(pk=org.unit_a.pk),
            by=org.admin,
            version=seen,
            name="Sen",
            kind="unit",
            code="",
            description="",
            is_active=True,
        )
    assert Unit.objects.get(pk=org.unit_a.pk).name == "Först"


def test_unit_with_active_children_cannot_be_deactivated(org) -> None:
    section = Unit.objects.get(pk=org.section_1.pk)
    with pytest.raises(services.DomainError):
        services.unit_update(
            unit=section,
            by=org.admin,
            version=section.version,
            name=section.name,
            kind=section.kind,
            code="",
            description="",
            is_active=False,
        )


def test_overlapping_assignment_is_refused(org) -> None:
    with pytest.raises(services.DomainError):
        assign(org.staff_a, "medarbetare", org.unit_a, start=timezone.localdate())
    assert RoleAssignment.objects.filter(person=org.staff_a).count() == 1


def test_assignment_end_before_start_is_refused(org) -> None:
    assignment = org.staff_a.assignments.get()
    with pytest.raises(services.DomainError):
        services.assignment_end(
            assignment=assignment, end_date=assignment.start_date - datetime.timedelta(days=1), by=org.admin
        )


def test_deactivate_hands_roles_to_successor_and_keeps_history(org) -> None:
    successor = PersonFactory(username="efterträdare")
    services.person_deactivate(person=org.manager_a, by=org.admin, successor=successor, transfer_roles=True)
    manager = User.objects.get(pk=org.manager_a.pk)
    assert not manager.is_active
    assert manager.successor == successor
    assert manager.assignments.get().end_date == timezone.localdate()
    handed = RoleAssignment.objects.get(person=successor)
    assert (handed.role.slug, handed.unit) == ("enhetschef", org.unit_a)
    assert manager.history.first().history_change_reason == "person.deactivated"
    assert handed.history.get().history_change_reason == "assignment.handed_over"


def test_deactivate_calls_registered_handover(org) -> None:
    moved = []
    provider = services.HandoverProvider(
        label=lambda: "Ärenden",
        count=lambda p: 2 if p.pk == org.manager_a.pk else 0,
        transfer=lambda p, s, by: moved.append((p.pk, s.pk)) or 2,
    )
    services.register_handover(provider)
    try:
        assert services.person_open_work(org.manager_a) == [("Ärenden", 2)]
        with pytest.raises(services.DomainError):
            services.person_deactivate(person=org.manager_a, by=org.admin, successor=None, transfer_roles=False)
        services.person_deactivate(person=org.manager_a, by=org.admin, successor=org.manager_b, transfer_roles=False)
        assert moved == [(org.manager_a.pk, org.manager_b.pk)]
    finally:
        services.HANDOVER_PROVIDERS.remove(provider)


def test_nobody_deactivates_themselves(org) -> None:
    with pytest.raises(services.DomainError):
        services.person_deactivate(person=org.admin, by=org.admin, successor=None, transfer_roles=False)


def test_person_create_requires_unique_username_and_creates_assignment(org) -> None:
    role = Role.objects.get(slug="medarbetare")
    person = services.person_create(
        username="ny.person",
        first_name="Ny",
        last_name="Person",
        email="",
        title="",
        phone="",
        language="sv",
        password="ett-langt-losenord-42",
        role=role,
        unit=org.unit_b,
        start_date=timezone.localdate(),
        by=org.admin,
    )
    assert person.assignments.get().unit == org.unit_b
    with pytest.raises(services.DomainError):
        services.person_create(
            username="NY.PERSON",
            first_name="A",
            last_name="B",
            email="",
            title="",
            phone="",
            language="sv",
            password=None,
            role=role,
            unit=org.unit_b,
            start_date=timezone.localdate(),
            by=org.admin,
        )


def test_history_entries_show_field_changes_in_words(org) -> None:
    unit = Unit.objects.get(pk=org.unit_a.pk)
    services.unit_update(
        unit=unit,
        by=org.admin,
        version=unit.version,
        name="Enhet Alfa",
        kind=UnitKind.UNIT,
        code="A-1",
        description="",
        is_active=True,
    )
    records = list(unit.history.order_by("-history_date"))
    result = entries(Unit, records, None)
    latest = result[0]
    assert latest.who == org.admin
    changed = {c.label: (c.old, c.new) for c in latest.changes}
    # The UI language is Swedish, field labels included.
    assert changed["Namn"] == ("Enhet A", "Enhet Alfa")
    assert changed["Kod"] == ("–", "A-1")
    assert not any("version" in label.lower() for label in changed)


def test_role_history_names_capabilities(org) -> None:
    from ledningssystem import access

    role = Role.objects.get(slug="medarbetare")
    services.role_update(
        role=role,
        by=org.admin,
        version=role.version,
        name="Medarbetare",
        description="",
        permissions=list(access.capability_permissions()),
    )
    result = entries(Role, list(role.history.order_by("-history_date")), None)
    changed = {c.label: c.new for c in result[0].changes}
    assert "manage_organisation" not in str(changed)
    assert "Administrera enheter, personer, roller och rolltilldelningar" in changed["Behörigheter"]


def test_unit_move_takes_the_subtree_and_the_scopes_along(org) -> None:
    from ledningssystem import access

    child = make_unit("Enhet A underenhet", UnitKind.UNIT, org.unit_a)
    services.unit_move(unit=org.unit_a, new_parent=org.section_2, by=org.admin)
    moved = Unit.objects.get(pk=org.unit_a.pk)
    assert moved.get_parent() == org.section_2
    assert Unit.objects.get(pk=child.pk).get_parent() == moved
    assert moved.history.first().history_change_reason == "unit.moved"
    manager_b = User.objects.get(pk=org.manager_b.pk)
    section_head = User.objects.get(pk=org.section_head.pk)
    assert not access.has_capability(manager_b, access.VIEW_UNIT, moved)  # B is a sibling, not above
    assert not access.has_capability(section_head, access.VIEW_UNIT, moved)
    director = User.objects.get(pk=org.director.pk)
    assert access.has_capability(director, access.VIEW_ASSIGNMENTS, Unit.objects.get(pk=child.pk))


@pytest.mark.parametrize("target", ["unit_a", "self_child", "committee_root"])
def test_unit_move_refuses_impossible_places(org, target) -> None:
    if target == "self_child":
        new_parent = make_unit("Under A", UnitKind.UNIT, org.unit_a)
        unit = org.unit_a
    elif target == "unit_a":
        new_parent, unit = org.unit_a, org.section_2  # a section cannot sit under a unit
    else:
        new_parent, unit = org.administration, org.committee_unit
    with pytest.raises(services.DomainError):
        services.unit_move(unit=unit, new_parent=new_parent, by=org.admin)
