"""Aggregated statistics over deviations and actions for a part of the organisation.

Everything here returns counts and medians only, never rows: the statistics
page is read by committee members, who must learn nothing about individual
cases. The number of queries is fixed (a handful of GROUP BYs) whatever the
amount of data.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import Aggregate, Case, Count, DurationField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext

from actions.models import Action, ActionStatus, EffectResult
from deviations.models import CLOSED_STATUSES, SERIOUS_ASSESSMENTS, Category, Consequence, Deviation
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


def _closed_figures(
    closed: models.QuerySet[Deviation], this_start: Any, periods: list[tuple[Any, Any]]
) -> tuple[YearPair, tuple[float | None, float | None]]:
    """How many deviations were closed in each year, and the median days from report to closure.

    ``closed`` is already limited to closed deviations in the two years;
    ``periods`` are the (start, end) of the chosen year and the year before.
    """
    duration = ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())
    counts = _by_year("closed_at", this_start)
    if connection.vendor == "postgresql":
        medians = {
            f"median{i}": Median(
                duration, filter=Q(closed_at__gte=start, closed_at__lt=end), output_field=DurationField()
            )
            for i, (start, end) in enumerate(periods)
        }
        row = closed.aggregate(**counts, **medians)
        values = [row[f"median{i}"] for i in range(len(periods))]
    else:
        # No percentile function: read the one or two middle values in
        # duration order. One query per year, whatever the volume.
        row = closed.aggregate(**counts)
        values = []
        for (start, end), n in zip(periods, (row["current"], row["previous"]), strict=True):
            if not n:
                values.append(None)
                continue
            middle = list(
                closed.filter(closed_at__gte=start, closed_at__lt=end)
                .annotate(duration=duration)
                .order_by("duration")
                .values_list("duration", flat=True)[(n - 1) // 2 : n // 2 + 1]
            )
            values.append(sum(middle, datetime.timedelta()) / len(middle))
    days = [None if v is None else round(v.total_seconds() / 86400, 1) for v in values]
    return _pair(row), (days[0], days[1])


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

    # One pass over the two years' reports gives months, categories,
    # consequences, units and the lex Sarah counts; Python adds them up.
    # The rows grow with months × categories × consequences × units, never with reports.
    bucket, unit_rows, own_path = _unit_buckets(scope)
    lex = Q(is_lex_sarah=True)
    cube = (
        reported.annotate(month=TruncMonth("reported_at", tzinfo=tz), bucket=bucket)
        .values("month", "category_id", "consequence", "bucket")
        .annotate(
            n=Count("pk"),
            lex=Count("pk", filter=lex),
            serious=Count("pk", filter=lex & Q(assessment__in=SERIOUS_ASSESSMENTS)),
        )
    )
    per_month: dict[tuple[int, int], int] = defaultdict(int)
    per_category: dict[tuple[int, int], int] = defaultdict(int)
    per_consequence: dict[tuple[int, str], int] = defaultdict(int)
    per_bucket: dict[tuple[int, str], int] = defaultdict(int)
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for row in cube:
        y, n = row["month"].year, row["n"]
        per_month[(y, row["month"].month)] += n
        per_category[(y, row["category_id"])] += n
        per_consequence[(y, row["consequence"])] += n
        per_bucket[(y, row["bucket"])] += n
        for key in ("n", "lex", "serious"):
            totals[(y, key)] += row[key]

    def pair(counts: dict[tuple[int, Any], int], key: Any) -> YearPair:
        return YearPair(counts.get((year, key), 0), counts.get((year - 1, key), 0))

    stats.months = [Row(str(MONTHS_3[m]), pair(per_month, m)) for m in range(1, 13)]
    used = {key for _y, key in per_category}
    stats.categories = [Row(c.name, pair(per_category, c.pk)) for c in Category.objects.filter(pk__in=used)]
    stats.consequences = [Row(str(label), pair(per_consequence, value)) for value, label in Consequence.choices]
    for path, label in unit_rows:
        figures = pair(per_bucket, path)
        # The top unit's own row only when something was reported there, or it has no units below.
        if path == own_path and not (figures.current or figures.previous) and len(unit_rows) > 1:
            continue
        stats.units.append(Row(label, figures))
    stats.reported = pair(totals, "n")
    stats.lex_sarah = pair(totals, "lex")
    stats.serious = pair(totals, "serious")

    prev_day, this_day, next_day = (d.date() for d in (prev_start, this_start, next_start))
    ivo = deviations.filter(ivo_notified_on__gte=prev_day, ivo_notified_on__lt=next_day).aggregate(
        current=Count("pk", filter=Q(ivo_notified_on__gte=this_day)),
        previous=Count("pk", filter=Q(ivo_notified_on__lt=this_day)),
    )
    stats.ivo_notified = _pair(ivo)

    closed = deviations.filter(
        status__in=CLOSED_STATUSES, closed_at__gte=prev_start, closed_at__lt=next_start
    ).order_by()
    stats.closed, stats.median_days = _closed_figures(
        closed, this_start, [(this_start, next_start), (prev_start, this_start)]
    )

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
