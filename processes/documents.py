"""Writes for controlled documents (rutiner, riktlinjer …): one function per step.

Every function is one transaction, records who acted and why in the
history (``save_tracked``) and raises ``DomainError`` (with the form field
when there is one) when the rules do not allow the change. Access (may
``by`` do this at all) is checked by the view through ``ledningssystem.access``
and ``processes.access_rules``; the rules here hold whoever calls.

The rules:

* A version moves draft → in review → approved → superseded or withdrawn;
  ``in review`` may go back to draft. Only a draft is written to.
* An approved, superseded or withdrawn version is never changed again
  (``_save_version`` refuses), nor are its attachments.
* Approving supersedes the version in force, sets ``current_version``,
  the document's title and its next review date.
* Documents carry an optimistic lock (``Document.version``) for their
  metadata; versions carry theirs (``DocumentVersion.lock_version``).
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledningssystem import access, history
from ledningssystem.history import save_tracked
from ledningssystem.models import Role, Unit, User
from ledningssystem.services import ConflictError, DomainError
from processes.models import (
    Document,
    DocumentAttachment,
    DocumentKind,
    DocumentVersion,
    VersionStatus,
)
from processes.richtext import is_blank, sanitise

# Identifier prefixes per kind: RUT-0001, RIK-0001 …
PREFIXES = {
    DocumentKind.ROUTINE: "RUT",
    DocumentKind.GUIDELINE: "RIK",
    DocumentKind.INSTRUCTION: "INS",
    DocumentKind.POLICY: "POL",
    DocumentKind.PLAN: "PLA",
}
MAX_BODY_CHARS = 200_000
MAX_TITLE_CHARS = 300
MAX_NOTE_CHARS = 5_000
MAX_INTERVAL_MONTHS = 60
MAX_ATTACHMENTS = 20
# A valid-from date this far away is almost certainly a typing error.
MAX_AHEAD = datetime.timedelta(days=3 * 366)

FROZEN_FIELDS = ("title", "body", "change_note", "approved_by_id", "approved_at", "decision_reference", "valid_from")

history.REASONS.update(
    {
        "document.attachment_added": gettext_lazy("Attachment added"),
        "document.attachment_removed": gettext_lazy("Attachment removed"),
    }
)

_STALE = gettext_lazy(
    "Someone else changed this while you were editing. Reload the page to see their change, then try again."
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


# --- Checks ------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Give the document a title."), "title")
    if len(title) > MAX_TITLE_CHARS:
        raise DomainError(_("The title can be at most %(n)d characters.") % {"n": MAX_TITLE_CHARS}, "title")
    return title


def _clean_body(body: str) -> str:
    if len(body or "") > MAX_BODY_CHARS * 2:
        raise DomainError(_("The text is too long. Split it or attach it as a file."), "body")
    cleaned = sanitise(body or "")
    if len(cleaned) > MAX_BODY_CHARS:
        raise DomainError(_("The text is too long. Split it or attach it as a file."), "body")
    return cleaned


def _clean_note(note: str, field: str = "change_note") -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise DomainError(_("Write at most %(n)d characters.") % {"n": MAX_NOTE_CHARS}, field)
    return note


def _check_metadata(
    *, kind: str, owner_role: Role, owner_unit: Unit, applies_to: Sequence[Unit], review_interval_months: int
) -> None:
    if kind not in DocumentKind.values:
        raise DomainError(_("Choose what kind of document it is."), "kind")
    if owner_role is None:
        raise DomainError(_("Choose the role that owns the document."), "owner_role")
    if owner_unit is None or not owner_unit.is_active:
        raise DomainError(_("Choose an active unit for the owner."), "owner_unit")
    if not applies_to:
        raise DomainError(_("Choose at least one unit the document applies to."), "applies_to")
    if any(not u.is_active for u in applies_to):
        raise DomainError(_("A document cannot apply to an inactive unit."), "applies_to")
    if not 1 <= int(review_interval_months) <= MAX_INTERVAL_MONTHS:
        raise DomainError(
            _("The review interval must be between 1 and %(n)d months.") % {"n": MAX_INTERVAL_MONTHS},
            "review_interval_months",
        )


def _lock_document(document: Document, version: int | None) -> Document:
    current = Document.objects.select_for_update().select_related("owner_unit").get(pk=document.pk)
    if version is not None and current.version != version:
        raise ConflictError(str(_STALE))
    return current


def _lock_version(version: DocumentVersion, lock_version: int | None) -> DocumentVersion:
    current = DocumentVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
    if lock_version is not None and current.lock_version != lock_version:
        raise ConflictError(str(_STALE))
    return current


def _save_document(document: Document, by: User, reason: str) -> Document:
    # The row is locked (``_lock_document``), so counting up here is safe.
    document.version += 1
    save_tracked(document, by=by, reason=reason)
    return document


def _save_version(version: DocumentVersion, by: User, reason: str) -> DocumentVersion:
    """Save a version; the text and decision of a finished version can never change."""
    if version.pk:
        stored = DocumentVersion.objects.get(pk=version.pk)
        if not stored.is_open and any(getattr(stored, f) != getattr(version, f) for f in FROZEN_FIELDS):
            raise DomainError(_("An approved version cannot be changed. Start a new draft instead."))
    version.lock_version += 1
    save_tracked(version, by=by, reason=reason)
    return version


def next_identifier(kind: str, taken: set[str] | None = None) -> str:
    """The next "RUT-0001"-style identifier of a kind, also past ``taken`` (given out but not yet saved)."""
    prefix = f"{PREFIXES[DocumentKind(kind)]}-"
    # Only identifiers that end in a number count: an imported "RUT-12a" never blocks the series.
    last = (
        Document.objects.filter(identifier__regex=rf"^{prefix}[0-9]+$")
        .order_by(Length("identifier").desc(), "-identifier")
        .values_list("identifier", flat=True)
        .first()
    )
    candidates = [*(taken or ()), *([last] if last else [])]
    numbers = [int(m.group(1)) for i in candidates if (m := re.fullmatch(rf"{prefix}([0-9]+)", i))]
    identifier = f"{prefix}{max(numbers, default=0) + 1:04d}"
    if taken is not None:
        taken.add(identifier)
    return identifier


# --- Documents ---------------------------------------------------------------------


@transaction.atomic
def document_create(
    *,
    by: User,
    kind: str,
    title: str,
    owner_role: Role,
    owner_unit: Unit,
    applies_to: Sequence[Unit],
    review_interval_months: int = 12,
    body: str = "",
    change_note: str = "",
    requirements: Iterable[Any] = (),
    focus_areas: Iterable[Any] = (),
) -> Document:
    """A new document with its first draft (version 1), identified by kind (RUT-0001 …).

    ``by`` must maintain documents at ``owner_unit`` (the coordinator). Two
    documents created at the same moment never share an identifier: a
    clash on the unique identifier is retried with the next number.
    """
    title = _clean_title(title)
    body = _clean_body(body)
    change_note = _clean_note(change_note)
    _check_metadata(
        kind=kind,
        owner_role=owner_role,
        owner_unit=owner_unit,
        applies_to=applies_to,
        review_interval_months=review_interval_months,
    )
    if not access.has_capability(by, access.MANAGE_DOCUMENTS, owner_unit):
        raise DomainError(_("You can only create documents owned by units you maintain documents for."), "owner_unit")
    document = None
    for _attempt in range(10):
        candidate = Document(
            identifier=next_identifier(kind),
            kind=kind,
            title=title,
            owner_role=owner_role,
            owner_unit=owner_unit,
            review_interval_months=review_interval_months,
            created_by=by,
        )
        try:
            with transaction.atomic():
                save_tracked(candidate, by=by, reason="document.created")
        except IntegrityError:
            continue
        document = candidate
        break
    if document is None:
        raise DomainError(_("The document could not be given an identifier. Try again."))
    document.applies_to.set(applies_to)
    document.requirements.set(requirements)
    document.focus_areas.set(focus_areas)
    version = DocumentVersion(
        document=document, number=1, title=title, body=body, change_note=change_note, created_by=by
    )
    save_tracked(version, by=by, reason="document.created")
    return document


@transaction.atomic
def document_update(
    *,
    document: Document,
    by: User,
    version: int | None,
    kind: str,
    owner_role: Role,
    owner_unit: Unit,
    applies_to: Sequence[Unit],
    review_interval_months: int,
    requirements: Iterable[Any],
    focus_areas: Iterable[Any],
) -> Document:
    """Change what the document is and what it answers; the identifier stays.

    Moving the ownership to another unit needs ``manage_documents`` there.
    A new review interval counts from the next approval or review.
    """
    _check_metadata(
        kind=kind,
        owner_role=owner_role,
        owner_unit=owner_unit,
        applies_to=applies_to,
        review_interval_months=review_interval_months,
    )
    document = _lock_document(document, version)
    if owner_unit.pk != document.owner_unit_id and not access.has_capability(by, access.MANAGE_DOCUMENTS, owner_unit):
        raise DomainError(_("You can only give the document to units you maintain documents for."), "owner_unit")
    details_changed = (
        kind != document.kind
        or owner_role.pk != document.owner_role_id
        or owner_unit.pk != document.owner_unit_id
        or int(review_interval_months) != document.review_interval_months
        or {u.pk for u in applies_to} != set(document.applies_to.values_list("pk", flat=True))
    )
    document.kind = kind
    document.owner_role = owner_role
    document.owner_unit = owner_unit
    document.review_interval_months = review_interval_months
    document.applies_to.set(applies_to)
    document.requirements.set(requirements)
    document.focus_areas.set(focus_areas)
    return _save_document(document, by, "document.updated" if details_changed else "document.links_changed")


@transaction.atomic
def document_withdraw(*, document: Document, by: User, version: int | None, reason: str) -> Document:
    """Take the version in force out of use; the document no longer applies to anyone."""
    reason = _clean_note(reason, "reason")
    if not reason:
        raise DomainError(_("Say why the document is withdrawn."), "reason")
    document = _lock_document(document, version)
    if document.current_version_id is None:
        raise DomainError(_("The document has no version in force to withdraw."))
    current = DocumentVersion.objects.select_for_update().get(pk=document.current_version_id)
    current.status = VersionStatus.WITHDRAWN
    current.ended_at = timezone.now()
    current.end_reason = reason
    _save_version(current, by, "document.withdrawn")
    document.current_version = None
    document.next_review_on = None
    return _save_document(document, by, "document.withdrawn")


@transaction.atomic
def document_mark_reviewed(*, document: Document, by: User, version: int | None) -> Document:
    """The owner looked at the version in force and it still holds: the next review moves on."""
    document = _lock_document(document, version)
    if document.current_version_id is None:
        raise DomainError(_("Only a document with a version in force can be reviewed."))
    document.next_review_on = add_months(timezone.localdate(), document.review_interval_months)
    return _save_document(document, by, "document.reviewed")


@transaction.atomic
def document_start_draft(*, document: Document, by: User, version: int | None) -> DocumentVersion:
    """A new draft from the version in force: its title, text and attachments, numbered next."""
    document = _lock_document(document, version)
    if document.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW]).exists():
        raise DomainError(_("The document already has a version being worked on."))
    if document.current_version_id is None:
        raise DomainError(_("Only a document with a version in force can get a new draft."))
    source = DocumentVersion.objects.get(pk=document.current_version_id)
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    draft = DocumentVersion(
        document=document, number=last + 1, title=source.title, body=source.body, change_note="", created_by=by
    )
    save_tracked(draft, by=by, reason="document.draft_started")
    for attachment in source.attachments.all():
        copy = DocumentAttachment(
            version=draft,
            name=attachment.name,
            content_type=attachment.content_type,
            size=attachment.size,
            sha256=attachment.sha256,
            uploaded_by=attachment.uploaded_by,
            uploaded_at=attachment.uploaded_at,
        )
        # The stored file is shared: files are never deleted while a version refers to them.
        copy.file.name = attachment.file.name
        save_tracked(copy, by=by, reason="document.draft_started")
    _save_document(document, by, "document.draft_started")
    return draft


# --- Versions ----------------------------------------------------------------------


@transaction.atomic
def version_save_draft(
    *, version: DocumentVersion, by: User, lock_version: int | None, title: str, body: str, change_note: str
) -> DocumentVersion:
    """Write the draft's title, text (sanitised) and what changed."""
    title = _clean_title(title)
    body = _clean_body(body)
    change_note = _clean_note(change_note)
    version = _lock_version(version, lock_version)
    if version.status != VersionStatus.DRAFT:
        if version.status == VersionStatus.IN_REVIEW:
            raise DomainError(_("The version is in review. Return it to draft before changing it."))
        raise DomainError(_("An approved version cannot be changed. Start a new draft instead."))
    version.title, version.body, version.change_note = title, body, change_note
    _save_version(version, by, "document.draft_saved")
    if version.document.current_version_id is None and version.document.title != title:
        # Until a version is approved the document is known by its draft's title. Locked and
        # counted like any change of the document, so a details form open meanwhile is stale.
        document = _lock_document(version.document, None)
        document.title = title
        _save_document(document, by, "document.draft_saved")
    return version


