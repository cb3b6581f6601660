"""manage.py generate_deviations: consistent, continuable, deterministic test data."""

from __future__ import annotations

import io
import re
from collections import defaultdict

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone

from actions.models import OPEN_ACTION_STATUSES, Action, ActionStatus
from deviations.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    SERIOUS_ASSESSMENTS,
    Deviation,
    IdentifiedCause,
    ReferenceCounter,
    Status,
)
from ledningssystem import access
from ledningssystem.models import RoleAssignment
from tests.deviations.conftest import report

COUNT = 300


def generate(**options) -> str:
    out = io.StringIO()
    options = {"deviations": COUNT, "seed": 7, "lex_share": 0.1, "batch_size": 64, **options}
    call_command("generate_deviations", stdout=out, **options)
    return out.getvalue()


def snapshot() -> list[tuple]:
    deviations = list(
        Deviation.objects.order_by("reference").values_list(
            "reference",
            "unit__name",
            "reported_by__username",
            "reported_at",
            "category__name",
            "consequence",
            "status",
            "closed_at",
            "is_lex_sarah",
            "assessment",
            "ivo_reference",
        )
    )
    actions = list(
        Action.objects.order_by("created_at", "title", "due_date", "owner__username").values_list(
            "title", "owner__username", "due_date", "status", "effect_result"
        )
    )
    return deviations + actions


@pytest.fixture
def generated(org) -> str:
    return generate()


@pytest.mark.django_db
def test_counts_and_references(generated) -> None:
    assert f"Generated {COUNT:,} deviations" in generated
    references = list(Deviation.objects.values_list("reference", flat=True))
    assert len(references) == COUNT == len(set(references))
    numbers: dict[int, list[int]] = defaultdict(list)
    for reference in references:
        match = re.fullmatch(r"AVV-(\d{4})-(\d{5})", reference)
        assert match, reference
        numbers[int(match[1])].append(int(match[2]))
    assert len(numbers) >= 5  # spread over five years (the first is partial)
    for year, used in numbers.items():
        assert sorted(used) == list(range(1, len(used) + 1))
        assert ReferenceCounter.objects.get(prefix="AVV", year=year).last_value == max(used)
    # History: one creation row per deviation, saying where it came from.
    assert Deviation.history.filter(history_change_reason="demo.loaded").count() == COUNT


@pytest.mark.django_db
def test_a_new_report_continues_the_counter(org, generated) -> None:
    year = timezone.localdate().year
    used = [
        int(r[-5:])
        for r in Deviation.objects.filter(reference__startswith=f"AVV-{year}-").values_list("reference", flat=True)
    ]
    new = report(org)
    assert new.reference == f"AVV-{year}-{max(used, default=0) + 1:05d}"


