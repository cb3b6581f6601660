"""What deviation screens read, already limited to what the person may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models

from deviations.access_rules import with_sensitivity
from deviations.models import Deviation, Status
from ledningssystem import access
from ledningssystem.models import User


@dataclass(frozen=True)
class InboxFilter:
    status: str = ""
    unit_id: int | None = None
    category_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    lex_sarah: str = ""  # "", "yes", "no"
    sort: str = "-reported_at"
    overdue: bool = False


SORTS = {
    "-reported_at": ("-reported_at", "-pk"),
    "reported_at": ("reported_at", "pk"),
    "-occurred_at": ("-occurred_at", "-pk"),
    "unit": ("unit__path", "-reported_at"),
    "status": ("status_order", "-reported_at"),
}

# The workflow's own order, not the alphabetical order of the codes.
STATUS_ORDER = models.Case(
    *(models.When(status=status, then=models.Value(position)) for position, status in enumerate(Status)),
    output_field=models.IntegerField(),
)


def deviation_list_for_user(user: User, filters: InboxFilter) -> models.QuerySet[Deviation]:
    """The inbox: deviations the person handles, filtered and sorted, joined for the list."""
    qs = access.filter_for_user(user, Deviation.objects.all(), "handle")
    if filters.status == "open":
        qs = qs.open()
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.unit_id:
        unit = access.units_for_user(user).filter(pk=filters.unit_id).first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    # Local calendar dates (Europe/Stockholm): a range of local midnights, so the index on reported_at serves it.
    if filters.date_from:
        qs = qs.filter(reported_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        qs = qs.filter(
            reported_at__lt=_local_midnight(
                min(filters.date_to, datetime.date(9000, 1, 1)) + datetime.timedelta(days=1)
            )
        )
    if filters.lex_sarah == "yes":
        qs = qs.filter(is_lex_sarah=True)
    elif filters.lex_sarah == "no":
        qs = qs.filter(is_lex_sarah=False)
    if filters.overdue:
        from deviations.deadlines import overdue_condition

        qs = qs.filter(overdue_condition())
    if filters.sort == "status":
        qs = qs.annotate(status_order=STATUS_ORDER)
    return qs.select_related("unit", "category", "handler").order_by(*SORTS.get(filters.sort, SORTS["-reported_at"]))


def _local_midnight(day: datetime.date) -> datetime.datetime:
    """Local midnight starting ``day``; far-off dates are clamped so they stay representable."""
    from django.utils import timezone

    day = min(max(day, datetime.date(1900, 1, 1)), datetime.date(9000, 1, 1))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def late_among(deviations: list[Deviation]) -> set[int]:
    """Which of the listed deviations are past one of the organisation's deadlines (one query)."""
    from deviations.deadlines import overdue_condition

    ids = [d.pk for d in deviations]
    if not ids:
        return set()
    return set(Deviation.objects.filter(pk__in=ids).filter(overdue_condition()).values_list("pk", flat=True))


def deviation_reported_by(user: User) -> models.QuerySet[Deviation]:
    """'Mina rapporter': what the person reported, newest first."""
    return Deviation.objects.filter(reported_by=user).select_related("unit", "category").order_by("-reported_at")


def deviation_get_for_user(user: User, pk: Any) -> Deviation:
    related = with_sensitivity(Deviation.objects.select_related("unit", "category", "handler", "reported_by"))
    return access.get_for_user(user, related.prefetch_related("attachments"), pk)


def deviation_similar_candidates(user: User, deviation: Deviation) -> models.QuerySet[Deviation]:
    """Earlier deviations of the same kind or at the same unit that the person handles,
    plus those already linked (at most 20 suggestions, newest first)."""
    from django.db.models import Q

    since = deviation.reported_at - datetime.timedelta(days=730)
    visible = access.filter_for_user(user, Deviation.objects.all(), "handle")
    suggested = (
        visible.filter(Q(category_id=deviation.category_id) | Q(unit_id=deviation.unit_id))
        .filter(reported_at__lt=deviation.reported_at, reported_at__gte=since)
        .exclude(pk=deviation.pk)
        .order_by("-reported_at")
        .values_list("pk", flat=True)[:20]
    )
    # Both lists evaluated first: an OR of two subqueries would scan the whole table.
    linked = list(deviation.related.values_list("pk", flat=True))
    return visible.filter(pk__in=[*suggested, *linked]).select_related("category", "unit").order_by("-reported_at")
