"""Read confirmations in the browser's terms: the panel, Min sida, the pages, bad input and query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, Notification
from processes import reading
from processes.models import ReadConfirmation, ReadRequest
from tests.factories import PersonFactory, assign
from tests.processes.reading_helpers import make_document

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def routine(org, **kwargs):
    return make_document(
        owner_unit=org.section_1, applies_to=[org.section_1], by=org.quality, owner_role="sektionschef", **kwargs
    )


def asked(org, due_on=None):
    document, version = routine(org)
    reading.read_request_create(version=version, by=org.section_head, due_on=due_on, message="Ny dosering gäller")
    return document, version


def urls(version):
    args = [version.document_id, version.pk]
    return (
        reverse("processes:reading_confirm", args=args),
        reverse("processes:reading_request", args=args),
        reverse("processes:reading_progress", args=args),
    )


def render_panel(user, version):
    request = RequestFactory().get("/routines/1/")
    request.user = user
    return Template("{% load reading %}{% reading_panel version %}").render(
        Context({"request": request, "version": version})
    )


# --- The panel -----------------------------------------------------------------------------------


def test_panel_offers_the_approver_a_form_and_nobody_else(org):
    _document, version = routine(org)
    html = render_panel(org.section_head, version)
    assert "Begär läskvittens" in html and 'name="due_on"' in html
    staff = render_panel(org.staff_a, version)
    assert "Begär läskvittens" not in staff
    assert "Ingen har ombetts bekräfta" in staff


def test_panel_for_the_person_who_owes_and_after_confirming(org):
    _document, version = asked(org, due_on=TODAY() + datetime.timedelta(days=7))
    html = render_panel(org.staff_a, version)
    assert "Bekräfta att du har läst" in html
    assert f"Bekräfta senast {(TODAY() + datetime.timedelta(days=7)).isoformat()}" in html
    assert "Ny dosering gäller" in html
    assert "har bekräftat" not in html  # staff see no progress
    reading.read_confirm(version=version, by=org.staff_a)
    html = render_panel(org.staff_a, version)
    assert f"Du bekräftade {TODAY().isoformat()}" in html
    assert "Bekräfta att du har läst" not in html


def test_panel_shows_progress_to_editors(org):
    _document, version = asked(org)
    reading.read_confirm(version=version, by=org.staff_a)
    html = render_panel(org.director, version)
    assert "1 av 4 har bekräftat." in html
    assert reverse("processes:reading_progress", args=[version.document_id, version.pk]) in html


def test_panel_shows_nothing_without_a_version(org):
    assert render_panel(org.staff_a, None).strip() == ""


# --- Confirming --------------------------------------------------------------------------------


def test_confirming_through_the_page_and_a_double_click(org, client_for):
    _document, version = asked(org)
    confirm, _ask, _progress = urls(version)
    client = client_for("staff_a")
    page = client.get(confirm)
    assert "Bekräfta att du har läst" in page.content.decode()
    token = "one-click"
    response = client.post(confirm, {"form_token": token}, follow=True)
    assert "Tack: din läskvittens har sparats." in response.content.decode()
    assert f"Du bekräftade {TODAY().isoformat()}" in response.content.decode()
    again = client.post(confirm, {"form_token": token}, follow=True)
    assert "Formuläret var redan skickat" in again.content.decode()
    assert ReadConfirmation.objects.filter(version=version).count() == 1


def test_confirming_returns_to_the_document_page_but_never_elsewhere(org, client_for):
    _document, version = asked(org)
    confirm, _ask, _progress = urls(version)
    response = client_for("staff_a").post(confirm, {"next": "/routines/1/"})
    assert response.url == "/routines/1/"
    response = client_for("colleague_a").post(confirm, {"next": "https://evil.example/"})
    assert response.url == confirm


def test_someone_out_of_scope_is_told_why_and_nothing_is_saved(org, client_for):
    _document, version = asked(org)
    confirm, _ask, _progress = urls(version)
    response = client_for("committee").post(confirm, {})
    assert response.status_code == 200
    assert "Du är inte bland dem som ombetts bekräfta det här dokumentet." in response.content.decode()
    assert not ReadConfirmation.objects.exists()


# --- Asking ------------------------------------------------------------------------------------


def test_asking_through_the_page_tells_everyone_once(org, client_for):
    _document, version = routine(org)
    _confirm, ask, progress = urls(version)
    client = client_for("section_head")
    response = client.post(ask, {"due_on": (TODAY() + datetime.timedelta(days=10)).isoformat(), "form_token": "a1"})
    assert response.status_code == 302 and response.url == progress
    assert Notification.objects.filter(kind=Kind.READ_REQUESTED).count() == 3
    again = client.post(ask, {"form_token": "a2"})
    assert again.status_code == 200
    assert "Läskvittens har redan begärts för den här versionen" in again.content.decode()
    assert ReadRequest.objects.count() == 1
    assert Notification.objects.filter(kind=Kind.READ_REQUESTED).count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_on": "2020-01-01"}, "Datumet att bekräfta senast kan inte ha passerat."),
        ({"due_on": "igår"}, "Ange ett datum som ÅÅÅÅ-MM-DD."),
        ({"message": "x" * 2_001}, "Säkerställ att detta värde har som mest 2000 tecken"),
    ],
    ids=["past", "not a date", "huge"],
)
def test_bad_input_when_asking_saves_nothing(org, client_for, data, message):
    _document, version = routine(org)
    _confirm, ask, _progress = urls(version)
    response = client_for("section_head").post(ask, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert message in body
    assert not ReadRequest.objects.exists()
    assert not Notification.objects.exists()


# --- Min sida and the list ------------------------------------------------------------------------


def test_min_sida_lists_what_the_person_owes_with_overdue_in_words(org, client_for):
    _document, version = asked(org, due_on=TODAY())
    ReadRequest.objects.filter(version=version).update(due_on=TODAY() - datetime.timedelta(days=2))
    body = client_for("staff_a").get(reverse("home")).content.decode()
    assert "Att läsa" in body
    assert version.title in body
    assert "(försenad)" in body
    assert reverse("processes:reading_confirm", args=[version.document_id, version.pk]) in body
    # Unit B is not asked; the director is above the units it applies to.
    assert "Att läsa" not in client_for("staff_b").get(reverse("home")).content.decode()
    assert "Att läsa" not in client_for("director").get(reverse("home")).content.decode()
    reading.read_confirm(version=version, by=org.staff_a)
    assert "Att läsa" not in client_for("staff_a").get(reverse("home")).content.decode()


def test_the_to_read_page_lists_only_mine(org, client_for):
    _document, version = asked(org)
    _other, hidden = make_document(owner_unit=org.unit_b, applies_to=[org.unit_b], by=org.quality, title="Bara B")
    reading.read_request_create(version=hidden, by=org.manager_b)
    body = client_for("staff_a").get(reverse("processes:reading_mine")).content.decode()
    assert version.title in body
    assert "Bara B" not in body
    assert "Du ombeds bekräfta att du har läst 1 dokument." in body


# --- Progress per unit ----------------------------------------------------------------------------


def test_progress_shows_only_units_in_the_viewers_scope(org, client_for):
    _document, version = make_document(
        owner_unit=org.administration, applies_to=[org.administration], by=org.quality, owner_role="kvalitetssamordnare"
    )
    reading.read_request_create(version=version, by=org.director)
    reading.read_confirm(version=version, by=org.staff_a)
    _confirm, _ask, progress = urls(version)
    body = client_for("manager_a").get(progress).content.decode()
    assert "Enhet A" in body and "Enhet B" not in body
    assert org.colleague_a.get_full_name() in body  # names in the manager's own unit
    assert org.staff_a.get_full_name() not in body  # who confirmed is not listed as missing
    body = client_for("director").get(progress).content.decode()
    assert "Enhet A" in body and "Enhet B" in body
    assert org.staff_b.get_full_name() in body


def test_progress_query_count_is_flat(org, client_for, django_assert_max_num_queries):
    _document, version = make_document(
        owner_unit=org.administration, applies_to=[org.administration], by=org.quality, owner_role="kvalitetssamordnare"
    )
    reading.read_request_create(version=version, by=org.director)
    _confirm, _ask, progress = urls(version)
    client = client_for("director")
    client.get(progress)
    with CaptureQueriesContext(connection) as small:
        assert client.get(progress).status_code == 200
    for i in range(12):
        person = PersonFactory(username=f"grow{i}")
        assign(person, "medarbetare", [org.unit_a, org.unit_a2, org.unit_b][i % 3])
        if i % 2:
            reading.read_confirm(version=version, by=person)
    with CaptureQueriesContext(connection) as large:
        assert client.get(progress).status_code == 200
    assert len(large) <= len(small)


PAGES = [
    ("home", "staff_a"),
    ("processes:reading_mine", "staff_a"),
]


@pytest.mark.parametrize(("name", "persona"), PAGES)
def test_my_lists_have_a_flat_query_count(org, client_for, django_assert_max_num_queries, name, persona):
    asked(org)
    client = client_for(persona)
    url = reverse(name)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _i in range(8):
        asked(org)
    # Includes the menu's unread-notification count.
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
