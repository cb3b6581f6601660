"""The committee secretary produces the handbook of Socialförvaltningen in the browser and downloads it."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

from ledningssystem.models import Unit
from tests.browser.conftest import login


def test_secretary_generates_and_downloads_the_handbook(demo, new_page, axe, tmp_path: Path) -> None:
    page = new_page()
    login(page, "namndsekreterare")
    page.get_by_role("link", name="Handbok").click()
    page.wait_for_url("**/reports/handbook/")
    axe(page)
    administration = Unit.objects.get(name="Socialförvaltningen")
    page.get_by_label("Enhet", exact=True).select_option(str(administration.pk))
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url(f"**/reports/handbook/?unit={administration.pk}")
    assert page.get_by_role("heading", name="Handbok för Socialförvaltningen").is_visible()
    assert page.get_by_text("Ingen handbok har skapats för enheten ännu.").is_visible()
    axe(page)

    page.get_by_role("link", name="Visa texterna").click()
    assert page.get_by_role("heading", name="Handbokens texter för Socialförvaltningen").is_visible()
    axe(page)
    page.go_back()

    page.get_by_role("button", name="Skapa handbok").click()
    page.wait_for_url("**/reports/handbook/jobs/*/")
    assert page.get_by_role("heading", name="Handbok för Socialförvaltningen").is_visible()
    axe(page)
    link = page.get_by_role("link", name=re.compile(r"handbok-socialforvaltningen-.*\.pdf"))
    link.wait_for()
    assert page.get_by_text("Handboken är klar.").is_visible()
    axe(page)
    with page.expect_download() as download:
        link.click()
    assert re.fullmatch(r"handbok-socialforvaltningen-\d{4}-\d{2}-\d{2}\.pdf", download.value.suggested_filename)
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)

    reader = PdfReader(target)
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Ledningssystem för systematiskt kvalitetsarbete" in text
    assert "Antagen av socialnämnden 2025-01-22 § 5" in text  # the demo's own texts
    assert f"Sida 1 av {len(reader.pages)}" in text
    assert reader.trailer["/Root"]["/Lang"] == "sv"

    # Back on the handbook page the new file is listed for everyone in reach.
    page.get_by_role("link", name="Tillbaka till handboken").click()
    assert page.get_by_role("link", name=re.compile(r"Ladda ned handbok-socialforvaltningen")).count() == 1
    axe(page)
