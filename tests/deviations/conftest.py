from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from deviations import services
from deviations.models import Category, Deviation


def report(
    org,
    reporter: str = "staff_a",
    unit=None,
    *,
    lex: bool = False,
    text: str = "Fallolycka i badrummet",
    days_ago: int = 1,
) -> Deviation:
    return services.deviation_report(
        by=org.people[reporter],
        unit=unit or org.unit_a,
        occurred_at=timezone.now() - datetime.timedelta(days=days_ago),
        description=text,
        immediate_measures="",
        category=Category.objects.filter(is_active=True).first(),
        consequence="minor",
        client_affected=True,
        is_lex_sarah=lex,
    )


@pytest.fixture
def deviation_a(org) -> Deviation:
    return report(org)


@pytest.fixture
def lex_a(org) -> Deviation:
    return report(org, lex=True, text="Brukaren har lämnats utan mat")


@pytest.fixture
def deviation_b(org) -> Deviation:
    return report(org, "staff_b", org.unit_b)
