"""Processes (SOSFS 2011:9 ch. 4): writes and the reads the screens need.

Every write is one transaction, records who and why in the history and
bumps ``Process.version``, which is also the lock for the process's
activities: two people editing the same process (or its activities) at
once cannot overwrite each other. Access is checked by the caller through
``ledningssystem.access``; the services check the rules of the process
itself (transitions, positions, routines the person may see).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Count, Max, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledningssystem import access
from ledningssystem.access import AnyUser
from ledningssystem.history import save_tracked
from ledningssystem.models import Role, Unit, User
from ledningssystem.services import ConflictError, DomainError
from processes.models import Document, Process, ProcessActivity, ProcessStatus
from requirements.models import FocusArea, Requirement

# The allowed status changes: draft → in use → retired.
TRANSITIONS: dict[str, list[str]] = {
    ProcessStatus.DRAFT: [ProcessStatus.ACTIVE],
    ProcessStatus.ACTIVE: [ProcessStatus.RETIRED],
    ProcessStatus.RETIRED: [],
}
TRANSITION_LABELS = {
    ProcessStatus.ACTIVE: gettext_lazy("Take into use"),
    ProcessStatus.RETIRED: gettext_lazy("Retire"),
}


def _lock(process: Process, expected: int | None) -> Process:
    """Lock the process row and refuse a change made on an outdated page."""
    locked = Process.objects.select_for_update().get(pk=process.pk)
    if expected is not None and locked.version != expected:
        raise ConflictError(
            _("Someone else changed this while you were editing. Reload the page to see their change, then try again.")
        )
    locked.version += 1
    return locked


def _touch(process: Process, by: User | None, reason: str) -> None:
    save_tracked(process, by=by, reason=reason, update_fields=["version"])


# --- Process ---------------------------------------------------------------------


@transaction.atomic
def process_create(
    *,
    by: User,
    identifier: str,
    title: str,
    purpose: str,
    owner_role: Role,
    owner_unit: Unit,
    applies_to: Iterable[Unit],
    requirements: Iterable[Requirement] = (),
    focus_areas: Iterable[FocusArea] = (),
) -> Process:
    """A new process in draft. The caller has checked ``may_create`` and that ``owner_unit`` is theirs."""
    applies_to = list(applies_to)
    if not applies_to:
        raise DomainError(_("Choose at least one unit the process applies to."), "applies_to")
    if Process.objects.filter(identifier__iexact=identifier).exists():
        raise DomainError(_("Another process already has this identifier."), "identifier")
    process = Process(
        identifier=identifier, title=title, purpose=purpose, owner_role=owner_role, owner_unit=owner_unit, created_by=by
    )
    try:
        with transaction.atomic():
            save_tracked(process, by=by, reason="process.created")
    except IntegrityError:
        raise DomainError(_("Another process already has this identifier."), "identifier") from None
    process.applies_to.set(applies_to)
    process.requirements.set(requirements)
    process.focus_areas.set(focus_areas)
    return process


@transaction.atomic
def process_update(
    *,
    process: Process,
    by: User,
    version: int | None,
    title: str,
    purpose: str,
    owner_role: Role,
    owner_unit: Unit,
    applies_to: Iterable[Unit],
    requirements: Iterable[Requirement],
    focus_areas: Iterable[FocusArea],
) -> Process:
    applies_to = list(applies_to)
    if not applies_to:
        raise DomainError(_("Choose at least one unit the process applies to."), "applies_to")
    locked = _lock(process, version)
    locked.title, locked.purpose, locked.owner_role, locked.owner_unit = title, purpose, owner_role, owner_unit
    save_tracked(locked, by=by, reason="process.updated")
    locked.applies_to.set(applies_to)
    locked.requirements.set(requirements)
    locked.focus_areas.set(focus_areas)
    return locked


@transaction.atomic
def process_set_status(*, process: Process, by: User, version: int | None, status: str) -> Process:
    """Move the process along ``TRANSITIONS``; a process in use needs at least one activity."""
    locked = _lock(process, version)
    if status not in TRANSITIONS.get(locked.status, []):
        raise DomainError(
            _("A process that is %(status)s cannot be changed that way.")
            % {"status": locked.get_status_display().lower()}
        )
    if status == ProcessStatus.ACTIVE and not locked.activities.exists():
        raise DomainError(_("Add at least one activity before the process is taken into use."))
    locked.status = status
    save_tracked(locked, by=by, reason="process.status_changed")
    return locked


# --- Activities ------------------------------------------------------------------


def _check_collaboration(needs: bool, with_whom: str) -> str:
    with_whom = (with_whom or "").strip()
    if needs and not with_whom:
        raise DomainError(_("Say with whom the activity needs collaboration."), "collaboration_with")
    return with_whom if needs else ""


def _routines_kept(by: AnyUser, activity: ProcessActivity | None, chosen: Iterable[Document]) -> list[Document]:
    """The routines chosen (the person may see them) plus those already linked that the person cannot see."""
    chosen = list(chosen)
    visible = access.filter_for_user(by, Document.objects.filter(pk__in=[d.pk for d in chosen]), "view")
    allowed = set(visible.values_list("pk", flat=True))
    if any(d.pk not in allowed for d in chosen):
        raise DomainError(_("Choose only routines you can see."), "routines")
    kept = []
    if activity is not None:
        seen = access.filter_for_user(by, activity.routines.all(), "view").values("pk")
        kept = list(activity.routines.exclude(pk__in=seen))
    return chosen + kept


@transaction.atomic
def activity_add(
    *,
    process: Process,
    by: User,
    version: int | None,
    title: str,
    description: str,
    responsible_role: Role | None,
    routines: Iterable[Document],
    needs_collaboration: bool,
    collaboration_with: str,
) -> ProcessActivity:
    """A new activity last in the process."""
    locked = _lock(process, version)
    with_whom = _check_collaboration(needs_collaboration, collaboration_with)
    routines = _routines_kept(by, None, routines)
    last = locked.activities.aggregate(m=Max("position"))["m"] or 0
    activity = ProcessActivity(
        process=locked,
        position=last + 1,
        title=title,
        description=description,
        responsible_role=responsible_role,
        needs_collaboration=needs_collaboration,
        collaboration_with=with_whom,
    )
    save_tracked(activity, by=by, reason="process.activity_added")
    activity.routines.set(routines)
    _touch(locked, by, "process.activity_added")
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: ProcessActivity,
    by: User,
    version: int | None,
    title: str,
    description: str,
    responsible_role: Role | None,
    routines: Iterable[Document],
    needs_collaboration: bool,
    collaboration_with: str,
) -> ProcessActivity:
    """Change an activity; routines the person cannot see stay linked."""
    locked = _lock(activity.process, version)
    with_whom = _check_collaboration(needs_collaboration, collaboration_with)
    routines = _routines_kept(by, activity, routines)
    activity.title, activity.description, activity.responsible_role = title, description, responsible_role
    activity.needs_collaboration, activity.collaboration_with = needs_collaboration, with_whom
    save_tracked(activity, by=by, reason="process.activity_changed")
    activity.routines.set(routines)
    _touch(locked, by, "process.activity_changed")
    return activity


@transaction.atomic
def activity_delete(*, activity: ProcessActivity, by: User, version: int | None) -> None:
    locked = _lock(activity.process, version)
    activity._history_user = by  # type: ignore[attr-defined]
    activity._change_reason = "process.activity_removed"  # type: ignore[attr-defined]
    activity.delete()
    _renumber(locked, by)
    _touch(locked, by, "process.activity_removed")


def _renumber(process: Process, by: User | None) -> None:
    for position, activity in enumerate(process.activities.order_by("position", "pk"), start=1):
        if activity.position != position:
            activity.position = position
            save_tracked(activity, by=by, reason="process.activity_moved", update_fields=["position"])


@transaction.atomic
def activity_move(*, activity: ProcessActivity, by: User, version: int | None, direction: str) -> ProcessActivity:
    """Swap the activity with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise DomainError(_("Unknown direction."))
    locked = _lock(activity.process, version)
    ordered = list(locked.activities.order_by("position", "pk"))
    index = next(i for i, a in enumerate(ordered) if a.pk == activity.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(ordered):
        raise DomainError(
            _("The activity is already first.") if direction == "up" else _("The activity is already last.")
        )
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            save_tracked(item, by=by, reason="process.activity_moved", update_fields=["position"])
    _touch(locked, by, "process.activity_moved")
    return next(a for a in ordered if a.pk == activity.pk)


# --- Selectors ---------------------------------------------------------------------


def process_list_for_user(
    user: AnyUser, *, text: str = "", status: str = "", owner_unit: Unit | None = None
) -> models.QuerySet[Process]:
    """Processes the person may see, filtered; owner and activity count joined (one query per page)."""
    qs = access.filter_for_user(user, Process.objects.all(), "view")
    for word in text.split()[:5]:
        qs = qs.filter(Q(title__icontains=word) | Q(identifier__icontains=word) | Q(purpose__icontains=word))
    if status:
        qs = qs.filter(status=status)
    if owner_unit is not None:
        qs = qs.filter(owner_unit=owner_unit)
    return (
        qs.select_related("owner_unit", "owner_role")
        .annotate(activity_count=Count("activities", distinct=True))
        .order_by("title", "pk")
    )


def process_get_for_user(user: AnyUser, pk: Any, action: str = "view") -> Process:
    """One process with everything its page shows, routines limited to those the person may see."""
    routines = access.filter_for_user(user, Document.objects.all(), "view").order_by("title", "pk")
    activities = ProcessActivity.objects.select_related("responsible_role").prefetch_related(
        Prefetch("routines", queryset=routines, to_attr="visible_routines")
    )
    qs = Process.objects.select_related("owner_unit", "owner_role", "created_by").prefetch_related(
        Prefetch("activities", queryset=activities.order_by("position", "pk")),
        Prefetch(
            "requirements",
            queryset=Requirement.objects.select_related("framework").order_by("framework__code", "position"),
        ),
        Prefetch("focus_areas", queryset=FocusArea.objects.order_by("position", "title")),
        Prefetch("applies_to", queryset=Unit.objects.order_by("path")),
    )
    return access.get_for_user(user, qs, pk, action)


def routine_choices_for(user: AnyUser) -> models.QuerySet[Document]:
    """Routines a person may link to an activity: only those they may see."""
    return access.filter_for_user(user, Document.objects.all(), "view").order_by("title", "pk")
