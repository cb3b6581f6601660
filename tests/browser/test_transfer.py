"""Moving a handbook in, in Chromium: the quality coordinator downloads the template, uploads a small
YAML handbook, reads the preview, applies it and sees how much was added."""

from __future__ import annotations

import io
import textwrap

import pytest
from openpyxl import load_workbook

from ledningssystem.models import Unit
from processes.models import Document, VersionStatus
from requirements.defaults import ensure_default_follow_up_methods
from requirements.models import FocusArea
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_HANDBOOK = textwrap.dedent(
    """\
    format: 1
    unit: SF
    role_responsibilities:
      - role: kvalitetssamordnare
        text: Håller ihop rutinerna och påminner ägarna om översyn.
    focus_areas:
      - key: trygg-hemgang
        title: Trygg hemgång
        how: Rutiner för hemgång från sjukhus finns och följs.
        methods: [egenkontroll]
        requirements: ["SOSFS 2011:9/1:1"]
        responsibilities:
          - role: enhetschef
            text: Ser till att rutinen är känd.
    documents:
      - identifier: RUT-7001
        kind: rutin
        title: Rutin för trygg hemgång
        owner: {role: enhetschef, unit: ÄO-101}
        applies_to: [ÄO-101]
        status: approved
        decision_reference: SN 2024-01-17 § 7
        approved_on: 2024-01-17
        focus_areas: [trygg-hemgang]
        body: |
          Hemtjänsten planerar hemgången tillsammans med regionen.

          Enhetschefen följer upp efter en vecka.
    """
)


def test_coordinator_moves_a_handbook_in(demo, new_page, axe) -> None:
    ensure_default_follow_up_methods()
    page = new_page()
    login(page, "kvalitetssamordnare")
    page.locator("#main-nav").get_by_role("link", name="Rutiner").click()
    page.get_by_role("link", name="Flytta in handbok").click()
    assert page.get_by_role("heading", name="Flytta in handbok", level=1).is_visible()
    axe(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ned den tomma Excelmallen").click()
    template = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read()))  # noqa: SIM115
    assert "Rutiner" in template.sheetnames and template["Instruktioner"]["A1"].value == "Så fyller du i mallen"

    page.get_by_label("Enhet som handboken hör till").select_option(str(Unit.objects.get(code="SF").pk))
    page.get_by_label("Handboksfil (YAML eller Excel)").set_input_files(
        files=[{"name": "handbok.yaml", "mimeType": "application/x-yaml", "buffer": SMALL_HANDBOOK.encode()}]
    )
    page.get_by_role("button", name="Kontrollera filen").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", name="Förhandsgranskning av handboksimporten").is_visible()
    assert page.get_by_text("Rutin för trygg hemgång").is_visible()
    assert not Document.objects.filter(identifier="RUT-7001").exists()
    axe(page)

    page.get_by_role("button", name="För in ändringarna").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", name="Importen är klar").is_visible()
    assert page.get_by_text("3 tillagda, 0 ändrade, 0 oförändrade.", exact=True).is_visible()
    axe(page)

    # The same handbook comes back out as YAML.
    page.get_by_role("link", name="Ladda upp en annan fil").click()
    page.get_by_label("Exportera handboken för").select_option(str(Unit.objects.get(code="SF").pk))
    with page.expect_download() as export_info:
        page.get_by_role("button", name="Exportera som YAML").click()
    exported = open(export_info.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert "identifier: RUT-7001" in exported and "key: trygg-hemgang" in exported

    routine = Document.objects.get(identifier="RUT-7001")
    assert routine.current_version.status == VersionStatus.APPROVED
    assert routine.current_version.approved_by.username == "kvalitetssamordnare"
    assert FocusArea.objects.get(key="trygg-hemgang").unit.code == "SF"
