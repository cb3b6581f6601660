"""Management commands: demo data and the first administrator."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from ledningssystem import access
from ledningssystem.models import Unit, User


@pytest.mark.django_db
def test_load_demo_builds_the_municipality_with_visible_scopes(settings) -> None:
    call_command("load_demo", verbosity=0)
    assert Unit.objects.filter(kind="section").count() >= 3
    assert Unit.objects.filter(kind="unit").count() >= 10
    assert Unit.objects.filter(kind="external_provider").exists()
    usernames = {
        "medarbetare",
        "medarbetare2",
        "enhetschef",
        "sektionschef",
        "forvaltningschef",
        "kvalitetssamordnare",
        "namndsekreterare",
        "namnd",
        "admin",
    }
    people = {u.username: u for u in User.objects.filter(username__in=usernames)}
    assert set(people) == usernames
    assert all(p.check_password("demo") for p in people.values())
    worker_unit = people["medarbetare"].assignments.get().unit
    other_unit = people["medarbetare2"].assignments.get().unit
    assert access.has_capability(people["enhetschef"], access.VIEW_ASSIGNMENTS, worker_unit)
    assert access.has_capability(people["sektionschef"], access.VIEW_ASSIGNMENTS, worker_unit)
    assert not access.has_capability(people["enhetschef"], access.VIEW_UNIT, other_unit)
    assert not access.has_capability(people["sektionschef"], access.VIEW_UNIT, other_unit)
    assert access.is_system_admin(people["admin"])


@pytest.mark.django_db
def test_load_demo_never_touches_existing_data() -> None:
    call_command("load_demo", verbosity=0)
    units = Unit.objects.count()
    call_command("load_demo", verbosity=0)
    assert Unit.objects.count() == units


@pytest.mark.django_db
def test_load_demo_refused_under_production(settings) -> None:
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("load_demo", verbosity=0)
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_bootstrap_creates_committee_and_administrator(monkeypatch) -> None:
    monkeypatch.setenv("BOOTSTRAP_PASSWORD", "Ett-starkt-losenord-2026")
    call_command("bootstrap", committee="Omsorgsnämnden", username="sysadm", verbosity=0)
    admin = User.objects.get(username="sysadm")
    assert admin.is_staff
    assert access.is_system_admin(admin)
    assert Unit.objects.get().name == "Omsorgsnämnden"
    with pytest.raises(CommandError):
        call_command("bootstrap", committee="Igen", username="other", verbosity=0)


@pytest.mark.django_db
def test_bootstrap_rejects_weak_password(monkeypatch) -> None:
    monkeypatch.setenv("BOOTSTRAP_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("bootstrap", committee="Omsorgsnämnden", username="sysadm", verbosity=0)
    assert not Unit.objects.exists()
