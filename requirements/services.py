"""Writes to the requirement catalogue: importing a framework file.

An import is one transaction: either the whole file is applied or nothing
changes. A file for a framework that already exists updates it by
identifier; requirements the new file no longer holds are deactivated,
never deleted, so whatever points at them keeps working.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from ledningssystem.history import save_tracked
from ledningssystem.services import DomainError
from requirements.defaults import ensure_default_areas
from requirements.loader import ParsedCatalogue, ParsedRequirement, parse_catalogue
from requirements.models import ApplicationArea, DraftStatus, Framework, ImportDraft, Kind, Requirement, Section

# Requirement fields an import compares, in the order a preview lists them.
COMPARED_FIELDS = ["reference", "title", "summary", "kind", "source_url", "is_verified", "note", "section", "areas"]
FRAMEWORK_FIELDS = ["title", "issuer", "in_force_from", "source_url", "description", "version_label", "version_date"]


FIELD_LABELS = {
    "title": _l("title"),
    "issuer": _l("issuer"),
    "in_force_from": _l("in force from"),
    "source_url": _l("official text"),
    "description": _l("description"),
    "version_label": _l("version"),
    "version_date": _l("version date"),
    "reference": _l("reference"),
    "summary": _l("summary"),
    "kind": _l("kind"),
    "is_verified": _l("verified"),
    "note": _l("note"),
    "section": _l("chapter or section"),
    "areas": _l("applies to"),
    "is_active": _l("active"),
}


def _display(value: Any, name: str) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "kind":
        return str(Kind(value).label) if value in Kind.values else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any

    @property
    def label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))

    @property
    def old_display(self) -> str:
        return _display(self.old, self.field)

    @property
    def new_display(self) -> str:
        return _display(self.new, self.field)


@dataclass
class ChangedRequirement:
    identifier: str
    reference: str
    title: str
    changes: list[FieldChange]


@dataclass
class CatalogueDiff:
    """What applying a file would do, for the preview and the command."""

    code: str
    is_new_framework: bool
    framework_changes: list[FieldChange] = field(default_factory=list)
    added: list[ParsedRequirement] = field(default_factory=list)
    changed: list[ChangedRequirement] = field(default_factory=list)
    removed: list[Requirement] = field(default_factory=list)
    unchanged: int = 0
    revision: int | None = None

    @property
    def has_changes(self) -> bool:
        return bool(self.is_new_framework or self.framework_changes or self.added or self.changed or self.removed)


def file_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _section_label(sections: dict[str, Any], key: str | None) -> str:
    if key is None:
        return ""
    section = sections.get(key)
    if section is None:
        return key
    return f"{section.reference} {section.title}".strip()


def catalogue_diff(parsed: ParsedCatalogue) -> CatalogueDiff:
    """Compare a parsed file with the catalogue by identifier. Reads only."""
    framework = Framework.objects.filter(code=parsed.framework.code).first()
    diff = CatalogueDiff(code=parsed.framework.code, is_new_framework=framework is None)
    if framework is None:
        diff.added = list(parsed.requirements)
        return diff
    diff.revision = framework.revision
    new_framework = {
        "title": parsed.framework.title,
        "issuer": parsed.framework.issuer,
        "in_force_from": parsed.framework.in_force_from,
        "source_url": parsed.framework.source_url,
        "description": parsed.framework.description,
        "version_label": parsed.framework.version_label,
        "version_date": parsed.framework.version_date,
    }
    for name in FRAMEWORK_FIELDS:
        if getattr(framework, name) != new_framework[name]:
            diff.framework_changes.append(FieldChange(name, getattr(framework, name), new_framework[name]))

    existing = {
        r.identifier: r
        for r in Requirement.objects.filter(framework=framework).select_related("section").prefetch_related("areas")
    }
    new_sections = {s.key: s for s in parsed.sections}
    seen: set[str] = set()
    for item in parsed.requirements:
        seen.add(item.identifier)
        current = existing.get(item.identifier)
        if current is None:
            diff.added.append(item)
            continue
        changes = []
        for name in COMPARED_FIELDS:
            if name == "section":
                old = f"{current.section.reference} {current.section.title}".strip() if current.section else ""
                new = _section_label(new_sections, item.section_key)
            elif name == "areas":
                old = ", ".join(sorted(s.code for s in current.areas.all()))
                new = ", ".join(sorted(item.areas))
            else:
                old = getattr(current, name)
                new = getattr(item, name)
            if old != new:
                changes.append(FieldChange(name, old, new))
        if not current.is_active:
            changes.append(FieldChange("is_active", False, True))
        if changes:
            diff.changed.append(ChangedRequirement(item.identifier, item.reference, item.title, changes))
        else:
            diff.unchanged += 1
    diff.removed = [r for identifier, r in existing.items() if identifier not in seen and r.is_active]
    return diff


@transaction.atomic
def catalogue_import(
    *, parsed: ParsedCatalogue, by: Any, text: str = "", expected_revision: int | bool | None = False
) -> CatalogueDiff:
    """Apply a parsed framework file: create or update the framework and its requirements.

    ``expected_revision`` (when not False) is the framework's revision the
    person saw in the preview (None: the framework did not exist); a
    different revision now raises ``DomainError`` and nothing changes.
    Returns the diff that was applied. Permission: the caller checked that
    ``by`` is a system administrator (or it is the command line).
    """
    framework = Framework.objects.select_for_update().filter(code=parsed.framework.code).first()
    if expected_revision is not False:
        current = framework.revision if framework is not None else None
        if current != expected_revision:
            raise DomainError(
                _("The catalogue has changed since the preview was made. Upload the file again to see the changes.")
            )
    diff = catalogue_diff(parsed)
    if not diff.has_changes:
        return diff  # importing the same content again changes nothing, not even the history
    is_new = framework is None
    if framework is None:
        framework = Framework(code=parsed.framework.code)
    pf = parsed.framework
    framework.title = pf.title
    framework.issuer = pf.issuer
    framework.in_force_from = pf.in_force_from
    framework.source_url = pf.source_url
    framework.description = pf.description
    framework.version_label = pf.version_label
    framework.version_date = pf.version_date
    framework.revision += 1
    framework.imported_at = timezone.now()
    framework.file_sha256 = file_sha256(text) if text else ""
    save_tracked(framework, by=by, reason="framework.created" if is_new else "framework.imported")

    sections = {s.key: s for s in Section.objects.filter(framework=framework)}
    for ps in parsed.sections:
        section = sections.get(ps.key) or Section(framework=framework, key=ps.key)
        parent = sections[ps.parent_key] if ps.parent_key else None
        wanted = (ps.reference, ps.title, ps.position, parent.pk if parent else None, True)
        current = (section.reference, section.title, section.position, section.parent_id, section.is_active)
        if section.pk is None or wanted != current:
            section.reference, section.title, section.position, section.parent, section.is_active = (
                ps.reference,
                ps.title,
                ps.position,
                parent,
                True,
            )
            save_tracked(section, by=by, reason="requirement.imported")
        sections[ps.key] = section
    file_section_keys = {ps.key for ps in parsed.sections}
    for key, section in sections.items():
        if key not in file_section_keys and section.is_active:
            section.is_active = False
            save_tracked(section, by=by, reason="requirement.deactivated")

    areas = {s.code: s for s in ApplicationArea.objects.all()}
    existing = {r.identifier: r for r in Requirement.objects.filter(framework=framework).prefetch_related("areas")}
    touched: list[int] = []
    for item in parsed.requirements:
        requirement = existing.get(item.identifier)
        created = requirement is None
        if requirement is None:
            requirement = Requirement(framework=framework, identifier=item.identifier)
        section = sections[item.section_key] if item.section_key else None
        values = {
            "reference": item.reference,
            "title": item.title,
            "summary": item.summary,
            "kind": item.kind,
            "source_url": item.source_url,
            "is_verified": item.is_verified,
            "note": item.note,
            "position": item.position,
            "section_id": section.pk if section else None,
            "is_active": True,
        }
        wanted_areas = {areas[code].pk for code in item.areas}
        old_areas = set() if created else {s.pk for s in requirement.areas.all()}
        dirty = created or any(getattr(requirement, k) != v for k, v in values.items())
        if dirty or wanted_areas != old_areas:
            for k, v in values.items():
                setattr(requirement, k, v)
            save_tracked(requirement, by=by, reason="requirement.imported")
            if wanted_areas != old_areas:
                requirement.areas.set(wanted_areas)
            touched.append(requirement.pk)
    for requirement in diff.removed:
        requirement.is_active = False
        save_tracked(requirement, by=by, reason="requirement.deactivated")
    if touched:
        update_search_vectors(Requirement.objects.filter(pk__in=touched))
    return diff


def update_search_vectors(qs: Any) -> None:
    """Keep the stored Swedish search vector in step (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    qs.update(
        search_vector=SearchVector("title", weight="A", config="swedish")
        + SearchVector("reference", weight="A", config="swedish")
        + SearchVector("summary", weight="B", config="swedish")
        + SearchVector("note", weight="C", config="swedish")
    )


def import_file(*, text: str, by: Any) -> CatalogueDiff:
    """Parse and apply a file in one step (the command line). Raises CatalogueError."""
    return catalogue_import(parsed=parse_catalogue(text), by=by, text=text)


# --- Upload in the app: preview, then confirm ---------------------------------


@transaction.atomic
def import_draft_create(*, by: Any, file_name: str, text: str) -> tuple[ImportDraft, CatalogueDiff]:
    """Check an uploaded file and keep it for the confirmation. Raises CatalogueError."""
    ensure_default_areas()
    parsed = parse_catalogue(text)
    diff = catalogue_diff(parsed)
    draft = ImportDraft(
        created_by=by,
        file_name=file_name[:255],
        content=text,
        sha256=file_sha256(text),
        framework_code=parsed.framework.code,
        framework_revision=diff.revision,
    )
    save_tracked(draft, by=by, reason="requirement.import_previewed")
    return draft, diff


def import_draft_preview(draft: ImportDraft) -> CatalogueDiff:
    return catalogue_diff(parse_catalogue(draft.content))


@transaction.atomic
def import_draft_confirm(*, draft: ImportDraft, by: Any, sha256: str) -> CatalogueDiff:
    """Apply a previewed upload exactly as previewed.

    Refuses (DomainError, nothing changed) when the draft was already used,
    when ``sha256`` (what the preview page showed) is not the stored file's,
    or when the catalogue changed since the preview.
    """
    draft = ImportDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.status != DraftStatus.PENDING:
        raise DomainError(_("This upload has already been applied or discarded."))
    if sha256 != draft.sha256 or file_sha256(draft.content) != draft.sha256:
        raise DomainError(_("The file is not the one in the preview. Upload it again."))
    parsed = parse_catalogue(draft.content)
    diff = catalogue_import(parsed=parsed, by=by, text=draft.content, expected_revision=draft.framework_revision)
    draft.status = DraftStatus.APPLIED
    save_tracked(draft, by=by, reason="requirement.import_confirmed")
    return diff
