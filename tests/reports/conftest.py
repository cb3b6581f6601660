"""Deviations and actions made straight through the ORM, with chosen timestamps.

Statistics read what is stored; the services' own rules are tested
elsewhere, and building rows directly lets a test place a report on either
side of a year boundary.
"""

from __future__ import annotations

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from actions.models import Action
from deviations.models import Category, Deviation

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_numbers = itertools.count(1)


def local(*args: int) -> datetime.datetime:
    """An aware datetime in Stockholm time: local(2025, 1, 1, 0, 30)."""
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


def deviation(org, unit, reported_at: datetime.datetime, *, category=None, **fields) -> Deviation:
    return Deviation.objects.create(
        reference=f"AVV-TEST-{next(_numbers):05}",
        unit=unit,
        reported_by=org.staff_a,
        reported_at=reported_at,
        occurred_at=reported_at,
        description="Händelse",
        category=category or Category.objects.order_by("sort_order", "name").first(),
        consequence=fields.pop("consequence", "minor"),
        **fields,
    )


def action(org, unit, *, source: Deviation, due_date: datetime.date, **fields) -> Action:
    return Action.objects.create(
        title="Åtgärd",
        owner=org.manager_a,
        created_by=org.manager_a,
        unit=unit,
        due_date=due_date,
        source_type=ContentType.objects.get_for_model(Deviation),
        source_id=source.pk,
        **fields,
    )


@pytest.fixture(autouse=True)
def _swedish():
    """Selectors called outside a request label rows in the active language: Swedish, as the UI."""
    with translation.override("sv"):
        yield
