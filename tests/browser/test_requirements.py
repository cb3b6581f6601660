"""The requirement catalogue in Chromium: a care worker browses and searches; an
administrator uploads a newer version of a framework, reads the preview and applies it."""

from __future__ import annotations

import pytest

from requirements.models import Framework, Requirement
from tests.browser.conftest import login
from tests.requirements.conftest import framework_yaml

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_browse_and_search_the_catalogue(demo, new_page, axe) -> None:
    page = new_page()
    login(page, "medarbetare")
    page.locator("#main-nav").get_by_role("link", name="Krav").click()
    assert page.get_by_role("heading", name="Krav", level=1).is_visible()
    assert page.get_by_text("Det är författningstexten som gäller").is_visible()
    axe(page)

    page.get_by_role("link", name="SOSFS 2011:9").click()
    assert page.get_by_role("heading", name="SOSFS 2011:9", level=1).is_visible()
    main = page.locator("main")
    # The kind is said in words (and to screen readers whether it binds), not by colour alone.
    assert main.locator(".req-kind-binding").first.inner_text().startswith("Föreskrift")
    assert main.locator(".req-kind-advice").first.inner_text().startswith("Allmänt råd")
    assert "inte bindande" in main.locator(".req-kind-advice").first.text_content()
    assert main.get_by_text("Behöver granskas", exact=True).first.is_visible()
    axe(page)

    page.get_by_role("navigation", name="Kapitel och avsnitt").get_by_role("link", name="5 kap.").click()
    page.get_by_role("link", name="5 kap. 3 § – Ta emot och utreda klagomål och synpunkter").click()
    assert page.get_by_role("heading", name="5 kap. 3 § – Ta emot och utreda klagomål och synpunkter").is_visible()
    assert page.get_by_text("Behöver granskas:").is_visible()  # only secondary sources: not confirmed
    assert page.get_by_role("link", name="Läs författningstexten").get_attribute("href").startswith("https://")
    axe(page)

    page.goto("/requirements/")
    page.get_by_label("Sök", exact=True).fill("kvalitetsberättelse")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", name="Sökresultat").is_visible()
    assert page.get_by_role(
        "link", name="SOSFS 2011:9 7 kap. 1 § (allmänna råd) – Årlig sammanhållen kvalitetsberättelse"
    ).is_visible()
    axe(page)
    # Not an administrator: no import.
    assert page.get_by_role("link", name="Importera ett regelverk").count() == 0


def test_admin_uploads_a_newer_version_and_applies_it_after_the_preview(demo, new_page, axe) -> None:
    page = new_page()
    login(page, "admin")
    page.goto("/requirements/")
    page.get_by_role("link", name="Importera ett regelverk").click()
    axe(page)

    # A broken file first: the problems are listed with their lines, nothing changes.
    bad = framework_yaml(code="LOKAL 1").replace("kind: regulation", "kind: bindande")
    page.get_by_label("Regelverksfil (YAML)").set_input_files(
        files=[{"name": "fel.yaml", "mimeType": "application/x-yaml", "buffer": bad.encode()}]
    )
    page.get_by_role("button", name="Kontrollera filen").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_text("okänd typ ”bindande”").is_visible()
    axe(page)
    assert not Framework.objects.filter(code="LOKAL 1").exists()

    good = framework_yaml(code="LOKAL 1")
    page.get_by_label("Regelverksfil (YAML)").set_input_files(
        files=[{"name": "lokal.yaml", "mimeType": "application/x-yaml", "buffer": good.encode()}]
    )
    page.get_by_role("button", name="Kontrollera filen").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", name="Förhandsgranskning av importen").is_visible()
    assert page.get_by_text("Regelverket är nytt i katalogen.").is_visible()
    axe(page)
    page.get_by_role("button", name="För in ändringarna").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", name="LOKAL 1", level=1).is_visible()
    assert page.get_by_text("LOKAL 1 importerades: 2 tillagda").is_visible()
    axe(page)
    assert Requirement.objects.filter(framework__code="LOKAL 1", is_active=True).count() == 2
