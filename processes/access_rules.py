"""Who sees and changes controlled documents, processes, focus areas and responsibilities.

The one place these rules live (registered with ``ledningssystem.access``):

* **Editors** hold ``manage_documents`` (the quality coordinator) or
  ``approve_documents`` (managers who approve) at the owner unit or above.
  They see drafts and history and, with ``manage_documents``, change them.
* The **owner** is whoever holds the owner role at the owner unit today; the
  owner sees and edits their own documents, drafts included, and is reminded
  of reviews. The person who wrote a draft sees it too.
* **Readers** are everyone whose ``view_unit`` scope meets a unit the
  document applies to (the unit is inside their scope, or above a unit they
  belong to). Readers see only documents with an approved version in force,
  and of those only approved and superseded versions: never someone else's
  draft. The committee (nämnd) is a reader of the whole organisation.
* **Approving** and asking for **read confirmations** needs
  ``approve_documents`` at the owner unit or above.

Focus areas and role responsibilities are read by everyone whose scope meets
the unit they are defined for, and changed by ``manage_documents`` there.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ledningssystem import access, history
from ledningssystem.access import (
    APPROVE_DOCUMENTS,
    MANAGE_DOCUMENTS,
    VIEW_ASSIGNMENTS,
    VIEW_STATISTICS,
    VIEW_UNIT,
    AnyUser,
    Policy,
)
from ledningssystem.models import RoleAssignment, Unit
from processes.models import (
    Document,
    DocumentAttachment,
    DocumentVersion,
    Process,
    ProcessActivity,
    ProcessStatus,
    ReadConfirmation,
    ReadRequest,
    TransferDraft,
    VersionStatus,
)
from requirements.models import FocusArea, FocusAreaResponsibility, RoleResponsibility

_OWNED_ATTR = "_ledningssystem_owned_pairs"

READER_VERSION_STATUSES = (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)


def _authenticated(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def owned_pairs(user: AnyUser) -> set[tuple[int, int]]:
    """(role id, unit id) of the person's assignments active today (one query, cached on the person)."""
    cached = getattr(user, _OWNED_ATTR, None)
    if cached is not None:
        return cached
    pairs: set[tuple[int, int]] = set()
    if _authenticated(user):
        pairs = set(RoleAssignment.objects.active().filter(person=user).values_list("role_id", "unit_id"))
    setattr(user, _OWNED_ATTR, pairs)
    return pairs


def _owner_condition(user: AnyUser, prefix: str = "") -> Q | None:
    condition = None
    for role_id, unit_id in owned_pairs(user):
        q = Q(**{f"{prefix}owner_role_id": role_id, f"{prefix}owner_unit_id": unit_id})
        condition = q if condition is None else condition | q
    return condition


def reach_condition(user: AnyUser, lookup: str) -> Q | None:
    """Units (a path ``lookup``) that meet the person's view scope: inside it, or above it."""
    paths = access.scope_paths(user, VIEW_UNIT)
    if not paths:
        return None
    above: set[str] = set()
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path})
        above.update(path[:i] for i in range(Unit.steplen, len(path), Unit.steplen))
    if above:
        condition |= Q(**{f"{lookup}__in": sorted(above)})
    return condition


def unit_in_reach(user: AnyUser, unit: Unit) -> bool:
    return any(unit.path.startswith(p) or p.startswith(unit.path) for p in access.scope_paths(user, VIEW_UNIT))


def _editor_condition(user: AnyUser, lookup: str) -> Q | None:
    condition = None
    for capability in (MANAGE_DOCUMENTS, APPROVE_DOCUMENTS):
        q = access.path_condition(user, capability, lookup)
        if q is not None:
            condition = q if condition is None else condition | q
    return condition


def _or(*conditions: Q | None) -> Q | None:
    result = None
    for c in conditions:
        if c is not None:
            result = c if result is None else result | c
    return result


def applies_in_reach(user: AnyUser, model: type[models.Model]) -> Q | None:
    """Documents or processes (``model``) that apply to a unit meeting the person's scope."""
    reach = reach_condition(user, "unit__path")
    if reach is None:
        return None
    through = model.applies_to.through
    owner_field = "document_id" if model is Document else "process_id"
    return Q(Exists(through.objects.filter(reach, **{owner_field: OuterRef("pk")})))


# --- Documents ----------------------------------------------------------------


