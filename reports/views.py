"""Reports and statistics: aggregates for the person's scope, never single cases."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ledningssystem import access
from reports import charts, selectors
from reports.forms import StatisticsForm


def statistics(request: HttpRequest) -> HttpResponse:
    """Deviations, lex Sarah and actions in figures, for a unit's subtree and a year."""
    if not access.has_capability(request.user, access.VIEW_STATISTICS):
        raise PermissionDenied
    units = (
        access.units_for_user(request.user, access.VIEW_STATISTICS)
        .filter(is_active=True)
        .select_related("parent")
        .order_by("path")
    )
    form = StatisticsForm(request.GET or None, units=units)
    form.is_valid()  # a bad value shows as an error at its filter; the valid filters still apply
    data = getattr(form, "cleaned_data", {})
    year = data.get("year") or timezone.localdate().year
    stats = selectors.statistics_for_user(request.user, year=year, unit=data.get("unit"))
    return render(
        request,
        "reports/statistics.html",
        {
            "form": form,
            "stats": stats,
            "month_chart": charts.month_chart(stats.months),
            "category_chart": charts.horizontal_chart(stats.categories),
            "unit_chart": charts.horizontal_chart(stats.units),
            "consequence_chart": charts.horizontal_chart(stats.consequences),
            "effect_chart": charts.horizontal_chart(stats.effects),
        },
    )
