"""The coverage matrix in Chromium: the administrator imports a framework (importing is for system
administrators), the quality coordinator opens the matrix, sees a gap, links a routine and watches
the gap close. On the way the coordinator reads the focus areas and the responsibilities."""

from __future__ import annotations

import pytest

from ledningssystem.models import Unit, User
from requirements.models import Framework
from tests.browser.conftest import login
from tests.requirements.coverage_helpers import make_routine, matrix_framework_yaml

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_maps_a_routine_and_the_gap_closes(demo, new_page, axe) -> None:
    administration = Unit.objects.get(name="Socialförvaltningen")
    coordinator = User.objects.get(username="kvalitetssamordnare")
    make_routine(
        "Rutin för egenkontroll i hemtjänsten",
        owner_unit=administration,
        applies=[administration],
        by=coordinator,
    )

    # 1. The administrator imports the framework file by upload.
    admin = new_page()
    login(admin, "admin")
    admin.goto("/requirements/import/")
    axe(admin)
    admin.get_by_label("Regelverksfil (YAML)").set_input_files(
        files=[{"name": "matris.yaml", "mimeType": "application/x-yaml", "buffer": matrix_framework_yaml().encode()}]
    )
    admin.get_by_role("button", name="Kontrollera filen").click()
    admin.wait_for_load_state("domcontentloaded")
    axe(admin)
    admin.get_by_role("button", name="För in ändringarna").click()
    admin.wait_for_load_state("domcontentloaded")
    framework = Framework.objects.get(code="MATRIS 2026:1")

    # 2. The coordinator reads the focus areas and the responsibilities.
    page = new_page()
    login(page, "kvalitetssamordnare")
    page.locator("#main-nav").get_by_role("link", name="Krav").click()
    page.get_by_role("link", name="Fokusområden").click()
    assert page.get_by_role("heading", name="Fokusområden", level=1).is_visible()
    axe(page)
    page.get_by_role("link", name="Avvikelser, fel och brister").click()
    assert page.get_by_role("heading", name="Krav som området svarar mot").is_visible()
    axe(page)
    page.get_by_role("link", name="Redigera", exact=True).click()
    page.get_by_label("Filtrera med ord").fill("klagomål")
    assert page.get_by_label("5 kap. 3 § – Ta emot och utreda klagomål och synpunkter").is_visible()
    assert not page.get_by_label("5 kap. 1 § – Riskanalys").is_visible()
    axe(page)
    page.goto("/requirements/responsibilities/")
    assert page.get_by_role("heading", name="Ansvarsfördelning", level=1).is_visible()
    axe(page)

    # 3. The coverage matrix for the new framework: one gap to close.
    page.get_by_role("link", name="Täckning").click()
    page.get_by_label("Omfattning").select_option(str(administration.pk))
    page.get_by_label("Regelverk").select_option(str(framework.pk))
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", name="Täckningsmatris", level=1).is_visible()
    summary = page.locator(".coverage-summary")
    assert "Lucka: 4" in summary.inner_text()
    axe(page)
    page.get_by_role("link", name="Bara luckor").click()
    row = page.locator("tr", has_text="2 kap. 1 § – Egenkontroll")
    assert "Lucka" in row.locator(".coverage-status").inner_text()
    axe(page)

    row.get_by_role("link", name="Koppla rutin").click()
    assert page.get_by_role("heading", name="Koppla en rutin").is_visible()
    axe(page)
    page.get_by_role("searchbox", name="Sök rutiner och processer").fill("egenkontroll")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_role("button", name="Koppla Rutin för egenkontroll i hemtjänsten").click()
    page.wait_for_load_state("domcontentloaded")

    # Back on the matrix (still only gaps): the requirement is no longer a gap.
    assert page.get_by_text("svarar nu mot 2 kap. 1 §").is_visible()
    assert page.locator("tr", has_text="2 kap. 1 § – Egenkontroll").count() == 0
    assert "Lucka: 3" in page.locator(".coverage-summary").inner_text()
    assert "Täckt: 1" in page.locator(".coverage-summary").inner_text()
    axe(page)
    page.get_by_role("link", name="Alla krav").click()
    covered = page.locator("tr", has_text="2 kap. 1 § – Egenkontroll")
    assert "Täckt" in covered.locator(".coverage-status").inner_text()
    # The routine is a link to its page (and the unlink button names it for screen readers).
    assert covered.get_by_role("link", name="Rutin för egenkontroll i hemtjänsten").is_visible()
    axe(page)