@transaction.atomic
def version_submit(*, version: DocumentVersion, by: User, lock_version: int | None) -> DocumentVersion:
    """Send the draft for review: it needs a title and a text."""
    version = _lock_version(version, lock_version)
    if version.status == VersionStatus.IN_REVIEW:
        raise DomainError(_("The version has already been sent for review."))
    if version.status != VersionStatus.DRAFT:
        raise DomainError(_("Only a draft can be sent for review."))
    if is_blank(version.body):
        raise DomainError(_("Write the text before sending the draft for review."), "body")
    version.status = VersionStatus.IN_REVIEW
    version.submitted_at = timezone.now()
    return _save_version(version, by, "document.submitted")


@transaction.atomic
def version_return(*, version: DocumentVersion, by: User, lock_version: int | None) -> DocumentVersion:
    """Back to draft from review, so it can be changed."""
    version = _lock_version(version, lock_version)
    if version.status != VersionStatus.IN_REVIEW:
        raise DomainError(_("Only a version in review can be returned to draft."))
    version.status = VersionStatus.DRAFT
    version.submitted_at = None
    return _save_version(version, by, "document.returned")


@transaction.atomic
def version_approve(
    *,
    version: DocumentVersion,
    by: User,
    lock_version: int | None,
    decision_reference: str,
    valid_from: datetime.date | None = None,
) -> DocumentVersion:
    """Approve a version in review; it supersedes the version in force.

    Sets the document's version in force, title and next review date (the
    approval date plus the review interval).
    """
    decision_reference = " ".join((decision_reference or "").split())
    if not decision_reference:
        raise DomainError(_('Give the decision reference, for example "SN 2024-01-17 § 7".'), "decision_reference")
    if len(decision_reference) > 200:
        raise DomainError(_("The decision reference can be at most 200 characters."), "decision_reference")
    today = timezone.localdate()
    valid_from = valid_from or today
    if abs(valid_from - today) > MAX_AHEAD:
        raise DomainError(_("The date is more than three years from today. Check the year."), "valid_from")
    version = _lock_version(version, lock_version)
    document = _lock_document(version.document, None)
    if version.status == VersionStatus.APPROVED:
        raise DomainError(_("The version has already been approved."))
    if version.status != VersionStatus.IN_REVIEW:
        raise DomainError(_("Only a version in review can be approved."))
    now = timezone.now()
    if document.current_version_id is not None:
        previous = DocumentVersion.objects.select_for_update().get(pk=document.current_version_id)
        previous.status = VersionStatus.SUPERSEDED
        previous.ended_at = now
        previous.end_reason = _("Replaced by version %(n)d.") % {"n": version.number}
        _save_version(previous, by, "document.superseded")
    version.status = VersionStatus.APPROVED
    version.approved_by = by
    version.approved_at = now
    version.decision_reference = decision_reference
    version.valid_from = valid_from
    _save_version(version, by, "document.approved")
    document.current_version = version
    document.title = version.title
    document.next_review_on = add_months(today, document.review_interval_months)
    _save_document(document, by, "document.approved")
    return version


