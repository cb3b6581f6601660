from __future__ import annotations

import textwrap

import pytest

from requirements.loader import parse_catalogue
from requirements.services import catalogue_import
from tests.requirements.conftest import framework_yaml

HANDBOOK = textwrap.dedent(
    """\
    format: 1
    unit: Socialförvaltningen
    role_responsibilities:
      - role: forvaltningschef
        text: Ytterst ansvarig för att ledningssystemet finns och hålls aktuellt.
      - role: enhetschef
        text: Leder kvalitetsarbetet i enheten och följer upp avvikelser.
    focus_areas:
      - key: bemotande
        title: Bemötande
        description: Brukare ska mötas med respekt.
        how: Rutiner för bemötande finns och är kända.
        follow_up: Följs upp i brukarundersökningen.
        methods: [egenkontroll, brukarundersokning]
        requirements: ["TEST 2026:1/1:1"]
        responsibilities:
          - role: enhetschef
            text: Ser till att medarbetarna känner till rutinen.
          - role: medarbetare
            text: Bemöter brukare enligt rutinen.
      - key: avvikelser
        title: Avvikelser
        methods: [avvikelsehantering]
    documents:
      - identifier: RUT-0100
        kind: rutin
        title: Rutin för avvikelsehantering
        owner: {role: enhetschef, unit: Enhet A}
        applies_to: [Enhet A, Enhet A2]
        review_interval_months: 12
        status: approved
        decision_reference: SN 2024-01-17 § 7
        approved_on: 2024-01-17
        requirements: ["TEST 2026:1/1:1", "TEST 2026:1/1:1-AR"]
        focus_areas: [avvikelser]
        body: |
          Alla medarbetare rapporterar avvikelser samma dag.

          Enhetschefen tar emot och utreder.
      - kind: riktlinje
        title: Riktlinje för bemötande
        owner: {role: kvalitetssamordnare}
        status: draft
        focus_areas: [bemotande]
        body: "<p>Vi bemöter <strong>alla</strong> med respekt.</p><script>alert(1)</script>"
    """
)


def handbook_yaml(**replacements: str) -> str:
    text = HANDBOOK
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


@pytest.fixture
def catalogue(db):
    catalogue_import(parsed=parse_catalogue(framework_yaml()), by=None)
