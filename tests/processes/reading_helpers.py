"""Documents and approved versions made straight in the database (the document
pages and their services live in another part of the app)."""

from __future__ import annotations

import itertools

from django.utils import timezone

from ledningssystem.models import Role, Unit, User
from processes.models import Document, DocumentVersion, VersionStatus

_numbers = itertools.count(1)


def make_document(
    *,
    owner_unit: Unit,
    applies_to: list[Unit],
    by: User,
    title: str = "Rutin för läkemedelshantering",
    owner_role: str = "enhetschef",
    approved: bool = True,
) -> tuple[Document, DocumentVersion]:
    """A document with one version: approved and in force, or a draft."""
    number = next(_numbers)
    document = Document.objects.create(
        identifier=f"RUT-T{number:04d}",
        title=title,
        owner_role=Role.objects.get(slug=owner_role),
        owner_unit=owner_unit,
        created_by=by,
    )
    document.applies_to.set(applies_to)
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        title=title,
        body="<p>Så här gör vi.</p>",
        created_by=by,
        status=VersionStatus.APPROVED if approved else VersionStatus.DRAFT,
        approved_by=by if approved else None,
        approved_at=timezone.now() if approved else None,
    )
    if approved:
        document.current_version = version
        document.save(update_fields=["current_version"])
    return document, version
