"""Who is told about what: one small function per event.

Recipients come from role assignments through ``ledningssystem.access``:
a capability held at the case's unit or above it. Every event has a stable
dedupe key, so calling a function again for the same event (a retried
request, the daily job run twice) tells nobody twice.

Deadlines for the daily job are the organisation's (``DeviationSettings``).
A case past its deadline is sent to the person responsible (the handler, or
when there is none the capability holders nearest the unit) and escalated to
the holders at the level above them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from actions.models import Action
from deviations.models import SERIOUS_ASSESSMENTS, Deviation, DeviationSettings, Status
from ledningssystem import access
from ledningssystem.models import Unit, User
from notifications.models import Kind
from notifications.services import notify


def _capability(deviation: Deviation) -> str:
    return access.HANDLE_LEX_SARAH if deviation.is_lex_sarah else access.HANDLE_DEVIATIONS


def _deviation_url(deviation: Deviation) -> str:
    return reverse("deviations:detail", args=[deviation.pk])


def _action_url(action: Action) -> str:
    try:
        return reverse("actions:detail", args=[action.pk])
    except NoReverseMatch:
        # Until actions have their own page, the deviation they belong to.
        if action.source_type_id == ContentType.objects.get_for_model(Deviation).pk:
            return reverse("deviations:detail", args=[action.source_id])
        return reverse("home")


def _levels(
    capability: str, unit: Unit, cache: dict[Any, list[tuple[str, set[int]]]] | None = None
) -> list[tuple[str, set[int]]]:
    """Who holds ``capability`` over ``unit``: (unit path, people) per unit where it is held, nearest first."""
    key = (capability, unit.pk)
    if cache is not None and key in cache:
        return cache[key]
    by_path: dict[str, set[int]] = defaultdict(set)
    for person_id, path in access.capability_holders(capability, unit).values_list("person_id", "unit__path"):
        by_path[path].add(person_id)
    levels = [(path, by_path[path]) for path in sorted(by_path, key=len, reverse=True)]
    if cache is not None:
        cache[key] = levels
    return levels


# --- Events the services report ----------------------------------------------


def deviation_reported(deviation: Deviation, *, by: User | None = None) -> None:
    """A new report: to the nearest handlers of its unit (usually the unit
    manager; those above see it in their inbox, and hear of it if it becomes
    overdue). A lex Sarah report goes instead, at once, to everyone with the
    lex Sarah permission over the unit."""
    levels = _levels(_capability(deviation), deviation.unit)
    if not deviation.is_lex_sarah:
        # The nearest level with someone other than the reporter (a manager's own report goes to their manager).
        actor = {by.pk} if by is not None else set()
        levels = next(([level] for level in levels if level[1] - actor), [])
    notify(
        recipients=set().union(*(people for _path, people in levels)),
        kind=Kind.LEX_SARAH_REPORTED if deviation.is_lex_sarah else Kind.DEVIATION_REPORTED,
        url=_deviation_url(deviation),
        dedupe_key=f"deviation.reported:{deviation.pk}",
        actor=by,
    )


def deviation_assigned(deviation: Deviation, *, by: User | None = None) -> None:
    """The new handler is told (not when they took the case themselves)."""
    if deviation.handler_id is None:
        return
    notify(
        recipients=[deviation.handler_id],
        kind=Kind.DEVIATION_ASSIGNED,
        url=_deviation_url(deviation),
        dedupe_key=f"deviation.assigned:{deviation.pk}:{deviation.handler_id}",
        actor=by,
    )


def deviation_closed(deviation: Deviation, *, by: User | None = None) -> None:
    """The reporter hears back: the link opens the report in "My reports"."""
    notify(
        recipients=[deviation.reported_by_id],
        kind=Kind.DEVIATION_CLOSED,
        url=_deviation_url(deviation),
        # The version changes with every transition: closed again after a reopen is news again.
        dedupe_key=f"deviation.closed:{deviation.pk}:{deviation.version}",
        actor=by,
    )


def action_assigned(action: Action, by: User | None = None) -> None:
    """An action is created or gets a new owner: the owner is told once per action."""
    notify(
        recipients=[action.owner_id],
        kind=Kind.ACTION_ASSIGNED,
        url=_action_url(action),
        dedupe_key=f"action.assigned:{action.pk}:{action.owner_id}",
        actor=by,
    )


# --- The daily job -----------------------------------------------------------


def _case_overdue(deviation: Deviation, deadline: str, cache: dict[Any, list[tuple[str, set[int]]]]) -> int:
    """Tell who is responsible, and escalate to the nearest holders above the unit who are not."""
    levels = _levels(_capability(deviation), deviation.unit, cache)
    # The handler if there is one, else everyone at the nearest level.
    nearest = levels[0][1] if levels else set()
    responsible = {deviation.handler_id} if deviation.handler_id is not None else nearest
    escalate: set[int] = set()
    for path, people in levels:
        if path != deviation.unit.path and (people - responsible):
            escalate = people - responsible
            break
    url = _deviation_url(deviation)
    told = notify(
        recipients=responsible,
        kind=Kind.CASE_OVERDUE,
        url=url,
        dedupe_key=f"deviation.overdue.{deadline}:{deviation.pk}",
    )
    escalated = notify(
        recipients=escalate,
        kind=Kind.CASE_ESCALATED,
        url=url,
        dedupe_key=f"deviation.escalated.{deadline}:{deviation.pk}",
    )
    return len(told) + len(escalated)


def daily_reminders(today: datetime.date | None = None) -> int:
    """Remind action owners and flag cases past the organisation's deadlines.

    Returns the number of notifications created; a second run the same day
    creates none.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    rules = DeviationSettings.current()
    count = 0

    due_soon = Action.objects.open().filter(
        due_date__gte=today, due_date__lte=today + datetime.timedelta(days=rules.action_due_soon_days)
    )
    for action in due_soon.iterator(chunk_size=500):
        count += len(
            notify(
                recipients=[action.owner_id],
                kind=Kind.ACTION_DUE_SOON,
                url=_action_url(action),
                dedupe_key=f"action.due_soon:{action.pk}:{action.due_date.isoformat()}",
            )
        )
    for action in Action.objects.overdue(today).iterator(chunk_size=500):
        count += len(
            notify(
                recipients=[action.owner_id],
                kind=Kind.ACTION_OVERDUE,
                url=_action_url(action),
                dedupe_key=f"action.overdue:{action.pk}:{action.due_date.isoformat()}",
            )
        )

    cache: dict[Any, list[tuple[str, set[int]]]] = {}
    cases = Deviation.objects.select_related("unit").only("pk", "is_lex_sarah", "handler", "unit__path", "unit__depth")
    # A lex Sarah report has its own, stricter deadline below.
    not_received = cases.filter(
        status=Status.REPORTED,
        is_lex_sarah=False,
        reported_at__lt=now - datetime.timedelta(days=rules.receive_within_days),
    )
    not_investigated = cases.filter(
        status__in=[Status.REPORTED, Status.RECEIVED],
        is_lex_sarah=True,
        reported_at__lt=now - datetime.timedelta(days=rules.investigation_start_days),
    )
    ivo_not_notified = cases.filter(
        is_lex_sarah=True,
        assessment__in=SERIOUS_ASSESSMENTS,
        assessed_at__lt=now - datetime.timedelta(days=rules.ivo_notification_days),
        ivo_notified_on__isnull=True,
    )
    for deadline, qs in (("receive", not_received), ("investigate", not_investigated), ("ivo", ivo_not_notified)):
        for deviation in qs.iterator(chunk_size=500):
            count += _case_overdue(deviation, deadline, cache)
    return count
