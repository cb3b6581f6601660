"""A routine from draft to reading, in Chromium: the coordinator writes it with the
rich-text editor and sends it for review, the förvaltningschef approves it with a
decision reference, a care worker finds and reads it and compares two versions of
another routine. axe on every page."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_routine_is_written_approved_and_read(demo, new_page, axe) -> None:
    from ledningssystem.models import Unit
    from processes.models import Document, VersionStatus

    administration = Unit.objects.get(name="Socialförvaltningen")
    norra = Unit.objects.get(name="Hemtjänst Norra")

    # The coordinator writes the routine.
    page = new_page()
    login(page, "kvalitetssamordnare")
    page.locator("#main-nav").get_by_role("link", name="Rutiner").click()
    assert page.get_by_role("heading", name="Rutiner", level=1).is_visible()
    axe(page)
    page.get_by_role("link", name="Nytt dokument").click()
    axe(page)
    page.get_by_role("combobox", name=re.compile("^Typ")).select_option(label="Rutin")
    page.get_by_role("textbox", name=re.compile("^Rubrik")).fill("Rutin för munvård")
    page.get_by_label("Ägare (roll)").select_option(label="Kvalitetssamordnare")
    page.get_by_label("Ägare (enhet)").select_option(value=str(administration.pk))
    page.get_by_label("Gäller för").select_option(value=[str(norra.pk)])
    editor = page.get_by_role("textbox", name="Text", exact=True)
    editor.click()
    page.keyboard.type("Syfte")
    page.get_by_role("button", name="Rubrik", exact=True).click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Brödtext").click()
    page.keyboard.type("Munvård ges morgon och kväll.")
    page.keyboard.press("Shift+Home")
    page.get_by_role("button", name="Fetstil").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Punktlista").click()
    page.keyboard.type("Använd mjuk tandborste")
    axe(page)
    page.get_by_role("button", name="Skapa utkast").click()
    assert page.get_by_text("skapades som utkast").is_visible()
    document = Document.objects.get(title="Rutin för munvård")
    body = document.versions.get().body
    assert "<h2>Syfte</h2>" in body and "<strong>Munvård ges morgon och kväll.</strong>" in body
    assert "<ul><li>" in body and "Använd mjuk tandborste</" in body and "<p></p>" not in body
    axe(page)
    page.get_by_role("button", name="Skicka för granskning").click()
    assert page.get_by_text("Utkastet skickades för granskning.").is_visible()
    axe(page)

    # The förvaltningschef (scope: the whole administration) approves it.
    approver = new_page()
    login(approver, "forvaltningschef")
    approver.goto("/routines/?status=in_review")
    approver.get_by_role("link", name=f"{document.identifier} Rutin för munvård").click()
    axe(approver)
    approver.get_by_role("button", name="Godkänn").click()  # without a reference: refused
    assert approver.get_by_text("Fältet måste fyllas i.").first.is_visible()
    axe(approver)
    approver.get_by_label("Beslutsreferens").fill("SN 2025-11-19 § 112")
    approver.get_by_role("button", name="Godkänn").click()
    assert approver.get_by_text("Version 1 godkändes och gäller nu.").is_visible()
    axe(approver)
    document.refresh_from_db()
    assert document.current_version.status == VersionStatus.APPROVED
    assert document.current_version.decision_reference == "SN 2025-11-19 § 112"

    # A care worker at Hemtjänst Norra finds and reads it.
    reader = new_page()
    login(reader, "medarbetare")
    reader.locator("#main-nav").get_by_role("link", name="Rutiner").click()
    reader.get_by_label("Sök rubrik eller beteckning").fill("munvård")
    reader.get_by_role("button", name="Sök", exact=True).click()
    reader.wait_for_load_state("domcontentloaded")
    axe(reader)
    reader.get_by_role("link", name=f"{document.identifier} Rutin för munvård").click()
    assert reader.get_by_role("heading", name="Syfte").is_visible()
    assert reader.get_by_text("SN 2025-11-19 § 112").first.is_visible()
    assert reader.get_by_role("button", name="Godkänn").count() == 0
    axe(reader)

    # … and compares the two versions of the deviation routine.
    reader.goto("/routines/?q=avvikelsehantering")
    reader.get_by_role("link", name="Rutin för avvikelsehantering").click()
    reader.get_by_role("button", name="Jämför").click()
    reader.wait_for_url("**/compare/**")
    assert reader.get_by_role("heading", name="Version 1 jämförd med version 2").is_visible()
    assert reader.locator(".document-diff ins").first.is_visible()
    assert "Tillagt:" in reader.locator(".document-diff ins").first.text_content()
    axe(reader)
