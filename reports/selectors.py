"""Aggregated statistics over deviations and actions for a part of the organisation.

Everything here returns counts and medians only, never rows: the statistics
page is read by committee members, who must learn nothing about individual
cases. The number of queries is fixed (one GROUP BY per figure) whatever the
amount of data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import Aggregate, Case, Count, DurationField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext

from actions.models import Action, ActionStatus, EffectResult
from deviations.models import CLOSED_STATUSES, SERIOUS_ASSESSMENTS, Consequence, Deviation
from ledningssystem import access
from ledningssystem.models import Unit


class Median(Aggregate):
    """PostgreSQL's continuous median (percentile_cont), of an interval or a number."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


@dataclass(frozen=True)
class YearPair:
    """One figure for the chosen year and the year before."""

    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def change_percent(self) -> int | None:
        if not self.previous:
            return None
        return round(100 * (self.current - self.previous) / self.previous)


@dataclass(frozen=True)
class Row:
    """A labelled pair of figures: a month, a category, a unit, a consequence."""

    label: str
    figures: YearPair


@dataclass(frozen=True)
class Scope:
    """The units the figures cover: one unit's subtree, or the person's whole scope."""

    condition: Q  # on a ``unit__path`` lookup
    unit: Unit | None
    anchors: list[Unit]


@dataclass
class Statistics:
    year: int
    scope: Scope
    months: list[Row] = field(default_factory=list)
    categories: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    consequences: list[Row] = field(default_factory=list)
    reported: YearPair = YearPair(0, 0)
    lex_sarah: YearPair = YearPair(0, 0)
    serious: YearPair = YearPair(0, 0)
    ivo_notified: YearPair = YearPair(0, 0)
    closed: YearPair = YearPair(0, 0)
    median_days: tuple[float | None, float | None] = (None, None)
    open_actions: int = 0
    overdue_actions: int = 0
    effects: list[Row] = field(default_factory=list)
    effects_total: YearPair = YearPair(0, 0)

    @property
    def previous_year(self) -> int:
        return self.year - 1