@pytest.mark.django_db
def test_statuses_agree_with_dates(generated) -> None:
    now = timezone.now()
    statuses = set()
    for d in Deviation.objects.all():
        statuses.add(d.status)
        assert d.occurred_at <= d.reported_at <= now
        moments = [d.reported_at, d.received_at, d.investigation_started_at, d.closed_at]
        present = [m for m in moments if m is not None]
        assert present == sorted(present), d.reference
        assert (d.received_at is None) == (d.status == Status.REPORTED)
        assert (d.closed_at is not None) == (d.status in CLOSED_STATUSES)
        if d.status in (Status.INVESTIGATING, Status.ACTING, Status.FOLLOW_UP, Status.CLOSED):
            assert d.investigation_started_at is not None
            assert d.handler_id is not None
        if d.status in CLOSED_STATUSES:
            assert d.conclusion
    assert set(CLOSED_STATUSES) < statuses and len(statuses & set(OPEN_STATUSES)) >= 2
    # Old reports are mostly closed; the newest are much more often open.
    by_age = list(Deviation.objects.order_by("reported_at").values_list("status", flat=True))
    oldest, newest = by_age[: COUNT // 3], by_age[-10:]
    assert sum(s in CLOSED_STATUSES for s in oldest) > 0.85 * len(oldest)
    assert sum(s in OPEN_STATUSES for s in newest) >= 3


@pytest.mark.django_db
def test_reporters_and_owners_belong_to_the_unit(generated) -> None:
    active = set(RoleAssignment.objects.active().values_list("person_id", "unit_id"))
    for d in Deviation.objects.select_related("reported_by", "unit"):
        assert (d.reported_by_id, d.unit_id) in active
        assert access.has_capability(d.reported_by, access.REPORT_DEVIATIONS, d.unit)
        if d.handler_id:
            capability = access.HANDLE_LEX_SARAH if d.is_lex_sarah else access.HANDLE_DEVIATIONS
            assert access.has_capability(d.handler, capability, d.unit)
    for a in Action.objects.all():
        assert (a.owner_id, a.unit_id) in active


@pytest.mark.django_db
def test_actions_address_their_deviations_causes(generated) -> None:
    deviation_type = ContentType.objects.get_for_model(Deviation)
    deviations = {d.pk: d for d in Deviation.objects.all()}
    actions = list(Action.objects.prefetch_related("causes"))
    assert len(actions) > COUNT // 4
    assert IdentifiedCause.objects.count() > COUNT // 4
    by_deviation = defaultdict(list)
    for a in actions:
        assert a.source_type_id == deviation_type.pk
        deviation = deviations[a.source_id]
        by_deviation[deviation.pk].append(a)
        assert a.unit_id == deviation.unit_id
        assert a.is_restricted == deviation.is_lex_sarah
        causes = list(a.causes.all())
        assert causes and all(c.deviation_id == deviation.pk for c in causes)
        assert a.created_at >= deviation.investigation_started_at
        if a.effect_result:
            assert a.status == ActionStatus.DONE and a.effect_recorded_at >= a.completed_at
    for pk, own in by_deviation.items():
        status = deviations[pk].status
        if status == Status.ACTING:
            assert any(a.status in OPEN_ACTION_STATUSES for a in own)
        if status == Status.FOLLOW_UP:
            assert all(a.status not in OPEN_ACTION_STATUSES for a in own)
        if status == Status.CLOSED:
            assert all(a.is_finished for a in own)
    assert {a.status for a in actions} == set(ActionStatus.values)


@pytest.mark.django_db
def test_lex_sarah_cases_are_assessed_and_serious_ones_notified(generated) -> None:
    lex = list(Deviation.objects.filter(is_lex_sarah=True))
    assert len(lex) > 10
    for d in lex:
        assert d.protective_measures and d.protective_measures_at >= d.reported_at
        assert d.status != Status.CLOSED_NO_ACTION
        if d.status == Status.CLOSED:
            assert d.assessment
        if d.assessment:
            assert d.assessed_at >= d.investigation_started_at and d.assessed_by_id
        if d.status == Status.CLOSED and d.assessment in SERIOUS_ASSESSMENTS:
            assert d.ivo_notified_on >= timezone.localtime(d.assessed_at).date()
            assert d.ivo_reference and d.ivo_decided_by_id
        if d.ivo_notified_on:
            assert d.assessment in SERIOUS_ASSESSMENTS
    assert any(d.ivo_notified_on for d in lex)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data(org) -> None:
    generate()
    first = snapshot()
    Action.objects.all().delete()
    Deviation.objects.all().delete()
    ReferenceCounter.objects.all().delete()
    generate()
    assert snapshot() == first
    Action.objects.all().delete()
    Deviation.objects.all().delete()
    ReferenceCounter.objects.all().delete()
    generate(seed=8)
    assert snapshot() != first


@pytest.mark.django_db
def test_refused_under_production(org, settings) -> None:
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        generate()
    assert not Deviation.objects.exists()


@pytest.mark.django_db
def test_says_when_the_organisation_is_missing() -> None:
    with pytest.raises(CommandError, match=r"No organisation found.*load_demo"):
        generate()
    assert not ReferenceCounter.objects.exists()
