"""The statistics page: figures, scope, filters and a fixed number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deviations.models import Category, Status
from reports.selectors import YearPair, statistics_for_user
from tests.reports.conftest import action, deviation, local

URL = reverse("reports:statistics")


def figures(rows) -> dict[str, tuple[int, int]]:
    return {row.label: (row.figures.current, row.figures.previous) for row in rows}


# --- Figures ------------------------------------------------------------------


def test_months_follow_stockholm_time_across_year_boundaries(org) -> None:
    # Each of these lies in a different month (or year) in UTC than in Stockholm.
    deviation(org, org.unit_a, local(2024, 12, 31, 23, 30))  # Dec 2024
    deviation(org, org.unit_a, local(2025, 1, 1, 0, 30))  # Jan 2025 (31 Dec in UTC)
    deviation(org, org.unit_a, local(2025, 5, 1, 0, 30))  # May 2025 (30 April in UTC, summer time)
    deviation(org, org.unit_a, local(2025, 12, 31, 23, 30))  # Dec 2025
    deviation(org, org.unit_a, local(2026, 1, 1, 0, 15))  # 2026: not in either year
    deviation(org, org.unit_a, local(2023, 12, 31, 23, 59))  # 2023: not in either year

    stats = statistics_for_user(org.committee, year=2025)

    months = [(row.figures.current, row.figures.previous) for row in stats.months]
    assert months[0] == (1, 0)  # January
    assert months[3] == (0, 0)  # April
    assert months[4] == (1, 0)  # May
    assert months[11] == (1, 1)  # December, both years
    assert sum(m[0] for m in months) == 3
    assert sum(m[1] for m in months) == 1
    assert stats.reported == YearPair(3, 1)


def test_categories_and_consequences_count_each_year(org) -> None:
    first, second = Category.objects.order_by("sort_order", "name")[:2]
    deviation(org, org.unit_a, local(2025, 3, 1, 12), category=first, consequence="major")
    deviation(org, org.unit_a, local(2025, 4, 1, 12), category=first, consequence="minor")
    deviation(org, org.unit_b, local(2024, 4, 1, 12), category=second, consequence="major")

    stats = statistics_for_user(org.committee, year=2025)

    assert figures(stats.categories) == {first.name: (2, 0), second.name: (0, 1)}
    by_consequence = figures(stats.consequences)
    assert by_consequence["Allvarlig"] == (1, 1)
    assert by_consequence["Lindrig"] == (1, 0)
    assert by_consequence["Vet inte"] == (0, 0)  # every consequence has a row, in the taxonomy's order
    assert next(iter(by_consequence)) == "Vet inte"


def test_units_roll_up_their_subtree(org) -> None:
    when = local(2025, 6, 1, 12)
    deviation(org, org.unit_a, when)
    deviation(org, org.unit_a, when)
    deviation(org, org.unit_a2, when)
    deviation(org, org.section_1, when)  # reported at the section itself
    deviation(org, org.unit_b, local(2024, 6, 1, 12))

    whole = statistics_for_user(org.committee, year=2025)
    assert figures(whole.units) == {"Socialförvaltningen": (4, 1)}

    admin = statistics_for_user(org.committee, year=2025, unit=org.administration)
    assert figures(admin.units) == {"Sektion Ett": (4, 0), "Sektion Två": (0, 1)}

    section = statistics_for_user(org.committee, year=2025, unit=org.section_1)
    assert figures(section.units) == {
        "Enhet A": (2, 0),
        "Enhet A2": (1, 0),
        "Sektion Ett (rapporterat direkt till enheten)": (1, 0),
    }
    assert section.reported == YearPair(4, 0)

    leaf = statistics_for_user(org.committee, year=2025, unit=org.unit_a)
    assert figures(leaf.units) == {"Enhet A (rapporterat direkt till enheten)": (2, 0)}


def test_lex_sarah_serious_and_ivo(org) -> None:
    deviation(org, org.unit_a, local(2025, 2, 1, 9), is_lex_sarah=True, assessment="serious")
    deviation(
        org,
        org.unit_a,
        local(2025, 3, 1, 9),
        is_lex_sarah=True,
        assessment="serious_risk",
        ivo_notified_on=datetime.date(2025, 3, 10),
    )
    deviation(org, org.unit_a, local(2025, 4, 1, 9), is_lex_sarah=True, assessment="risk")
    # Reported in December 2024, IVO notified in January 2025: each counts in its own year.
    deviation(
        org,
        org.unit_a2,
        local(2024, 12, 20, 9),
        is_lex_sarah=True,
        assessment="serious",
        ivo_notified_on=datetime.date(2025, 1, 5),
    )
    deviation(org, org.unit_a, local(2025, 4, 1, 9))  # not lex Sarah
    deviation(org, org.unit_a, local(2025, 5, 1, 9), assessment="serious")  # not lex Sarah: not counted as serious

    stats = statistics_for_user(org.committee, year=2025)

    assert stats.lex_sarah == YearPair(3, 1)
    assert stats.serious == YearPair(2, 1)
    assert stats.ivo_notified == YearPair(2, 0)
    assert stats.reported == YearPair(5, 1)


def test_median_days_from_report_to_closure(org) -> None:
    def closed(reported, days, status=Status.CLOSED):
        deviation(org, org.unit_a, reported, status=status, closed_at=reported + datetime.timedelta(days=days))

    closed(local(2025, 1, 10, 8), 2)
    closed(local(2025, 2, 10, 8), 10)
    closed(local(2025, 3, 10, 8), 4, Status.CLOSED_NO_ACTION)
    closed(local(2024, 12, 30, 8), 3)  # closed 2 January 2025: counts in 2025, reported in 2024
    closed(local(2024, 3, 1, 8), 1)
    closed(local(2024, 4, 1, 8), 2)  # 2024: 1 and 2 days → median 1.5
    closed(local(2025, 12, 31, 8), 30)  # closed in 2026: in neither year
    # Closed once, then reopened: no longer closed.
    deviation(org, org.unit_a, local(2025, 1, 1, 8), status=Status.INVESTIGATING, closed_at=None)
    # Outside manager A's scope: a very long case must not move their median.
    deviation(org, org.unit_b, local(2025, 1, 1, 8), status=Status.CLOSED, closed_at=local(2025, 12, 1, 8))

    stats = statistics_for_user(org.manager_a, year=2025)

    assert stats.closed == YearPair(4, 2)
    assert stats.median_days == (3.5, 1.5)  # 2, 3, 4, 10 days → (3 + 4) / 2


def test_median_odd_count_and_none(org) -> None:
    for days in (1, 5, 9):
        reported = local(2025, 6, 1, 8)
        deviation(org, org.unit_a, reported, status=Status.CLOSED, closed_at=reported + datetime.timedelta(days=days))
    stats = statistics_for_user(org.manager_a, year=2025)
    assert stats.median_days == (5.0, None)


def test_actions_open_overdue_and_effects(org) -> None:
    source = deviation(org, org.unit_a, local(2025, 1, 1, 8))
    today = timezone.localdate()
    action(org, org.unit_a, source=source, due_date=today + datetime.timedelta(days=10))
    action(org, org.unit_a, source=source, due_date=today - datetime.timedelta(days=1), status="in_progress")
    action(org, org.unit_a, source=source, due_date=today - datetime.timedelta(days=5), status="cancelled")

    def done(result, recorded_at):
        action(
            org,
            org.unit_a,
            source=source,
            due_date=datetime.date(2025, 1, 1),
            status="done",
            effect_result=result,
            effect_recorded_at=recorded_at,
        )

    done("effective", local(2025, 1, 1, 0, 30))
    done("partly", local(2025, 8, 1, 12))
    done("not_effective", local(2024, 12, 31, 23, 30))
    action(org, org.unit_a, source=source, due_date=datetime.date(2025, 1, 1), status="done")  # effect pending
    # Outside manager A's scope.
    action(org, org.unit_b, source=source, due_date=today - datetime.timedelta(days=3))
    done_b = action(org, org.unit_b, source=source, due_date=datetime.date(2025, 1, 1), status="done")
    done_b.effect_result = "effective"
    done_b.effect_recorded_at = local(2025, 5, 1, 12)
    done_b.save()

    stats = statistics_for_user(org.manager_a, year=2025)

    assert stats.open_actions == 2
    assert stats.overdue_actions == 1
    assert figures(stats.effects) == {
        "Verkningsfull": (1, 0),
        "Delvis verkningsfull": (1, 0),
        "Inte verkningsfull": (0, 1),
    }
    assert stats.effects_total == YearPair(2, 1)

    committee = statistics_for_user(org.committee, year=2025)
    assert committee.open_actions == 3
    assert committee.overdue_actions == 2
    assert committee.effects_total == YearPair(3, 1)


# --- Scope --------------------------------------------------------------------


def test_units_outside_scope_are_neither_shown_nor_counted(org, client_for) -> None:
    first = Category.objects.order_by("sort_order", "name").first()
    deviation(org, org.unit_a, local(2025, 6, 1, 12), category=first, consequence="minor")
    other = Category.objects.create(name="Bara i Enhet B", sort_order=1)
    deviation(
        org,
        org.unit_b,
        local(2025, 6, 1, 12),
        category=other,
        consequence="catastrophic",
        is_lex_sarah=True,
        assessment="serious",
        ivo_notified_on=datetime.date(2025, 6, 2),
    )

    stats = statistics_for_user(org.manager_a, year=2025)
    assert stats.reported == YearPair(1, 0)
    assert stats.lex_sarah == YearPair(0, 0)
    assert stats.ivo_notified == YearPair(0, 0)
    assert figures(stats.categories) == {first.name: (1, 0)}
    assert figures(stats.consequences)["Mycket allvarlig"] == (0, 0)

    body = client_for("manager_a").get(URL, {"year": 2025}).content.decode()
    assert "Enhet B" not in body
    assert "Bara i Enhet B" not in body

    section = statistics_for_user(org.section_head, year=2025)
    assert section.reported == YearPair(1, 0)
    assert figures(section.units) == {"Enhet A": (1, 0), "Enhet A2": (0, 0)}


def test_a_person_with_several_top_units_sees_one_row_per_unit(org) -> None:
    from tests.factories import assign

    assign(org.manager_a, "enhetschef", org.unit_b)
    deviation(org, org.unit_a, local(2025, 6, 1, 12))
    deviation(org, org.unit_b, local(2025, 6, 1, 12))
    deviation(org, org.unit_b, local(2024, 6, 1, 12))
    deviation(org, org.unit_a2, local(2025, 6, 1, 12))  # not theirs

    stats = statistics_for_user(org.manager_a, year=2025)

    assert stats.scope.unit is None
    assert figures(stats.units) == {"Enhet A": (1, 0), "Enhet B": (1, 1)}
    assert stats.reported == YearPair(2, 1)


def test_a_unit_outside_scope_is_refused_at_the_field(org, client_for) -> None:
    deviation(org, org.unit_a, local(2025, 6, 1, 12))
    deviation(org, org.unit_b, local(2025, 6, 1, 12))
    response = client_for("manager_a").get(URL, {"unit": org.unit_b.pk, "year": 2025})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["unit"] == ["Välj en av enheterna i listan."]
    stats = response.context["stats"]
    assert stats.year == 2025  # the valid filter still applies
    assert stats.reported == YearPair(1, 0)  # and the figures are manager A's own scope
    assert "Enhet B" not in response.content.decode()


def test_committee_sees_aggregates_and_nothing_below_them(org, client_for) -> None:
    case = deviation(org, org.unit_a, local(2025, 6, 1, 12), is_lex_sarah=True, assessment="serious")
    action(org, org.unit_a, source=case, due_date=datetime.date(2025, 7, 1))
    for persona in ("committee", "secretary", "manager_a", "director"):
        response = client_for(persona).get(URL, {"year": 2025})
        assert response.status_code == 200
        body = response.content.decode().split('<main id="main"')[1].split("</main>")[0]
        assert case.reference not in body
        assert "/deviations/" not in body
        assert "/actions/" not in body
        assert "Händelse" not in body  # the description
        assert response.context["stats"].lex_sarah == YearPair(1, 0)


# --- The page -----------------------------------------------------------------


def test_page_has_accessible_charts_with_tables(org, client_for) -> None:
    deviation(org, org.unit_a, local(2025, 6, 1, 12))
    response = client_for("committee").get(URL, {"year": 2025})
    body = response.content.decode()
    assert response.status_code == 200
    charts = re.findall(r'<svg class="chart" [^>]*role="img" aria-labelledby="([\w-]+)-title \1-desc"', body)
    assert charts == ["chart-months", "chart-categories", "chart-units", "chart-consequences", "chart-effects"]
    for chart in charts:
        assert f'<title id="{chart}-title">' in body
        assert f'<desc id="{chart}-desc">' in body
    assert body.count("<table") == 6  # the key figures and one per chart
    assert " style=" not in body  # the CSP forbids inline styles
    assert '<h1 class="h2">Statistik</h1>' in body


def test_svg_numbers_are_not_localised(org, client_for, settings) -> None:
    # A Swedish decimal comma inside an SVG attribute would break the chart.
    for _ in range(3):
        deviation(org, org.unit_a, local(2025, 6, 1, 12))
    body = client_for("committee").get(URL, {"year": 2025}).content.decode()
    for svg in re.findall(r'<svg class="chart".*?</svg>', body, re.S):
        assert not re.search(r'(?:x|y|width|height|x1|x2|y1|y2)="[^"]*,', svg)


def test_change_column(org, client_for) -> None:
    for month in (1, 2, 3):
        deviation(org, org.unit_a, local(2025, month, 1, 12))
    for month in (1, 2):
        deviation(org, org.unit_a, local(2024, month, 1, 12))
    body = client_for("committee").get(URL, {"year": 2025}).content.decode()
    assert "+1 (+50 %)" in body


def test_default_year_is_the_current_year(org, client_for) -> None:
    with time_machine.travel(local(2027, 1, 1, 0, 10), tick=False):  # still 2026 in UTC
        response = client_for("committee").get(URL)
    assert response.context["stats"].year == 2027
    assert response.context["stats"].previous_year == 2026


@pytest.mark.parametrize(
    ("year", "error"),
    [
        ("tjugo", "Ange ett år med fyra siffror, till exempel 2025."),
        ("1999", "Välj ett år från 2000 till"),
        ("3000", "Välj ett år från 2000 till"),
    ],
)
def test_bad_year_shows_a_swedish_error_and_the_unit_still_applies(org, client_for, year, error) -> None:
    deviation(org, org.unit_a, local(2025, 6, 1, 12))
    deviation(org, org.unit_b, local(2025, 6, 1, 12))
    response = client_for("committee").get(URL, {"year": year, "unit": org.section_1.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["year"][0].startswith(error)
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    stats = response.context["stats"]
    assert stats.scope.unit == org.section_1
    assert stats.year == timezone.localdate().year


def test_navigation_offers_statistics_to_those_who_may_see_them(org, client_for) -> None:
    assert f'href="{URL}"' in client_for("committee").get(reverse("home")).content.decode()
    assert f'href="{URL}"' in client_for("manager_a").get(reverse("home")).content.decode()
    assert f'href="{URL}"' not in client_for("staff_a").get(reverse("home")).content.decode()
    assert f'href="{URL}"' not in client_for("admin").get(reverse("home")).content.decode()


# --- Cost ---------------------------------------------------------------------


def _grow(org, n: int) -> None:
    categories = list(Category.objects.all()[:3])
    units = [org.unit_a, org.unit_a2, org.unit_b, org.section_1]
    for i in range(n):
        when = local(2024 + i % 2, 1 + i % 12, 1 + i % 28, 12)
        case = deviation(
            org,
            units[i % len(units)],
            when,
            category=categories[i % len(categories)],
            is_lex_sarah=i % 5 == 0,
            assessment="serious" if i % 10 == 0 else "",
            ivo_notified_on=when.date() if i % 10 == 0 else None,
            status=Status.CLOSED if i % 3 == 0 else Status.REPORTED,
            closed_at=when + datetime.timedelta(days=i % 17) if i % 3 == 0 else None,
        )
        action(org, case.unit, source=case, due_date=when.date(), status="planned")


def _count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"year": 2025}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["committee", "manager_a"])
def test_query_count_does_not_grow_with_data(org, client_for, django_assert_max_num_queries, persona) -> None:
    client = client_for(persona)
    _grow(org, 5)
    few = _count(client)
    _grow(org, 45)
    # session, person, scope anchors, the scope's top units, the child units,
    # one GROUP BY for months/categories/consequences/units/lex Sarah, the
    # categories' names, IVO notifications, closures with the median (on
    # SQLite plus one query per year for the middle values), open actions,
    # overdue actions, effects, the unit list of the filter, the unread
    # notification count in the menu, the session save.
    with django_assert_max_num_queries(few):
        assert client.get(URL, {"year": 2025}).status_code == 200
    assert few <= 19


@pytest.mark.parametrize(
    ("value", "step"), [(0, 1), (3, 1), (4, 1), (5, 2), (7, 2), (9, 5), (20, 5), (21, 10), (100, 25), (1234, 500)]
)
def test_month_chart_axis_steps_are_round_and_reach_the_top(value, step) -> None:
    from reports.charts import nice_step

    assert nice_step(value) == step
    assert 4 * step >= value
