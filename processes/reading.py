"""Read confirmations (läskvittens): services, selectors and the event that tells people.

An approver asks everyone in a document's scope to confirm that they have
read the version in force (``read_request_create``); each of them confirms
once (``read_confirm``). Who is *in scope* is decided here and nowhere else:

    people with an active role assignment, in a role that lets them see the
    unit, at an active unit at or below any unit the document applies to;
    the person is active.

Who *owes* a confirmation is the same people minus those who have confirmed.
Every selector runs a fixed number of queries, whatever the number of
people or documents.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ledningssystem import access
from ledningssystem.access import VIEW_ASSIGNMENTS, VIEW_UNIT, AnyUser
from ledningssystem.history import save_tracked
from ledningssystem.models import RoleAssignment, Unit, User
from ledningssystem.services import DomainError
from notifications.models import Kind
from notifications.services import notify
from processes import access_rules
from processes.models import Document, DocumentVersion, ReadConfirmation, ReadRequest, VersionStatus

MAX_MESSAGE_LENGTH = 2_000


def document_url(document: Document | int) -> str:
    """The address of a document's page.

    The document pages live in another part of the app; until its URL name
    ``processes:document_detail`` exists, the address is built by hand in the
    same shape ("/routines/<pk>/"), so links never break the page.
    """
    pk = document if isinstance(document, int) else document.pk
    try:
        return reverse("processes:document_detail", args=[pk])
    except NoReverseMatch:
        return f"/routines/{pk}/"


def confirm_url(version: DocumentVersion) -> str:
    return reverse("processes:reading_confirm", args=[version.document_id, version.pk])


def progress_url(version: DocumentVersion) -> str:
    return reverse("processes:reading_progress", args=[version.document_id, version.pk])


# --- Scope ---------------------------------------------------------------------


def _applies_paths(version: DocumentVersion) -> list[str]:
    return list(version.document.applies_to.values_list("path", flat=True))


def _paths_condition(paths: list[str], lookup: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def _in_scope_assignments(paths: list[str]) -> models.QuerySet[RoleAssignment]:
    """Active assignments that put a person in the scope of units ``paths``."""
    return RoleAssignment.objects.active().filter(
        _paths_condition(paths, "unit__path"),
        unit__is_active=True,
        person__is_active=True,
        role__permissions__codename=VIEW_UNIT,
        role__permissions__content_type__app_label="ledningssystem",
    )


def expected_people(version: DocumentVersion) -> models.QuerySet[User]:
    """Everyone asked to confirm ``version`` (two queries: the paths, then this)."""
    paths = _applies_paths(version)
    return User.objects.filter(is_active=True, pk__in=_in_scope_assignments(paths).values("person_id"))


def owing_people(version: DocumentVersion) -> models.QuerySet[User]:
    """Those in scope who have not confirmed ``version`` yet."""
    return expected_people(version).exclude(pk__in=ReadConfirmation.objects.filter(version=version).values("person_id"))


def is_in_scope(person: AnyUser, version: DocumentVersion) -> bool:
    if not (person.is_authenticated and person.is_active):
        return False
    return _in_scope_assignments(_applies_paths(version)).filter(person=person).exists()


# --- Services ------------------------------------------------------------------


@transaction.atomic
def read_request_create(
    *, version: DocumentVersion, by: User, due_on: datetime.date | None = None, message: str = ""
) -> ReadRequest:
    """Ask everyone in scope to confirm that they have read ``version``.

    Needs ``request_reading`` on the version (an approver of the document);
    the version must be the approved one in force. Once per version: asking
    again raises a ``DomainError`` that says when and by whom it was asked.
    Everyone who owes a confirmation is notified once (``READ_REQUESTED``).
    """
    if not access.can(by, version, "request_reading"):
        raise PermissionDenied
    version = DocumentVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
    if version.status != VersionStatus.APPROVED or version.document.current_version_id != version.pk:
        raise DomainError(_("Read confirmations can only be asked for the approved version in force."))
    if due_on is not None and due_on < timezone.localdate():
        raise DomainError(_("The date to confirm by cannot be in the past."), "due_on")
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        raise DomainError(_("The message can be at most %(n)d characters.") % {"n": MAX_MESSAGE_LENGTH}, "message")
    existing = ReadRequest.objects.filter(version=version).select_related("requested_by").first()
    if existing is not None:
        raise _already_asked(existing)
    read_request = ReadRequest(version=version, requested_by=by, due_on=due_on, message=message)
    try:
        with transaction.atomic():
            save_tracked(read_request, by=by, reason="document.read_requested")
    except IntegrityError:  # someone asked at the same moment
        raise _already_asked(ReadRequest.objects.select_related("requested_by").get(version=version)) from None
    read_requested(read_request, by=by)
    return read_request


def _already_asked(existing: ReadRequest) -> DomainError:
    return DomainError(
        _("Read confirmations were already asked for this version on %(date)s by %(name)s.")
        % {
            "date": timezone.localtime(existing.requested_at).date().isoformat(),
            "name": existing.requested_by.get_full_name() or existing.requested_by.get_username(),
        }
    )


@transaction.atomic
def read_confirm(*, version: DocumentVersion, by: User) -> ReadConfirmation:
    """Record that ``by`` has read ``version``; confirming again returns the first confirmation.

    Only someone in scope of an approved version with a read request may
    confirm. A double click (two requests at once) still gives one row.
    """
    if not access.can(by, version, "confirm_reading"):
        raise PermissionDenied
    existing = ReadConfirmation.objects.filter(version=version, person=by).first()
    if existing is not None:
        return existing
    if not ReadRequest.objects.filter(version=version).exists():
        raise DomainError(_("Nobody has asked for read confirmations of this version."))
    if not is_in_scope(by, version):
        raise DomainError(_("You are not among those asked to confirm this document."))
    confirmation = ReadConfirmation(version=version, person=by)
    try:
        with transaction.atomic():
            save_tracked(confirmation, by=by, reason="document.read_confirmed")
    except IntegrityError:  # the other click won
        return ReadConfirmation.objects.get(version=version, person=by)
    return confirmation


# --- Events --------------------------------------------------------------------


def read_requested(read_request: ReadRequest, *, by: User | None = None) -> None:
    """Tell everyone who owes a confirmation, once per version."""
    version = read_request.version
    notify(
        recipients=owing_people(version).values_list("pk", flat=True),
        kind=Kind.READ_REQUESTED,
        url=confirm_url(version),
        dedupe_key=f"read_requested:{version.pk}",
        actor=by,
    )


# --- Selectors -----------------------------------------------------------------


def owed_by(person: AnyUser) -> models.QuerySet[ReadRequest]:
    """Read requests ``person`` still owes: versions in force whose scope holds them, not confirmed.

    One query, whatever the number of documents: the units the documents
    apply to are matched against the person's own units in the database.
    """
    if not (person.is_authenticated and person.is_active):
        return ReadRequest.objects.none()
    # Units at or above a unit where the person holds a role that sees it.
    holds_below = RoleAssignment.objects.active().filter(
        person=person,
        unit__is_active=True,
        unit__path__startswith=OuterRef("path"),
        role__permissions__codename=VIEW_UNIT,
        role__permissions__content_type__app_label="ledningssystem",
    )
    reaching = Unit.objects.filter(Exists(holds_below)).values("pk")
    in_scope = Document.applies_to.through.objects.filter(unit_id__in=reaching).values("document_id")
    return (
        ReadRequest.objects.filter(
            version__status=VersionStatus.APPROVED,
            version__document__current_version=F("version"),
            version__document_id__in=in_scope,
        )
        .exclude(version__confirmations__person=person)
        .select_related("version__document")
        .order_by(F("due_on").asc(nulls_last=True), "-requested_at", "pk")
    )


@dataclass
class OwedItem:
    read_request: ReadRequest
    is_overdue: bool

    @property
    def version(self) -> DocumentVersion:
        return self.read_request.version

    @property
    def document(self) -> Document:
        return self.read_request.version.document


def owed_items(requests: Any) -> list[OwedItem]:
    today = timezone.localdate()
    return [OwedItem(r, r.due_on is not None and r.due_on < today) for r in requests]


@dataclass
class UnitProgress:
    unit: Unit
    expected: int
    confirmed: int
    missing: list[User] | None = None  # names shown only to those who see the unit's people

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.expected) if self.expected else 0


@dataclass
class Progress:
    rows: list[UnitProgress]
    expected: int
    confirmed: int

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.expected) if self.expected else 0


def progress_totals(version: DocumentVersion) -> tuple[int, int]:
    """(confirmed, expected) for the whole scope: three queries."""
    expected = expected_people(version)
    confirmed = ReadConfirmation.objects.filter(version=version, person__in=expected).count()
    return confirmed, expected.count()


def progress_for_user(user: AnyUser, version: DocumentVersion) -> Progress:
    """Per unit: how many are asked and how many have confirmed, for the units ``user`` may see.

    Editors of the document see every unit in scope; others the units within
    their ``view_assignments`` scope. A unit is counted where a person holds
    a role; a person with roles in two units counts in both, once in the
    totals. Names of those who have not confirmed are given only for units
    where ``user`` holds ``view_assignments``. A fixed number of queries.
    """
    paths = _applies_paths(version)
    assignments = _in_scope_assignments(paths)
    editor = access_rules.is_editor(user, version.document)
    viewable = access.path_condition(user, VIEW_ASSIGNMENTS, "unit__path")
    if not editor:
        if viewable is None:
            return Progress([], 0, 0)
        assignments = assignments.filter(viewable)
    confirmed_ids = ReadConfirmation.objects.filter(version=version).values("person_id")
    counts = (
        assignments.values("unit_id")
        .annotate(
            expected=Count("person_id", distinct=True),
            confirmed=Count("person_id", distinct=True, filter=Q(person_id__in=confirmed_ids)),
        )
        .order_by()
    )
    by_unit = {row["unit_id"]: row for row in counts}
    units = Unit.objects.filter(pk__in=by_unit).order_by("path")
    names_paths = access.scope_paths(user, VIEW_ASSIGNMENTS)
    missing: dict[int, list[User]] = {}
    if names_paths:
        missing_rows = (
            assignments.filter(_paths_condition(names_paths, "unit__path"))
            .exclude(person_id__in=confirmed_ids)
            .select_related("person")
            .order_by("person__last_name", "person__first_name", "person_id")
        )
        for assignment in missing_rows:
            people = missing.setdefault(assignment.unit_id, [])
            if all(p.pk != assignment.person_id for p in people):
                people.append(assignment.person)
    rows = []
    for unit in units:
        row = by_unit[unit.pk]
        shows_names = any(unit.path.startswith(p) for p in names_paths)
        rows.append(
            UnitProgress(
                unit=unit,
                expected=row["expected"],
                confirmed=row["confirmed"],
                missing=missing.get(unit.pk, []) if shows_names else None,
            )
        )
    totals = assignments.aggregate(
        expected=Count("person_id", distinct=True),
        confirmed=Count("person_id", distinct=True, filter=Q(person_id__in=confirmed_ids)),
    )
    return Progress(rows, totals["expected"], totals["confirmed"])


def panel_state(user: AnyUser, version: DocumentVersion | None) -> dict[str, Any]:
    """What the read-confirmation panel shows ``user`` for ``version`` (a few queries)."""
    if version is None or version.status != VersionStatus.APPROVED or not user.is_authenticated:
        return {"show": False}
    read_request = ReadRequest.objects.filter(version=version).select_related("requested_by").first()
    state: dict[str, Any] = {
        "show": True,
        "version": version,
        "read_request": read_request,
        "can_request": read_request is None and access.can(user, version, "request_reading"),
        "can_progress": read_request is not None and access.can(user, version, "reading_progress"),
    }
    if read_request is not None:
        state["confirmation"] = ReadConfirmation.objects.filter(version=version, person=user).first()
        state["owes"] = state["confirmation"] is None and is_in_scope(user, version)
        state["is_overdue"] = read_request.due_on is not None and read_request.due_on < timezone.localdate()
        if state["can_progress"]:
            state["confirmed"], state["expected"] = progress_totals(version)
    return state


# --- Min sida ------------------------------------------------------------------

MY_PAGE_LIMIT = 10


def my_page_section(request: Any) -> tuple[str, dict[str, Any]] | None:
    """Min sida, "Att läsa": the documents the person has been asked to confirm (none: no section)."""
    requests = list(owed_by(request.user)[: MY_PAGE_LIMIT + 1])
    if not requests:
        return None
    return "processes/_reading_my_page.html", {
        "items": owed_items(requests[:MY_PAGE_LIMIT]),
        "has_more": len(requests) > MY_PAGE_LIMIT,
    }
