"""Journeys people actually make, in Chromium, with axe on every page."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest

from ledningssystem.models import RoleAssignment, Unit, User
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SKIP = re.compile(r"(logout|/static/|/admin/|/download/|mailto:)")

# What each demo person finds in the menu (and what they must not find).
MENUS = {
    "medarbetare": ({"Min sida", "Organisation"}, {"Personer", "Roller", "Översikt"}),
    "medarbetare2": ({"Min sida", "Organisation"}, {"Personer", "Roller", "Översikt"}),
    "enhetschef": ({"Min sida", "Organisation", "Översikt", "Personer", "Roller"}, set()),
    "sektionschef": ({"Min sida", "Organisation", "Översikt", "Personer", "Roller"}, set()),
    "forvaltningschef": ({"Min sida", "Organisation", "Översikt", "Personer", "Roller"}, set()),
    "kvalitetssamordnare": ({"Min sida", "Organisation", "Översikt", "Personer", "Roller"}, set()),
    "namndsekreterare": ({"Min sida", "Organisation", "Översikt"}, {"Personer", "Roller"}),
    "namnd": ({"Min sida", "Organisation", "Översikt"}, {"Personer", "Roller"}),
    "admin": ({"Min sida", "Organisation", "Personer", "Roller"}, {"Översikt"}),
}


@pytest.mark.parametrize("username", list(MENUS))
def test_each_demo_person_walks_their_pages(username, demo, new_page, axe) -> None:
    page = new_page()
    login(page, username)
    axe(page)
    menu = set(page.locator("#main-nav .navbar-nav").first.locator("a").all_inner_texts())
    expected, forbidden = MENUS[username]
    assert expected <= {m.strip() for m in menu}
    assert not forbidden & {m.strip() for m in menu}
    start = page.url
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    base = urlparse(start)
    urls = sorted({urljoin(start, h).split("#")[0] for h in hrefs} - {start})
    urls = [u for u in urls if urlparse(u).netloc == base.netloc and not SKIP.search(u)]
    assert urls, "the start page links somewhere"
    for url in urls:
        response = page.goto(url)
        assert response is not None
        assert response.status < 500, url
        axe(page)


def test_committee_member_sees_aggregates_not_people(demo, new_page, axe) -> None:
    page = new_page()
    login(page, "namnd")
    page.get_by_role("link", name="Översikt").click()
    assert page.get_by_role("heading", name="Översikt").is_visible()
    axe(page)
    body = page.locator("main").inner_text()
    assert "Maja" not in body and "Lindqvist" not in body
    response = page.goto("/people/")
    assert response.status == 403
    axe(page)


def test_care_worker_on_a_phone(demo, new_page, axe) -> None:
    page = new_page({"width": 375, "height": 740})
    login(page, "medarbetare")
    axe(page)
    toggler = page.get_by_role("button", name="Visa meny")
    assert toggler.is_visible()
    toggler.click()
    page.get_by_role("link", name="Organisation").click()
    page.wait_for_url("**/organisation/")
    assert page.get_by_role("link", name="Hemtjänst Norra").is_visible()
    assert page.get_by_role("link", name="Gruppbostad Linden").count() == 0
    axe(page)
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_keyboard_only_skip_link_and_focus(demo, new_page) -> None:
    page = new_page()
    login(page, "enhetschef")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hoppa till huvudinnehållet"
    assert page.evaluate("getComputedStyle(document.activeElement).top") != "-48px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    outline = page.evaluate(
        "(() => { const a = document.querySelector('main a'); a.focus(); "
        "const s = getComputedStyle(a); return s.outlineStyle + ' ' + s.boxShadow; })()"
    )
    assert "solid" in outline


def test_form_errors_are_summarised_and_linked(demo, new_page, axe) -> None:
    page = new_page()
    login(page, "admin")
    parent = Unit.objects.get(name="Äldreomsorg")
    page.goto(f"/organisation/units/new/?parent={parent.pk}")
    axe(page)
    page.get_by_role("button", name="Spara").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    axe(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_name"
    page.get_by_label("Namn").fill("Hemtjänst Östra")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/organisation/units/*/")
    assert page.get_by_role("heading", name="Hemtjänst Östra").is_visible()
    assert Unit.objects.filter(name="Hemtjänst Östra").count() == 1
    axe(page)


def test_administrator_onboards_and_offboards_a_person(demo, new_page, axe) -> None:
    page = new_page()
    login(page, "admin")
    page.get_by_role("link", name="Personer").click()
    axe(page)
    page.get_by_role("link", name="Lägg till person").click()
    axe(page)
    page.get_by_label("Användarnamn").fill("kim.nyman")
    page.get_by_label("Förnamn").fill("Kim")
    page.get_by_label("Efternamn").fill("Nyman")
    page.get_by_label("Första roll").select_option(label="Medarbetare")
    page.get_by_label("Vid enhet").select_option(label="\u2003" * 3 + "Hemtjänst Södra (Äldreomsorg)")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/people/*/")
    assert page.get_by_role("heading", name="Kim Nyman").is_visible()
    axe(page)
    kim = User.objects.get(username="kim.nyman")
    assert RoleAssignment.objects.active().filter(person=kim, unit__name="Hemtjänst Södra").exists()

    page.get_by_role("link", name="Avsluta").first.click()
    axe(page)
    page.get_by_role("button", name="Avsluta rolltilldelning").click()
    page.wait_for_url("**/deactivate/")
    axe(page)
    page.get_by_label("Efterträdare", exact=True).select_option(label="Jonas Åhl")
    page.get_by_role("button", name="Avaktivera").click()
    page.wait_for_url(f"**/people/{kim.pk}/")
    assert not User.objects.get(pk=kim.pk).is_active
    page.get_by_role("link", name="Historik", exact=True).click()
    axe(page)
    assert page.get_by_text("Personen avaktiverades").first.is_visible() or "avaktiver" in page.content().lower()


def test_manager_sees_who_holds_roles_in_scope_only(demo, new_page, axe) -> None:
    page = new_page()
    login(page, "enhetschef")
    page.get_by_role("link", name="Personer").click()
    names = page.locator("main table").inner_text()
    assert "Maja Lindqvist" in names
    assert "Omar Haddad" not in names
    unit = Unit.objects.get(name="Hemtjänst Norra")
    page.goto(f"/organisation/units/{unit.pk}/")
    assert page.get_by_role("heading", name="Vem som har vilken roll här").is_visible()
    axe(page)
    other = Unit.objects.get(name="Gruppbostad Linden")
    assert page.goto(f"/organisation/units/{other.pk}/").status == 404
    axe(page)


def test_export_job_started_in_the_browser_finishes(demo, new_page, axe) -> None:
    page = new_page()
    login(page, "sektionschef")
    page.get_by_role("link", name="Organisation").click()
    page.get_by_role("button", name="Exportera till Excel").click()
    page.wait_for_url("**/jobs/*/")
    link = page.get_by_role("link", name=re.compile("Ladda ned"))
    link.wait_for()
    axe(page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_language_can_be_switched_to_english_and_back(demo, new_page, axe) -> None:
    page = new_page()
    login(page, "kvalitetssamordnare")
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt").click()
    assert page.get_by_role("link", name="My page").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    axe(page)
    page.get_by_label("Language").select_option("sv")
    page.get_by_role("button", name="Change").click()
    assert page.get_by_role("link", name="Min sida").is_visible()


def test_care_worker_reports_on_a_phone_and_later_reads_the_feedback(demo, new_page, axe) -> None:
    from deviations.models import Deviation

    phone = new_page({"width": 375, "height": 740})
    login(phone, "medarbetare")
    phone.get_by_role("link", name="Rapportera").click()
    phone.wait_for_url("**/deviations/new/")
    axe(phone)
    assert phone.get_by_label("Enhet").input_value() == str(Unit.objects.get(name="Hemtjänst Norra").pk)
    phone.get_by_label("Vad hände?").fill("Brukaren 19121212-1212 gled ur rullstolen vid förflyttning.")
    phone.get_by_label("Kategori").select_option(label="Fall")
    phone.get_by_label("Lindrig").check()
    photo = {"name": "golvet.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32}
    phone.get_by_label("Bilagor (valfritt)").set_input_files(photo)
    phone.get_by_role("button", name="Skicka rapport").click()
    # The personal identity number is caught before anything is saved.
    assert phone.locator("#error-summary").is_visible()
    axe(phone)
    phone.get_by_label("Flytta det till fältet för brukarens identitet (rekommenderas)").check()
    phone.get_by_label("Bilagor (valfritt)").set_input_files(photo)  # files are not kept between submits
    phone.get_by_role("button", name="Skicka rapport").click()
    phone.wait_for_url("**/receipt/")
    axe(phone)
    deviation = Deviation.objects.get(description__startswith="Brukaren [personnumret flyttat]")
    assert phone.get_by_text(deviation.reference).is_visible()

    manager = new_page()
    login(manager, "enhetschef")
    manager.get_by_role("link", name="Avvikelser").click()
    axe(manager)
    manager.get_by_role("link", name=deviation.reference).click()
    axe(manager)
    assert manager.get_by_text("19121212-1212").is_visible()  # handlers see the protected identity
    assert manager.get_by_role("link", name="golvet.png").is_visible()
    manager.get_by_role("button", name="Ta emot").click()
    manager.get_by_role("button", name="Påbörja utredning").click()
    manager.get_by_label("Vad som framkom och gjordes (den som rapporterade läser detta)").fill(
        "Rutinen för förflyttning med rullstol har gåtts igenom med hela arbetsgruppen."
    )
    manager.get_by_role("button", name="Avsluta", exact=True).click()
    assert manager.get_by_text("Avslutad", exact=True).first.is_visible()
    axe(manager)

    phone.get_by_role("link", name="Mina rapporter").click()
    axe(phone)
    phone.get_by_role("link", name=deviation.reference).click()
    assert phone.get_by_text("Rutinen för förflyttning med rullstol").is_visible()
    axe(phone)
