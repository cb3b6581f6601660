"""The organisation's internal deadlines (DeviationSettings) applied to deviations.

The law names no days, so "overdue" is always against the organisation's
own settings: a report not received in time, a lex Sarah report whose
investigation has not started in time, a serious case not yet notified to
IVO in time, or an action past its due date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Action
from deviations.models import OPEN_STATUSES, SERIOUS_ASSESSMENTS, Deviation, DeviationSettings, Status


def overdue_condition(settings: DeviationSettings | None = None, now: datetime.datetime | None = None) -> Q:
    """Deviations that are late on any of the organisation's deadlines."""
    settings = settings or DeviationSettings.current()
    now = now or timezone.now()
    days = datetime.timedelta
    late_actions = Action.objects.overdue(timezone.localdate(now)).filter(
        source_type=ContentType.objects.get_for_model(Deviation)
    )
    return (
        Q(status=Status.REPORTED, reported_at__lt=now - days(days=settings.receive_within_days))
        | Q(
            is_lex_sarah=True,
            status__in=[Status.REPORTED, Status.RECEIVED],
            reported_at__lt=now - days(days=settings.investigation_start_days),
        )
        | Q(
            status__in=OPEN_STATUSES,
            assessment__in=SERIOUS_ASSESSMENTS,
            ivo_notified_on__isnull=True,
            assessed_at__lt=now - days(days=settings.ivo_notification_days),
        )
        | Q(status__in=OPEN_STATUSES, pk__in=late_actions.values("source_id"))
    )


@dataclass(frozen=True)
class Deadline:
    label: str
    due: datetime.datetime
    done: bool

    @property
    def is_late(self) -> bool:
        return not self.done and timezone.now() > self.due


def deadlines_for(deviation: Deviation, settings: DeviationSettings | None = None) -> list[Deadline]:
    """The deadlines that apply to one deviation, for its page."""
    settings = settings or DeviationSettings.current()
    days = datetime.timedelta
    result = [
        Deadline(
            _("Received"),
            deviation.reported_at + days(days=settings.receive_within_days),
            deviation.received_at is not None or deviation.status != Status.REPORTED,
        )
    ]
    if deviation.is_lex_sarah:
        result.append(
            Deadline(
                _("Investigation started"),
                deviation.reported_at + days(days=settings.investigation_start_days),
                deviation.investigation_started_at is not None
                or deviation.status not in (Status.REPORTED, Status.RECEIVED),
            )
        )
        if deviation.is_serious and deviation.assessed_at:
            result.append(
                Deadline(
                    _("IVO notified"),
                    deviation.assessed_at + days(days=settings.ivo_notification_days),
                    deviation.ivo_notified_on is not None,
                )
            )
    return result