def statistics_scope(user: Any, unit: Unit | None) -> Scope:
    """The part of the organisation the figures cover.

    ``unit`` must already be one the person holds VIEW_STATISTICS for (the
    form offers only those); None means everything in their scope.
    """
    if unit is not None:
        return Scope(condition=Q(unit__path__startswith=unit.path), unit=unit, anchors=[unit])
    paths = access.scope_paths(user, access.VIEW_STATISTICS)
    condition = access.path_condition(user, access.VIEW_STATISTICS, "unit__path")
    if condition is None:  # the view refuses such people; be safe anyway
        condition = Q(pk__in=[])
    anchors = list(Unit.objects.filter(path__in=paths).order_by("path"))
    return Scope(condition=condition, unit=anchors[0] if len(anchors) == 1 else None, anchors=anchors)


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime]:
    """Start of the previous year, of ``year`` and of the next year, in local time."""
    tz = timezone.get_default_timezone()
    return (
        datetime.datetime(year - 1, 1, 1, tzinfo=tz),
        datetime.datetime(year, 1, 1, tzinfo=tz),
        datetime.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def _pair(row: dict[str, Any]) -> YearPair:
    return YearPair(row["current"] or 0, row["previous"] or 0)


def _by_year(lookup: str, this_start: Any) -> dict[str, Count]:
    """Two conditional counts, split at the start of the chosen year."""
    return {
        "current": Count("pk", filter=Q(**{f"{lookup}__gte": this_start})),
        "previous": Count("pk", filter=Q(**{f"{lookup}__lt": this_start})),
    }


def _unit_buckets(scope: Scope) -> tuple[Any, list[tuple[str, str]], str | None]:
    """An expression naming, for each deviation, the row it rolls up into.

    With one unit at the top, the rows are its direct children (each with
    its subtree rolled up) and, last, what was reported at the unit itself;
    with several top units, one row per top unit. Returns the expression,
    the (path, label) rows in order and the top unit's own path, if any.
    """
    if scope.unit is not None:
        top = scope.unit
        length = (top.depth + 1) * Unit.steplen
        children = Unit.objects.filter(path__startswith=top.path, depth=top.depth + 1).order_by("path")
        rows = [(child.path, child.name) for child in children]
        rows.append((top.path, gettext("%(unit)s (reported at the unit itself)") % {"unit": top.name}))
        return Substr("unit__path", 1, length), rows, top.path
    whens = [When(unit__path__startswith=a.path, then=Value(a.path)) for a in scope.anchors]
    expression = Case(*whens, default=Value(""), output_field=models.CharField())
    return expression, [(a.path, a.name) for a in scope.anchors], None


def _median_days(qs: models.QuerySet[Deviation], bounds: list[tuple[Any, Any]]) -> list[float | None]:
    """Median days from report to closure for each (start, end) period."""
    duration = ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        medians = qs.aggregate(
            **{
                f"m{i}": Median(
                    duration, filter=Q(closed_at__gte=start, closed_at__lt=end), output_field=DurationField()
                )
                for i, (start, end) in enumerate(bounds)
            }
        )
        values = [medians[f"m{i}"] for i in range(len(bounds))]
    else:
        # No percentile function: count, then read the one or two middle
        # values in duration order. Two queries per period, whatever the volume.
        values = []
        for start, end in bounds:
            period = qs.filter(closed_at__gte=start, closed_at__lt=end)
            n = period.count()
            if not n:
                values.append(None)
                continue
            middle = list(
                period.annotate(duration=duration)
                .order_by("duration")
                .values_list("duration", flat=True)[(n - 1) // 2 : n // 2 + 1]
            )
            values.append(sum(middle, datetime.timedelta()) / len(middle))
    return [None if v is None else round(v.total_seconds() / 86400, 1) for v in values]


def statistics_for_user(user: Any, *, year: int, unit: Unit | None = None) -> Statistics:
    """The statistics page's figures for ``year`` and the year before.

    Assumes the person holds VIEW_STATISTICS (the view checks) and that
    ``unit``, if given, lies in that scope. Counts every deviation in scope,
    lex Sarah reports included: they are aggregates, never rows.
    """
    scope = statistics_scope(user, unit)
    prev_start, this_start, next_start = _year_bounds(year)
    tz = timezone.get_default_timezone()
    deviations = Deviation.objects.filter(scope.condition)
    reported = deviations.filter(reported_at__gte=prev_start, reported_at__lt=next_start).order_by()
    stats = Statistics(year=year, scope=scope)

    per_month = {
        (row["month"].year, row["month"].month): row["n"]
        for row in reported.annotate(month=TruncMonth("reported_at", tzinfo=tz)).values("month").annotate(n=Count("pk"))
    }
    stats.months = [
        Row(str(MONTHS_3[m]), YearPair(per_month.get((year, m), 0), per_month.get((year - 1, m), 0)))
        for m in range(1, 13)
    ]

    counts = _by_year("reported_at", this_start)
    stats.categories = [
        Row(row["category__name"], _pair(row))
        for row in reported.values("category__name", "category__sort_order")
        .annotate(**counts)
        .order_by("category__sort_order", "category__name")
    ]

    by_consequence = {row["consequence"]: _pair(row) for row in reported.values("consequence").annotate(**counts)}
    stats.consequences = [
        Row(str(label), by_consequence.get(value, YearPair(0, 0))) for value, label in Consequence.choices
    ]

    bucket, unit_rows, own_path = _unit_buckets(scope)
    by_bucket = {
        row["bucket"]: _pair(row) for row in reported.annotate(bucket=bucket).values("bucket").annotate(**counts)
    }
    for path, label in unit_rows:
        figures = by_bucket.get(path, YearPair(0, 0))
        # The top unit's own row only when something was reported there, or it has no units below.
        if path == own_path and not (figures.current or figures.previous) and len(unit_rows) > 1:
            continue
        stats.units.append(Row(label, figures))

    prev_day, this_day, next_day = (d.date() for d in (prev_start, this_start, next_start))
    in_year = Q(reported_at__gte=prev_start, reported_at__lt=next_start)
    notified = Q(ivo_notified_on__gte=prev_day, ivo_notified_on__lt=next_day)
    lex = Q(is_lex_sarah=True)
    serious = lex & Q(assessment__in=SERIOUS_ASSESSMENTS)
    totals = deviations.filter(in_year | notified).aggregate(
        reported_current=Count("pk", filter=Q(reported_at__gte=this_start, reported_at__lt=next_start)),
        reported_previous=Count("pk", filter=Q(reported_at__gte=prev_start, reported_at__lt=this_start)),
        lex_current=Count("pk", filter=lex & Q(reported_at__gte=this_start, reported_at__lt=next_start)),
        lex_previous=Count("pk", filter=lex & Q(reported_at__gte=prev_start, reported_at__lt=this_start)),
        serious_current=Count("pk", filter=serious & Q(reported_at__gte=this_start, reported_at__lt=next_start)),
        serious_previous=Count("pk", filter=serious & Q(reported_at__gte=prev_start, reported_at__lt=this_start)),
        ivo_current=Count("pk", filter=Q(ivo_notified_on__gte=this_day, ivo_notified_on__lt=next_day)),
        ivo_previous=Count("pk", filter=Q(ivo_notified_on__gte=prev_day, ivo_notified_on__lt=this_day)),
    )
    stats.reported = YearPair(totals["reported_current"], totals["reported_previous"])
    stats.lex_sarah = YearPair(totals["lex_current"], totals["lex_previous"])
    stats.serious = YearPair(totals["serious_current"], totals["serious_previous"])
    stats.ivo_notified = YearPair(totals["ivo_current"], totals["ivo_previous"])

    closed = deviations.filter(
        status__in=CLOSED_STATUSES, closed_at__gte=prev_start, closed_at__lt=next_start
    ).order_by()
    stats.closed = _pair(closed.aggregate(**_by_year("closed_at", this_start)))
    current_median, previous_median = _median_days(closed, [(this_start, next_start), (prev_start, this_start)])
    stats.median_days = (current_median, previous_median)

    actions = Action.objects.filter(scope.condition).order_by()
    stats.open_actions = actions.open().count()
    stats.overdue_actions = actions.overdue().count()
    by_result = {
        row["effect_result"]: _pair(row)
        for row in actions.filter(
            status=ActionStatus.DONE,
            effect_recorded_at__gte=prev_start,
            effect_recorded_at__lt=next_start,
        )
        .exclude(effect_result="")
        .values("effect_result")
        .annotate(**_by_year("effect_recorded_at", this_start))
    }
    stats.effects = [Row(str(label), by_result.get(value, YearPair(0, 0))) for value, label in EffectResult.choices]
    stats.effects_total = YearPair(
        sum(r.figures.current for r in stats.effects), sum(r.figures.previous for r in stats.effects)
    )
    return stats