def is_editor(user: AnyUser, document: Document | Process) -> bool:
    """Sees drafts and history: manage or approve documents at the owner unit, the owner, the creator."""
    if not _authenticated(user):
        return False
    unit = document.owner_unit
    return (
        access.has_capability(user, MANAGE_DOCUMENTS, unit)
        or access.has_capability(user, APPROVE_DOCUMENTS, unit)
        or (document.owner_role_id, document.owner_unit_id) in owned_pairs(user)
        or document.created_by_id == user.pk
    )


def may_change(user: AnyUser, document: Document | Process) -> bool:
    """Writes drafts and changes metadata and links: the coordinator in scope, or the owner."""
    if not _authenticated(user):
        return False
    return access.has_capability(user, MANAGE_DOCUMENTS, document.owner_unit) or (
        document.owner_role_id,
        document.owner_unit_id,
    ) in owned_pairs(user)


def may_approve(user: AnyUser, document: Document) -> bool:
    return _authenticated(user) and access.has_capability(user, APPROVE_DOCUMENTS, document.owner_unit)


def sees_reading_progress(user: AnyUser, document: Document) -> bool:
    """Progress of read confirmations: editors of the document, and those who see
    people (``view_assignments``) in a unit the document applies to. Which units
    each of them sees is ``reading.progress_units``'s business."""
    if not _authenticated(user):
        return False
    if is_editor(user, document):
        return True
    paths = access.scope_paths(user, VIEW_ASSIGNMENTS)
    return any(unit.path.startswith(p) or p.startswith(unit.path) for unit in document.applies_to.all() for p in paths)


def may_create(user: AnyUser) -> bool:
    """Starts new documents and processes: holds ``manage_documents`` somewhere."""
    return _authenticated(user) and access.has_capability(user, MANAGE_DOCUMENTS)


def creatable_owner_units(user: AnyUser) -> models.QuerySet[Unit]:
    return access.units_for_user(user, MANAGE_DOCUMENTS).filter(is_active=True)


class DocumentPolicy(Policy):
    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not _authenticated(user):
            return qs.none()
        editor = _or(_editor_condition(user, "owner_unit__path"), _owner_condition(user), Q(created_by_id=user.pk))
        if action in {"view"}:
            applies = applies_in_reach(user, Document)
            reader = Q(current_version__isnull=False) & applies if applies is not None else None
            return qs.filter(_or(editor, reader))
        if action == "history":
            return qs.filter(editor)
        if action == "change":
            condition = _or(access.path_condition(user, MANAGE_DOCUMENTS, "owner_unit__path"), _owner_condition(user))
            return qs.filter(condition) if condition is not None else qs.none()
        if action == "approve":
            condition = access.path_condition(user, APPROVE_DOCUMENTS, "owner_unit__path")
            return qs.filter(condition) if condition is not None else qs.none()
        return qs.none()

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if action == "view":
            if is_editor(user, obj):
                return True
            return obj.current_version_id is not None and any(unit_in_reach(user, u) for u in obj.applies_to.all())
        if action == "history":
            return is_editor(user, obj)
        if action == "change":
            return may_change(user, obj)
        if action in {"approve", "request_reading"}:
            return may_approve(user, obj)
        return False


class VersionPolicy(Policy):
    """A version is seen with its document; drafts, reviews and withdrawn versions only by editors."""

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not _authenticated(user):
            return qs.none()
        documents = access.filter_for_user(user, Document.objects.all(), "view")
        editor = _or(
            _editor_condition(user, "document__owner_unit__path"),
            _owner_condition(user, "document__"),
            Q(document__created_by_id=user.pk),
            Q(created_by_id=user.pk),
        )
        visible = _or(editor, Q(status__in=READER_VERSION_STATUSES))
        return qs.filter(document__in=documents).filter(visible)

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        document = obj.document
        if action in {"view", "history"}:
            if obj.status in READER_VERSION_STATUSES and action == "view":
                return access.can(user, document, "view")
            return is_editor(user, document) or obj.created_by_id == user.pk
        if action == "change":
            return obj.is_open and may_change(user, document)
        if action == "return":  # back to draft: the writers, or the approver who declines it
            return obj.is_open and (may_change(user, document) or may_approve(user, document))
        if action == "approve":
            return obj.status == VersionStatus.IN_REVIEW and may_approve(user, document)
        if action == "confirm_reading":
            return obj.status == VersionStatus.APPROVED and access.can(user, document, "view")
        if action == "request_reading":
            return obj.status == VersionStatus.APPROVED and may_approve(user, document)
        if action == "reading_progress":
            return obj.status in READER_VERSION_STATUSES and sees_reading_progress(user, document)
        return False


