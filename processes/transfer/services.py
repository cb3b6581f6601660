"""Moving a handbook in: check a file against the database, preview, apply; and export.

The rules (also in docs/handbook-format.md):

* A file belongs to one unit. Focus areas and role responsibilities are
  defined at that unit; documents are owned at that unit or below it and
  apply to units at or below it. The person importing holds
  ``manage_documents`` there (``access_rules.creatable_owner_units``).
* Focus areas are matched by key, role responsibilities by role, documents
  by identifier (or, without one, by owner unit and title). What the file
  does not mention is left as it is: an import adds and updates, it never
  deletes — except the responsibilities inside a focus area the file
  describes, which the file lists in full.
* A document marked approved gets an approved version with the decision
  reference, approved by the importer, unless the version in force already
  has that text: a changed text on an approved routine becomes a new
  approved version (the decision was taken outside the system) and the old
  one is superseded. A document marked draft updates its open draft, or
  starts one when the text differs from the version in force; an import
  never withdraws an approval.
* Optional metadata left out (decision reference, dates, review interval)
  keeps its current value.
* Everything is checked first; one problem and nothing changes. The
  preview lists what is added, changed and unchanged; confirming applies it
  in one transaction and refuses if the file or the data it touches changed
  since the preview.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ledningssystem.history import save_tracked
from ledningssystem.models import Unit
from ledningssystem.services import DomainError
from processes.documents import next_identifier
from processes.models import (
    Document,
    DocumentVersion,
    TransferDraft,
    TransferStatus,
    VersionStatus,
)
from processes.transfer.canonical import export_bytes, handbook_export, handbook_yaml, sanitize_body
from processes.transfer.planning import ADDED, CHANGED, UNCHANGED, HandbookPlan, handbook_plan
from processes.transfer.reading import (
    DRAFT,
    RawHandbook,
    read_file,
)
from requirements.models import FocusArea, FocusAreaResponsibility, RoleResponsibility

__all__ = [
    "ADDED",
    "CHANGED",
    "UNCHANGED",
    "HandbookPlan",
    "export_bytes",
    "handbook_apply",
    "handbook_export",
    "handbook_plan",
    "handbook_yaml",
    "sanitize_body",
    "transfer_draft_confirm",
    "transfer_draft_create",
    "transfer_draft_preview",
]

# --- Applying --------------------------------------------------------------------------


def _apply_role_responsibilities(plan: HandbookPlan, by: Any) -> None:
    for entry in plan.role_responsibilities.entries:
        if entry.state == UNCHANGED:
            continue
        rr = entry.current or RoleResponsibility(unit=plan.unit, role=entry.wanted["role"])
        if rr.pk:
            rr.version += 1
        rr.text = entry.wanted["text"]
        save_tracked(rr, by=by, reason="responsibility.imported")


def _apply_focus_areas(plan: HandbookPlan, by: Any) -> dict[str, FocusArea]:
    created: dict[str, FocusArea] = {}
    next_position = (FocusArea.objects.filter(unit=plan.unit).aggregate(m=Max("position"))["m"] or 0) + 1
    for entry in plan.focus_areas.entries:
        if entry.state == UNCHANGED:
            continue
        w = entry.wanted
        area = entry.current
        if area is None:
            area = FocusArea(unit=plan.unit, key=w["key"], position=next_position)
            next_position += 1
            reason = "focusarea.imported"
        else:
            area.version += 1
            reason = "focusarea.imported"
        area.title, area.description, area.how, area.follow_up = w["title"], w["description"], w["how"], w["follow_up"]
        area.is_active = True
        save_tracked(area, by=by, reason=reason)
        area.follow_up_methods.set(w["methods_objs"])
        area.requirements.set(w["requirement_objs"])
        existing = {d.role_id: d for d in FocusAreaResponsibility.objects.filter(focus_area=area)}
        keep = set()
        for position, (role, text) in enumerate(w["duty_objs"], start=1):
            duty = existing.get(role.pk) or FocusAreaResponsibility(focus_area=area, role=role)
            keep.add(role.pk)
            if duty.pk is None or duty.text != text or duty.position != position:
                duty.text, duty.position = text, position
                save_tracked(duty, by=by, reason="responsibility.imported")
        for role_id, duty in existing.items():
            if role_id not in keep:
                duty._history_user = by if getattr(by, "is_authenticated", False) else None
                duty._change_reason = "responsibility.imported"
                duty.delete()
        created[area.key] = area
    return created


def _apply_documents(plan: HandbookPlan, by: Any, areas: dict[str, FocusArea]) -> None:
    now = timezone.now()
    taken: set[str] = set()
    keys = {k for e in plan.documents.entries for k in e.wanted["focus_areas"]}
    # The nearest definition of a key wins: the file's unit first, then the units above.
    paths = [*plan.unit.ancestor_paths, plan.unit.path]
    by_key: dict[str, FocusArea] = {}
    for area in FocusArea.objects.filter(unit__path__in=paths, key__in=keys).order_by("unit__depth"):
        by_key[area.key] = area
    by_key.update({k: a for k, a in areas.items() if k in keys})
    for entry in plan.documents.entries:
        if entry.state == UNCHANGED:
            continue
        w = entry.wanted
        doc: Document | None = entry.current
        is_new = doc is None
        if doc is None:
            identifier = w["identifier"] or next_identifier(w["kind_value"], taken)
            doc = Document(identifier=identifier, created_by=by, title=w["title"])
        else:
            doc.version += 1
        doc.kind = w["kind_value"]
        doc.owner_role, doc.owner_unit = w["owner_role"], w["owner_unit"]
        doc.review_interval_months = w["review_interval_months"]
        doc.next_review_on = w["next_review_on"]
        if is_new or w["new_version"]:
            doc.title = w["title"]
        save_tracked(doc, by=by, reason="document.imported")
        doc.applies_to.set(w["applies_objs"])
        doc.requirements.set(w["requirement_objs"])
        doc.focus_areas.set([by_key[k] for k in w["focus_areas"] if k in by_key])
        next_number = 1 if is_new else (doc.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        if w["new_version"]:
            old = doc.current_version if doc.current_version_id else None
            if old is not None:
                old.status = VersionStatus.SUPERSEDED
                old.ended_at = now
                replacing = w["open_version"].number if w["open_version"] else next_number
                old.end_reason = _("Replaced by version %(n)s on import.") % {"n": replacing}
                old.lock_version += 1
                save_tracked(old, by=by, reason="document.superseded")
            # An open draft or review becomes the approved version; otherwise a new one is made.
            version = w["open_version"] or DocumentVersion(
                document=doc, number=next_number, created_by=by, change_note=_("Imported from a handbook file.")
            )
            if version.pk:
                version.lock_version += 1
            version.status = VersionStatus.APPROVED
            version.title, version.body = w["title"], w["body"]
            version.approved_by, version.approved_at = by, now
            version.decision_reference, version.valid_from = w["decision_reference"], w["approved_on"]
            save_tracked(version, by=by, reason="document.imported")
            doc.current_version = version
            doc.title = w["title"]
            save_tracked(doc, by=by, reason="document.approved")
        elif w["status"] == DRAFT and w["text_changed"]:
            version = w["open_version"] or DocumentVersion(
                document=doc, number=next_number, created_by=by, change_note=_("Imported from a handbook file.")
            )
            if version.pk:
                version.lock_version += 1
            version.title, version.body = w["title"], w["body"]
            save_tracked(version, by=by, reason="document.imported")
            if is_new or doc.current_version_id is None:
                doc.title = w["title"]
                save_tracked(doc, by=by, reason="document.imported")


@transaction.atomic
def handbook_apply(*, raw: RawHandbook, by: Any, unit: Unit | None = None, expected: str | None = None) -> HandbookPlan:
    """Apply the items of a file in one transaction; returns the plan that was applied.

    ``expected`` is the fingerprint the preview showed: if the data the file
    touches changed since, ``DomainError`` and nothing changes. Importing
    the same file again changes nothing, not even the history.
    """
    # One import per unit at a time (the lock is taken before the plan that is applied is made).
    target = unit or handbook_plan(raw, by=by).unit
    Unit.objects.select_for_update().filter(pk=target.pk).first()
    plan = handbook_plan(raw, by=by, unit=unit)
    if expected is not None and plan.fingerprint != expected:
        raise DomainError(
            _("The handbook has changed since the preview was made. Upload the file again to see the changes.")
        )
    if not plan.has_changes:
        return plan
    _apply_role_responsibilities(plan, by)
    areas = _apply_focus_areas(plan, by)
    _apply_documents(plan, by, areas)
    return plan


# --- Upload, preview, confirm --------------------------------------------------------


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def transfer_draft_create(*, by: Any, unit: Unit, file_name: str, data: bytes) -> tuple[TransferDraft, HandbookPlan]:
    """Check an uploaded file and keep it for the confirmation. Raises ``HandbookError``; saves nothing then."""
    raw, file_format = read_file(data, file_name)
    plan = handbook_plan(raw, by=by, unit=unit)
    draft = TransferDraft(
        created_by=by,
        unit=plan.unit,
        file_name=file_name[:255],
        file_format=file_format,
        content=data,
        sha256=file_sha256(data),
        state_sha256=plan.fingerprint,
    )
    save_tracked(draft, by=by, reason="transfer.previewed")
    return draft, plan


def transfer_draft_preview(draft: TransferDraft) -> HandbookPlan:
    """The plan for a kept upload as it would be applied now."""
    raw, _format = read_file(bytes(draft.content), draft.file_name)
    return handbook_plan(raw, by=draft.created_by, unit=draft.unit)


@transaction.atomic
def transfer_draft_confirm(*, draft: TransferDraft, by: Any, sha256: str) -> HandbookPlan:
    """Apply a previewed upload exactly as previewed.

    Refuses (``DomainError``, nothing changed) when the upload was already
    used, when ``sha256`` is not the stored file's, or when the data the
    file touches changed since the preview. Permission: the caller checked
    ``access.get_for_user(by, TransferDraft, pk, "change")``.
    """
    draft = TransferDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.status != TransferStatus.PENDING:
        raise DomainError(_("This upload has already been applied or discarded."))
    data = bytes(draft.content)
    if sha256 != draft.sha256 or file_sha256(data) != draft.sha256:
        raise DomainError(_("The file is not the one in the preview. Upload it again."))
    raw, _format = read_file(data, draft.file_name)
    plan = handbook_apply(raw=raw, by=by, unit=draft.unit, expected=draft.state_sha256)
    draft.status = TransferStatus.APPLIED
    draft.applied_at = timezone.now()
    draft.result = plan.counts()
    save_tracked(draft, by=by, reason="transfer.confirmed")
    return plan
