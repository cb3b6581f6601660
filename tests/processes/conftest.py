"""Controlled documents for the shared cast (tests/conftest.py).

The documents are owned by the coordinator's role (kvalitetssamordnare) at
Socialförvaltningen and apply to Enhet A, so: the coordinator edits, the
förvaltningschef approves, Enhet A and everyone above it read what is in
force, Enhet B sees nothing.
"""

from __future__ import annotations

import pytest

from ledningssystem.models import Role
from processes import documents
from processes.models import Document, DocumentVersion

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