class AttachmentPolicy(Policy):
    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        versions = access.filter_for_user(user, DocumentVersion.objects.all(), "view")
        return qs.filter(version__in=versions)

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if action == "view":
            return access.can(user, obj.version, "view")
        return access.can(user, obj.version, "change")


class ReadRecordPolicy(Policy):
    """Read requests and confirmations: a person sees their own; editors see those of their documents."""

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not _authenticated(user):
            return qs.none()
        versions = access.filter_for_user(user, DocumentVersion.objects.all(), "view")
        if qs.model is ReadConfirmation:
            editor = _or(
                _editor_condition(user, "version__document__owner_unit__path"),
                _owner_condition(user, "version__document__"),
            )
            return qs.filter(_or(Q(person_id=user.pk), editor)).filter(version__in=versions)
        return qs.filter(version__in=versions)

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if isinstance(obj, ReadConfirmation) and obj.person_id == user.pk:
            return action == "view"
        return action == "view" and is_editor(user, obj.version.document)


# --- Processes ----------------------------------------------------------------


class ProcessPolicy(Policy):
    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not _authenticated(user):
            return qs.none()
        editor = _or(_editor_condition(user, "owner_unit__path"), _owner_condition(user), Q(created_by_id=user.pk))
        if action == "view":
            applies = applies_in_reach(user, Process)
            reader = Q(status=ProcessStatus.ACTIVE) & applies if applies is not None else None
            return qs.filter(_or(editor, reader))
        if action == "history":
            return qs.filter(editor)
        if action == "change":
            condition = _or(access.path_condition(user, MANAGE_DOCUMENTS, "owner_unit__path"), _owner_condition(user))
            return qs.filter(condition) if condition is not None else qs.none()
        return qs.none()

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if action == "view":
            if is_editor(user, obj):
                return True
            return obj.status == ProcessStatus.ACTIVE and any(unit_in_reach(user, u) for u in obj.applies_to.all())
        if action == "history":
            return is_editor(user, obj)
        if action == "change":
            return may_change(user, obj)
        return False


class ActivityPolicy(Policy):
    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        return qs.filter(process__in=access.filter_for_user(user, Process.objects.all(), action))

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        return access.can(user, obj.process, action)


# --- Focus areas and responsibilities ----------------------------------------------


class UnitDefinedPolicy(Policy):
    """Read where the unit meets the person's scope; changed with ``manage_documents`` at the unit."""

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not _authenticated(user):
            return qs.none()
        lookup = f"{self.path_lookup}__path"
        if action in {"view", "history"}:
            condition = _or(reach_condition(user, lookup), access.path_condition(user, MANAGE_DOCUMENTS, lookup))
        elif action == "change":
            condition = access.path_condition(user, MANAGE_DOCUMENTS, lookup)
        else:
            condition = None
        return qs.filter(condition) if condition is not None else qs.none()

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if not _authenticated(user):
            return False
        unit = self.unit_of(obj)
        if action in {"view", "history"}:
            return unit_in_reach(user, unit) or access.has_capability(user, MANAGE_DOCUMENTS, unit)
        if action == "change":
            return access.has_capability(user, MANAGE_DOCUMENTS, unit)
        return False


def may_define_at(user: AnyUser, unit: Unit) -> bool:
    """Defines focus areas and role responsibilities at ``unit``: ``manage_documents`` there."""
    return _authenticated(user) and access.has_capability(user, MANAGE_DOCUMENTS, unit)


# --- Coverage matrix ----------------------------------------------------------

# Who may read the coverage matrix of a unit: those who follow the organisation
# up (statistics: managers, the committee and its secretary), maintain its
# routines (the coordinator) or approve them. Staff without these do not.
COVERAGE_CAPABILITIES = (VIEW_STATISTICS, MANAGE_DOCUMENTS, APPROVE_DOCUMENTS)


