"""Writes for actions: create, change, progress, cancel and the effect follow-up.

Callers check access through ``ledningssystem.access`` first; these
functions check the rules and record who acted and why. The source of an
action (``actions.sources``) is told of every change so it can keep its own
state (a deviation bumps its version so open forms on it notice).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Action, ActionStatus, EffectResult
from actions.sources import source_kind
from ledningssystem.history import save_tracked
from ledningssystem.models import RoleAssignment, Unit, User
from ledningssystem.services import ConflictError, DomainError

# A due date this far ahead is almost certainly a typing error.
MAX_AHEAD = datetime.timedelta(days=5 * 366)


def owner_candidates(unit: Unit) -> Any:
    """People who may own an action at ``unit``: anyone active with a current role
    at the unit, above it or below it."""
    ancestors = [*unit.ancestor_paths, unit.path]
    holders = (
        RoleAssignment.objects.active()
        .filter(Q(unit__path__in=ancestors) | Q(unit__path__startswith=unit.path), person__is_active=True)
        .values("person_id")
    )
    return User.objects.filter(pk__in=holders, is_active=True).order_by("last_name", "first_name", "pk")


def _check_fields(*, title: str, owner: User, unit: Unit, due_date: datetime.date, effect_planned_on: Any) -> None:
    if not title.strip():
        raise DomainError(_("Give the action a title."), "title")
    if not owner_candidates(unit).filter(pk=owner.pk).exists():
        raise DomainError(_("The owner must be someone with a role at the unit, above it or below it."), "owner")
    today = timezone.localdate()
    if due_date > today + MAX_AHEAD:
        raise DomainError(_("The due date is more than five years away. Check the year."), "due_date")
    if effect_planned_on is not None and effect_planned_on < due_date:
        raise DomainError(_("Follow up the effect on or after the due date."), "effect_planned_on")


def _lock(action: Action, version: int | None) -> Action:
    current = Action.objects.select_for_update().select_related("unit").get(pk=action.pk)
    if version is not None and current.version != version:
        raise ConflictError(
            _("Someone else changed this while you were editing. Reload the page to see their change, then try again.")
        )
    return current


def _saved(action: Action, by: User, reason: str) -> Action:
    action.version += 1
    save_tracked(action, by=by, reason=reason)
    source = action.source
    source_kind(source).changed(source, by)
    return action


@transaction.atomic
def action_create(
    *,
    source: Any,
    by: User,
    title: str,
    description: str,
    owner: User,
    unit: Unit,
    due_date: datetime.date,
    effect_planned_on: datetime.date | None,
    effect_measure: str,
    causes: Sequence[Any] = (),
) -> Action:
    """A new action on ``source``; the source decides what else it needs (e.g. causes)."""
    kind = source_kind(source)
    kind.validate_new(source, causes)
    _check_fields(title=title, owner=owner, unit=unit, due_date=due_date, effect_planned_on=effect_planned_on)
    if due_date < timezone.localdate():
        raise DomainError(_("The due date has already passed."), "due_date")
    action = Action(
        title=title.strip(),
        description=description,
        owner=owner,
        unit=unit,
        due_date=due_date,
        source=source,
        is_restricted=kind.is_restricted(source),
        created_by=by,
        effect_planned_on=effect_planned_on,
        effect_measure=effect_measure,
    )
    save_tracked(action, by=by, reason="action.created")
    for cause in causes:
        cause.actions.add(action)
    kind.changed(source, by)
    _notify_owner(action, by)
    return action


def _notify_owner(action: Action, by: User) -> None:
    from notifications import events  # imported here: notifications imports the action models

    events.action_assigned(action, by=by)


@transaction.atomic
def action_update(
    *,
    action: Action,
    by: User,
    version: int | None,
    title: str,
    description: str,
    owner: User,
    due_date: datetime.date,
    effect_planned_on: datetime.date | None,
    effect_measure: str,
) -> Action:
    action = _lock(action, version)
    if not action.is_open:
        raise DomainError(_("A finished action is not changed; reopen it first."))
    _check_fields(title=title, owner=owner, unit=action.unit, due_date=due_date, effect_planned_on=effect_planned_on)
    owner_changed = owner.pk != action.owner_id
    action.title = title.strip()
    action.description = description
    action.owner = owner
    action.due_date = due_date
    action.effect_planned_on = effect_planned_on
    action.effect_measure = effect_measure
    _saved(action, by, "action.updated")
    if owner_changed:
        _notify_owner(action, by)
    return action


@transaction.atomic
def action_start(*, action: Action, by: User, version: int | None) -> Action:
    action = _lock(action, version)
    if action.status != ActionStatus.PLANNED:
        raise DomainError(_("Only a planned action can be started."))
    action.status = ActionStatus.IN_PROGRESS
    return _saved(action, by, "action.started")


@transaction.atomic
def action_complete(*, action: Action, by: User, version: int | None, note: str) -> Action:
    """Done: say what was done. The effect is followed up later."""
    if not note.strip():
        raise DomainError(_("Say what was done."), "note")
    action = _lock(action, version)
    if not action.is_open:
        raise DomainError(_("The action is already finished."))
    action.status = ActionStatus.DONE
    action.completed_at = timezone.now()
    action.completion_note = note
    return _saved(action, by, "action.done")


@transaction.atomic
def action_cancel(*, action: Action, by: User, version: int | None, note: str) -> Action:
    if not note.strip():
        raise DomainError(_("Say why the action is cancelled."), "note")
    action = _lock(action, version)
    if not action.is_open:
        raise DomainError(_("The action is already finished."))
    action.status = ActionStatus.CANCELLED
    action.completed_at = timezone.now()
    action.completion_note = note
    return _saved(action, by, "action.cancelled")


@transaction.atomic
def action_reopen(*, action: Action, by: User, version: int | None, note: str) -> Action:
    """Back to work, e.g. when the effect was not good enough; the earlier result is kept in the history."""
    if not note.strip():
        raise DomainError(_("Say why the action is reopened."), "note")
    action = _lock(action, version)
    if action.is_open:
        raise DomainError(_("The action is not finished."))
    action.status = ActionStatus.IN_PROGRESS
    action.completed_at = None
    action.completion_note = note
    action.effect_result = ""
    action.effect_comment = ""
    action.effect_recorded_at = None
    action.effect_recorded_by = None
    return _saved(action, by, "action.reopened")


@transaction.atomic
def action_record_effect(*, action: Action, by: User, version: int | None, result: str, comment: str) -> Action:
    """Whether the action worked: effective, partly or not effective."""
    if result not in EffectResult.values:
        raise DomainError(_("Choose whether the action was effective."), "result")
    if result != EffectResult.EFFECTIVE and not comment.strip():
        raise DomainError(_("Say what did not work and what happens next."), "comment")
    action = _lock(action, version)
    if action.status != ActionStatus.DONE:
        raise DomainError(_("Record the effect once the action is done."), "result")
    action.effect_result = result
    action.effect_comment = comment
    action.effect_recorded_at = timezone.now()
    action.effect_recorded_by = by
    return _saved(action, by, "action.effect_recorded")
