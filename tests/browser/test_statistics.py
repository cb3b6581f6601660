"""The statistics page in Chromium: reached from the menu, readable, and clean under axe."""

from __future__ import annotations

import pytest

from deviations.models import Deviation
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("username", ["namnd", "enhetschef"])
def test_statistics_page_for_committee_and_manager(username, demo, new_page, axe) -> None:
    page = new_page()
    login(page, username)
    page.locator("#main-nav").get_by_role("link", name="Statistik").click()
    assert page.get_by_role("heading", name="Statistik", level=1).is_visible()
    axe(page)

    # Every chart is an image with a name, followed by a table of the same figures.
    charts = page.get_by_role("img", name="Rapporterade avvikelser per månad")
    assert charts.count() == 1
    assert page.get_by_role("table", name="Rapporterade avvikelser per månad").is_visible()
    assert page.locator("svg.chart[role=img]").count() == 5

    # Aggregates only: no case reference and no link to a case.
    main = page.locator("main")
    references = Deviation.objects.values_list("reference", flat=True)
    text = main.inner_text()
    assert not [r for r in references if r in text]
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if "/deviations/" in h or "/actions/" in h]

    # A bad year is refused at its field, in Swedish, and the page still passes axe.
    page.get_by_label("År", exact=True).fill("1999")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_text("Välj ett år från 2000 till").first.is_visible()
    axe(page)

    # Printed, the menu and the filters are left out.
    page.emulate_media(media="print")
    assert not page.locator("#main-nav").is_visible()
    assert not page.locator("form.statistics-filters").is_visible()
    assert page.locator("svg.chart").first.is_visible()
