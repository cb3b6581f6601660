"""Processes: services (status, activities in order, routines), the pages, bad input and query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledningssystem.models import Role
from ledningssystem.services import ConflictError, DomainError
from processes import process_services
from processes.models import Process, ProcessActivity, ProcessStatus
from requirements.models import Framework, Kind, Requirement
from tests.processes.process_helpers import make_process
from tests.processes.reading_helpers import make_document

pytestmark = pytest.mark.django_db


def titles(process):
    return list(process.activities.order_by("position").values_list("title", flat=True))


def add(process, by, title, version=None, routines=(), role="medarbetare", collaboration=""):
    return process_services.activity_add(
        process=process,
        by=by,
        version=version,
        title=title,
        description="",
        responsible_role=Role.objects.get(slug=role),
        routines=list(routines),
        needs_collaboration=bool(collaboration),
        collaboration_with=collaboration,
    )


# --- Services -------------------------------------------------------------------------------------


def test_status_goes_draft_active_retired_and_no_other_way(org):
    process = make_process(org, status=ProcessStatus.DRAFT, activities=0)
    with pytest.raises(DomainError, match="minst en aktivitet"):
        process_services.process_set_status(process=process, by=org.quality, version=None, status="active")
    add(process, org.quality, "Ta emot")
    process = process_services.process_set_status(process=process, by=org.quality, version=None, status="active")
    with pytest.raises(DomainError):
        process_services.process_set_status(process=process, by=org.quality, version=None, status="draft")
    process = process_services.process_set_status(process=process, by=org.quality, version=None, status="retired")
    with pytest.raises(DomainError):
        process_services.process_set_status(process=process, by=org.quality, version=None, status="active")
    reasons = list(process.history.values_list("history_change_reason", flat=True))
    assert reasons.count("process.status_changed") == 2


def test_activities_move_and_renumber(org):
    process = make_process(org, activities=0)
    for title in ("Ta emot", "Utreda", "Besluta"):
        add(process, org.quality, title)
    last = process.activities.get(title="Besluta")
    process_services.activity_move(activity=last, by=org.quality, version=None, direction="up")
    assert titles(process) == ["Ta emot", "Besluta", "Utreda"]
    first = process.activities.get(title="Ta emot")
    with pytest.raises(DomainError, match="redan först"):
        process_services.activity_move(activity=first, by=org.quality, version=None, direction="up")
    process_services.activity_delete(activity=process.activities.get(title="Besluta"), by=org.quality, version=None)
    assert titles(process) == ["Ta emot", "Utreda"]
    assert list(process.activities.order_by("position").values_list("position", flat=True)) == [1, 2]
    history = ProcessActivity.history.filter(title="Besluta", history_type="-").get()
    assert history.history_change_reason == "process.activity_removed"


def test_a_stale_page_cannot_overwrite_a_newer_change(org):
    process = make_process(org, activities=1)
    seen = process.version
    add(process, org.quality, "Följa upp", version=seen)
    with pytest.raises(ConflictError):
        add(process, org.quality, "Dubblett", version=seen)
    assert not process.activities.filter(title="Dubblett").exists()


def test_collaboration_needs_a_partner(org):
    process = make_process(org, activities=0)
    with pytest.raises(DomainError) as exc:
        process_services.activity_add(
            process=process,
            by=org.quality,
            version=None,
            title="Samordna",
            description="",
            responsible_role=None,
            routines=[],
            needs_collaboration=True,
            collaboration_with="  ",
        )
    assert exc.value.field == "collaboration_with"


def test_only_visible_routines_can_be_chosen_and_hidden_ones_are_kept(org):
    process = make_process(org, activities=0)
    _seen_doc, _v = make_document(owner_unit=org.unit_a, applies_to=[org.unit_a], by=org.quality, title="Synlig")
    hidden, _v = make_document(
        owner_unit=org.unit_b, applies_to=[org.unit_b], by=org.manager_b, title="Dold", approved=False
    )
    # The coordinator sees both (manage_documents at the administration); manager_a sees only the first.
    with pytest.raises(DomainError):
        add(process, org.manager_a, "Steg", routines=[hidden])
    activity = add(process, org.quality, "Steg", routines=[_seen_doc, hidden])
    # Someone who cannot see "Dold" edits the routines: it stays linked.
    process_services.activity_update(
        activity=activity,
        by=org.manager_a,
        version=None,
        title="Steg",
        description="",
        responsible_role=None,
        routines=[],
        needs_collaboration=False,
        collaboration_with="",
    )
    assert set(activity.routines.values_list("title", flat=True)) == {"Dold"}


# --- Pages ----------------------------------------------------------------------------------------


def test_create_a_process_through_the_form(org, client_for):
    client = client_for("quality")
    data = {
        "identifier": "PR-10",
        "title": "Inflyttning på särskilt boende",
        "purpose": "Trygg inflyttning.",
        "owner_role": Role.objects.get(slug="kvalitetssamordnare").pk,
        "owner_unit": org.administration.pk,
        "applies_to": [org.section_1.pk],
        "form_token": "p1",
    }
    response = client.post(reverse("processes:process_create"), data)
    process = Process.objects.get(identifier="PR-10")
    assert response.url == reverse("processes:process_detail", args=[process.pk])
    assert process.status == ProcessStatus.DRAFT
    assert "process.created" in [h.history_change_reason for h in process.history.all()]
    again = client.post(reverse("processes:process_create"), data, follow=True)
    assert "Formuläret var redan skickat" in again.content.decode()
    assert Process.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "   "}, "title", "Fältet måste fyllas i."),
        ({"title": "x" * 301}, "title", "som mest 300 tecken"),
        ({"applies_to": []}, "applies_to", "Fältet måste fyllas i."),
        ({"owner_unit": "abc"}, "owner_unit", "Välj ett giltigt alternativ"),
        ({"identifier": "PR-001"}, "identifier", "En annan process har redan den här beteckningen."),
    ],
    ids=["blank title", "huge title", "no units", "bad unit", "duplicate identifier"],
)
def test_bad_input_saves_nothing(org, client_for, change, field, message):
    make_process(org, identifier="PR-001")
    data = {
        "identifier": "PR-11",
        "title": "Ny",
        "owner_role": Role.objects.get(slug="kvalitetssamordnare").pk,
        "owner_unit": org.administration.pk,
        "applies_to": [org.section_1.pk],
        **change,
    }
    response = client_for("quality").post(reverse("processes:process_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert message in body
    assert Process.objects.count() == 1


def test_a_unit_outside_the_coordinators_scope_cannot_own(org, client_for):
    data = {
        "identifier": "PR-12",
        "title": "Ny",
        "owner_role": Role.objects.get(slug="kvalitetssamordnare").pk,
        "owner_unit": org.committee_unit.pk,  # above the coordinator's scope
        "applies_to": [org.section_1.pk],
    }
    response = client_for("quality").post(reverse("processes:process_create"), data)
    assert response.status_code == 200
    assert not Process.objects.exists()


def test_editing_with_a_stale_version_is_refused(org, client_for):
    process = make_process(org)
    data = {
        "version": process.version - 1,
        "title": "Ändrad",
        "owner_role": process.owner_role_id,
        "owner_unit": process.owner_unit_id,
        "applies_to": [org.section_1.pk],
    }
    response = client_for("quality").post(reverse("processes:process_edit", args=[process.pk]), data)
    assert response.status_code == 200
    assert "Någon annan ändrade detta medan du redigerade." in response.content.decode()
    process.refresh_from_db()
    assert process.title == "Hantering av avvikelser"


def test_detail_shows_activities_in_order_with_routines_and_collaboration(org, client_for):
    process = make_process(org, activities=0)
    visible, _v = make_document(
        owner_unit=org.section_1,
        applies_to=[org.section_1],
        by=org.quality,
        title="Rutin för mottagning",
        owner_role="sektionschef",
    )
    draft, _v = make_document(
        owner_unit=org.administration,
        applies_to=[org.administration],
        by=org.quality,
        title="Hemligt utkast",
        owner_role="kvalitetssamordnare",
        approved=False,
    )
    add(process, org.quality, "Ta emot anmälan", routines=[visible, draft])
    add(process, org.quality, "Samordnad plan", collaboration="Regionen (primärvården)")
    framework = Framework.objects.create(code="SOSFS 2011:9", title="Ledningssystem")
    binding = Requirement.objects.create(
        framework=framework, identifier="4:1", reference="4 kap. 1 §", title="Processer", kind=Kind.REGULATION
    )
    advice = Requirement.objects.create(
        framework=framework,
        identifier="4:1-AR",
        reference="4 kap. 1 § AR",
        title="Råd om processer",
        kind=Kind.GENERAL_ADVICE,
    )
    process.requirements.set([binding, advice])
    body = client_for("staff_a").get(reverse("processes:process_detail", args=[process.pk])).content.decode()
    assert body.index("Steg 1: Ta emot anmälan") < body.index("Steg 2: Samordnad plan")
    assert "Behövs, med: Regionen (primärvården)" in body
    assert f'href="/routines/{visible.pk}/"' in body
    assert "Hemligt utkast" not in body  # a draft staff may not see is neither shown nor linked
    assert "Bindande krav" in body and "Allmänna råd och lokala krav" in body
    assert body.index("Processer") < body.index("Råd om processer")
    assert "Flytta upp" not in body  # staff do not change processes
    editor = client_for("quality").get(reverse("processes:process_detail", args=[process.pk])).content.decode()
    assert "Hemligt utkast" in editor
    assert "Flytta upp" in editor and "Flytta ned" in editor


def test_move_buttons_through_the_page(org, client_for):
    process = make_process(org, activities=3)
    second = process.activities.get(title="Steg 2")
    url = reverse("processes:activity_move", args=[process.pk, second.pk, "up"])
    response = client_for("quality").post(url, {"version": process.version}, follow=True)
    assert "”Steg 2” flyttades upp." in response.content.decode()
    assert titles(process) == ["Steg 2", "Steg 1", "Steg 3"]
    stale = client_for("quality").post(url, {"version": process.version}, follow=True)
    assert "Någon annan ändrade detta medan du redigerade." in stale.content.decode()
    assert titles(process) == ["Steg 2", "Steg 1", "Steg 3"]


def test_list_search_and_filters_show_only_visible_processes(org, client_for):
    make_process(org, title="Hantering av avvikelser")
    make_process(org, title="Antagning till Komvux", status=ProcessStatus.DRAFT)
    staff = client_for("staff_a").get(reverse("processes:process_list")).content.decode()
    assert "Hantering av avvikelser" in staff and "Antagning till Komvux" not in staff
    assert "1 process" in staff
    quality = client_for("quality").get(reverse("processes:process_list") + "?status=draft").content.decode()
    assert "Antagning till Komvux" in quality and "Hantering av avvikelser" not in quality
    found = client_for("quality").get(reverse("processes:process_list") + "?q=komvux").content.decode()
    assert "Antagning till Komvux" in found and "Hantering av avvikelser" not in found
    assert client_for("staff_b").get(reverse("processes:process_list")).context["page"].paginator.count == 0


def test_nav_has_processes(org, client_for):
    body = client_for("staff_a").get(reverse("home")).content.decode()
    assert f'href="{reverse("processes:process_list")}"' in body and ">Processer<" in body


@pytest.mark.parametrize("name", ["processes:process_list", "processes:process_detail"])
def test_query_counts_are_flat(org, client_for, django_assert_max_num_queries, name):
    process = make_process(org, activities=2)
    args = [process.pk] if name.endswith("detail") else []
    url = reverse(name, args=args)
    client = client_for("quality")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(6):
        make_process(org, activities=1, title=f"Process {i}")
        document, _v = make_document(
            owner_unit=org.section_1,
            applies_to=[org.section_1],
            by=org.quality,
            title=f"Rutin {i}",
            owner_role="sektionschef",
        )
        add(process, org.quality, f"Extra {i}", routines=[document], collaboration="Regionen")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