def may_see_coverage(user: AnyUser, unit: Unit | None = None) -> bool:
    """May read the coverage matrix of ``unit`` (or of some unit, if None).

    The matrix then shows only the routines and processes the person may
    see (``filter_for_user``); drafts hidden from them only count towards
    the status "draft only", without title or link.
    """
    if not _authenticated(user):
        return False
    return any(access.has_capability(user, c, unit) for c in COVERAGE_CAPABILITIES)


def coverage_units(user: AnyUser) -> models.QuerySet[Unit]:
    """Active units whose coverage matrix the person may read."""
    paths: list[str] = []
    for capability in COVERAGE_CAPABILITIES:
        paths.extend(access.scope_paths(user, capability))
    return Unit.objects.subtrees_of(paths).filter(is_active=True)


# --- Moving a handbook in (processes/transfer) --------------------------------------


def may_transfer(user: AnyUser) -> bool:
    """Imports and exports handbooks: the same people who start documents (``manage_documents``)."""
    return may_create(user)


class TransferDraftPolicy(Policy):
    """An upload is seen and confirmed only by the person who made it, while they may still transfer."""

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not may_transfer(user):
            return qs.none()
        return qs.filter(created_by=user.pk)

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        return may_transfer(user) and obj.created_by_id == user.pk


access.register(TransferDraft, TransferDraftPolicy(path_lookup="", capabilities={}))
access.register(Document, DocumentPolicy(path_lookup="owner_unit__path", capabilities={}))
access.register(DocumentVersion, VersionPolicy(path_lookup="document__owner_unit__path", capabilities={}))
access.register(DocumentAttachment, AttachmentPolicy(path_lookup="", capabilities={}))
access.register(ReadRequest, ReadRecordPolicy(path_lookup="", capabilities={}))
access.register(ReadConfirmation, ReadRecordPolicy(path_lookup="", capabilities={}))
access.register(Process, ProcessPolicy(path_lookup="owner_unit__path", capabilities={}))
access.register(ProcessActivity, ActivityPolicy(path_lookup="", capabilities={}))
access.register(FocusArea, UnitDefinedPolicy(path_lookup="unit", capabilities={}, unit_of=lambda f: f.unit))
access.register(
    FocusAreaResponsibility,
    UnitDefinedPolicy(path_lookup="focus_area__unit", capabilities={}, unit_of=lambda r: r.focus_area.unit),
)
access.register(RoleResponsibility, UnitDefinedPolicy(path_lookup="unit", capabilities={}, unit_of=lambda r: r.unit))

history.register_history("document", Document)
history.register_history("process", Process)
history.register_history("focusarea", FocusArea)
history.register_history("roleresponsibility", RoleResponsibility)
history.REASONS.update(
    {
        "document.created": _("Document created"),
        "document.updated": _("Document details changed"),
        "document.links_changed": _("Links to requirements, focus areas or processes changed"),
        "document.draft_started": _("New draft started"),
        "document.draft_saved": _("Draft saved"),
        "document.submitted": _("Sent for review"),
        "document.returned": _("Returned to draft"),
        "document.approved": _("Approved"),
        "document.superseded": _("Superseded by a newer version"),
        "document.withdrawn": _("Withdrawn"),
        "document.reviewed": _("Reviewed without changes"),
        "document.read_requested": _("Read confirmation requested"),
        "document.read_confirmed": _("Read confirmed"),
        "process.created": _("Process created"),
        "process.updated": _("Process changed"),
        "process.status_changed": _("Process status changed"),
        "process.activity_added": _("Activity added"),
        "process.activity_changed": _("Activity changed"),
        "process.activity_moved": _("Activity moved"),
        "process.activity_removed": _("Activity removed"),
        "focusarea.created": _("Focus area created"),
        "focusarea.updated": _("Focus area changed"),
        "responsibility.updated": _("Responsibility changed"),
        "focusarea.deactivated": _("Focus area deactivated"),
        "focusarea.reactivated": _("Focus area reactivated"),
        "responsibility.cleared": _("Responsibility removed; the level above applies"),
        "requirement.linked": _("Linked to a requirement from the coverage matrix"),
        "requirement.unlinked": _("Link to a requirement removed from the coverage matrix"),
        "document.imported": _("Imported from a handbook file"),
        "focusarea.imported": _("Imported from a handbook file"),
        "responsibility.imported": _("Imported from a handbook file"),
        "transfer.previewed": _("Handbook file uploaded for preview"),
        "transfer.confirmed": _("Handbook file applied"),
    }
)