# --- Attachments -------------------------------------------------------------------


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attachment_add(
    *, version: DocumentVersion, by: User, lock_version: int | None, files: Sequence[tuple[Any, str]]
) -> list[DocumentAttachment]:
    """Attach checked files (``ledningssystem.uploads``: (upload, content type) pairs) to a draft."""
    version = _lock_version(version, lock_version)
    # Only a draft: what is in review is what the approver approves.
    if version.status != VersionStatus.DRAFT:
        raise DomainError(_("Files can only be attached to a draft."), "files")
    if not files:
        raise DomainError(_("Choose a file to attach."), "files")
    if version.attachments.count() + len(files) > MAX_ATTACHMENTS:
        raise DomainError(_("A version can have at most %(n)d attachments.") % {"n": MAX_ATTACHMENTS}, "files")
    added = []
    for upload, content_type in files:
        name = (upload.name or "").rsplit("/", 1)[-1][:200]
        suffix = name[name.rfind(".") :].lower() if "." in name else ""
        attachment = DocumentAttachment(
            version=version,
            name=name,
            content_type=content_type,
            size=upload.size,
            sha256=_sha256(upload),
            uploaded_by=by,
        )
        # Stored under a random name: the person's file name is kept in the row only.
        attachment.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
        save_tracked(attachment, by=by, reason="document.attachment_added")
        added.append(attachment)
    _save_version(version, by, "document.attachment_added")
    return added


@transaction.atomic
def attachment_remove(*, attachment: DocumentAttachment, by: User, lock_version: int | None) -> None:
    """Remove a file from a draft. The stored file stays: other versions may share it."""
    version = _lock_version(attachment.version, lock_version)
    if version.status != VersionStatus.DRAFT:
        raise DomainError(_("Only the files of a draft can be changed."))
    attachment._history_user = by  # type: ignore[attr-defined]
    attachment._change_reason = "document.attachment_removed"  # type: ignore[attr-defined]
    attachment.delete()
    _save_version(version, by, "document.attachment_removed")
