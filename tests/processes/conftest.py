"""Controlled documents and handbook files for the shared cast (tests/conftest.py).

The documents are owned by the coordinator's role (kvalitetssamordnare) at
Socialförvaltningen and apply to Enhet A, so: the coordinator edits, the
förvaltningschef approves, Enhet A and everyone above it read what is in
force, Enhet B sees nothing.
"""

from __future__ import annotations

import textwrap

import pytest

from ledningssystem.models import Role
from processes import documents
from processes.models import Document, DocumentVersion
from requirements.loader import parse_catalogue
from requirements.services import catalogue_import
from tests.requirements.conftest import framework_yaml

BODY = "<h2>Syfte</h2><p>Rutinen beskriver hur avvikelser <strong>rapporteras</strong>.</p><ul><li>Rapportera</li></ul>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def draft(org, *, title: str = "Rutin för avvikelsehantering", body: str = BODY, units=None, **kwargs) -> Document:
    return documents.document_create(
        by=org.quality,
        kind=kwargs.pop("kind", "routine"),
        title=title,
        owner_role=Role.objects.get(slug="kvalitetssamordnare"),
        owner_unit=org.administration,
        applies_to=units or [org.unit_a],
        body=body,
        **kwargs,
    )


def first_version(document: Document) -> DocumentVersion:
    return document.versions.get(number=1)


def approve(org, document: Document, reference: str = "SN 2024-01-17 § 7") -> DocumentVersion:
    version = document.versions.get(status__in=["draft", "in_review"])
    if version.status == "draft":
        version = documents.version_submit(version=version, by=org.quality, lock_version=version.lock_version)
    return documents.version_approve(
        version=version, by=org.director, lock_version=version.lock_version, decision_reference=reference
    )


def approved(org, **kwargs) -> Document:
    document = draft(org, **kwargs)
    approve(org, document)
    return Document.objects.get(pk=document.pk)


def with_new_draft(org, **kwargs) -> tuple[Document, DocumentVersion]:
    document = approved(org, **kwargs)
    new = documents.document_start_draft(document=document, by=org.quality, version=document.version)
    new = documents.version_save_draft(
        version=new,
        by=org.quality,
        lock_version=new.lock_version,
        title=new.title,
        body=new.body.replace("rapporteras", "rapporteras genast"),
        change_note="Genast",
    )
    return Document.objects.get(pk=document.pk), new


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
