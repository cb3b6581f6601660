"""The action loop on a deviation: causes → actions → done → effect → closed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import services as action_services
from actions.models import Action, ActionStatus
from deviations import services
from deviations.models import CauseCategory, DeviationSettings, Status
from ledningssystem.services import ConflictError, DomainError
from tests.deviations.conftest import report


def investigating(org, **kwargs):
    deviation = report(org, **kwargs)
    deviation = services.deviation_receive(deviation=deviation, by=org.manager_a, version=None)
    return services.deviation_start_investigation(deviation=deviation, by=org.manager_a, version=None)


def add_cause(org, deviation, text="Rutinen för läkemedel är oklar"):
    return services.cause_add(
        deviation=deviation, by=org.manager_a, category=CauseCategory.objects.first(), description=text
    )


def add_action(org, deviation, causes, **extra):
    values = {
        "source": deviation,
        "by": org.manager_a,
        "title": "Uppdatera läkemedelsrutinen",
        "description": "",
        "owner": org.staff_a,
        "unit": deviation.unit,
        "due_date": timezone.localdate() + datetime.timedelta(days=14),
        "effect_planned_on": timezone.localdate() + datetime.timedelta(days=60),
        "effect_measure": "Inga missade doser i nästa kvartals rapporter",
        "causes": causes,
    }
    values.update(extra)
    return action_services.action_create(**values)


def fresh(deviation):
    deviation.refresh_from_db()
    return deviation


def test_an_action_must_address_a_cause_of_the_deviation(org) -> None:
    deviation = investigating(org)
    other = investigating(org)
    other_cause = add_cause(org, other)
    with pytest.raises(DomainError) as no_cause:
        add_action(org, deviation, [])
    assert no_cause.value.field == "causes"
    with pytest.raises(DomainError):
        add_action(org, deviation, [other_cause])
    assert Action.objects.count() == 0


def test_actions_only_while_investigating_or_acting(org) -> None:
    deviation = report(org)
    with pytest.raises(DomainError):
        add_action(org, deviation, [])
    assert Action.objects.count() == 0


def test_owner_must_work_at_the_unit_or_above_or_below(org) -> None:
    deviation = investigating(org)
    cause = add_cause(org, deviation)
    with pytest.raises(DomainError) as error:
        add_action(org, deviation, [cause], owner=org.staff_b)
    assert error.value.field == "owner"
    assert add_action(org, deviation, [cause], owner=org.section_head).owner == org.section_head


def test_due_date_in_the_past_or_far_future_is_refused(org) -> None:
    deviation = investigating(org)
    cause = add_cause(org, deviation)
    for due in (timezone.localdate() - datetime.timedelta(days=1), timezone.localdate().replace(year=2099)):
        with pytest.raises(DomainError) as error:
            add_action(org, deviation, [cause], due_date=due, effect_planned_on=None)
        assert error.value.field == "due_date"


def test_full_loop_to_closure(org) -> None:
    deviation = investigating(org)
    cause = add_cause(org, deviation)
    action = add_action(org, deviation, [cause])
    assert list(action.causes.all()) == [cause]
    assert not action.is_restricted
    deviation = services.deviation_start_actions(deviation=fresh(deviation), by=org.manager_a, version=None)
    assert deviation.status == Status.ACTING
    with pytest.raises(DomainError):
        services.deviation_start_follow_up(deviation=deviation, by=org.manager_a, version=None)
    action = action_services.action_start(action=action, by=org.staff_a, version=action.version)
    action = action_services.action_complete(action=action, by=org.staff_a, version=action.version, note="Klart")
    deviation = services.deviation_start_follow_up(deviation=fresh(deviation), by=org.manager_a, version=None)
    assert deviation.status == Status.FOLLOW_UP
    with pytest.raises(DomainError) as error:
        services.deviation_close(deviation=deviation, by=org.manager_a, version=None, conclusion="Klart")
    assert "effect" in str(error.value.message).lower() or "effekt" in str(error.value.message).lower()
    action_services.action_record_effect(
        action=action, by=org.manager_a, version=action.version, result="effective", comment=""
    )
    deviation = services.deviation_close(deviation=fresh(deviation), by=org.manager_a, version=None, conclusion="Ok")
    assert deviation.status == Status.CLOSED


def test_open_actions_block_closing_unless_the_organisation_relaxes_it(org) -> None:
    deviation = investigating(org)
    add_action(org, deviation, [add_cause(org, deviation)])
    with pytest.raises(DomainError):
        services.deviation_close(deviation=fresh(deviation), by=org.manager_a, version=None, conclusion="Klart")
    settings_row = DeviationSettings.current()
    settings_row.close_requires_finished_actions = False
    settings_row.save()
    closed = services.deviation_close(deviation=fresh(deviation), by=org.manager_a, version=None, conclusion="Klart")
    assert closed.status == Status.CLOSED


def test_close_without_action_is_refused_when_there_are_actions(org) -> None:
    deviation = investigating(org)
    add_action(org, deviation, [add_cause(org, deviation)])
    with pytest.raises(DomainError):
        services.deviation_close_without_action(
            deviation=fresh(deviation), by=org.manager_a, version=None, reason="Inget"
        )


def test_effect_needs_a_comment_unless_effective_and_only_when_done(org) -> None:
    deviation = investigating(org)
    action = add_action(org, deviation, [add_cause(org, deviation)])
    with pytest.raises(DomainError):
        action_services.action_record_effect(
            action=action, by=org.manager_a, version=action.version, result="effective", comment=""
        )
    action = action_services.action_complete(action=action, by=org.staff_a, version=action.version, note="Gjort")
    with pytest.raises(DomainError) as error:
        action_services.action_record_effect(
            action=action, by=org.manager_a, version=action.version, result="partly", comment=" "
        )
    assert error.value.field == "comment"


def test_concurrent_edit_of_an_action_is_refused(org) -> None:
    deviation = investigating(org)
    action = add_action(org, deviation, [add_cause(org, deviation)])
    stale = action.version
    action_services.action_start(action=action, by=org.staff_a, version=stale)
    with pytest.raises(ConflictError):
        action_services.action_complete(action=action, by=org.manager_a, version=stale, note="Klart")
    assert Action.objects.get(pk=action.pk).status == ActionStatus.IN_PROGRESS


def test_action_on_a_lex_sarah_case_is_restricted(org) -> None:
    deviation = report(org, lex=True)
    deviation = services.deviation_receive(deviation=deviation, by=org.director, version=None)
    deviation = services.deviation_start_investigation(deviation=deviation, by=org.director, version=None)
    cause = services.cause_add(
        deviation=deviation, by=org.director, category=CauseCategory.objects.first(), description="Bemanning"
    )
    action = add_action(org, deviation, [cause], by=org.director)
    assert action.is_restricted


def test_create_through_the_page_and_follow_it_to_the_effect(org, client_for) -> None:
    deviation = investigating(org)
    cause = add_cause(org, deviation)
    manager = client_for("manager_a")
    page = manager.get(reverse("deviations:detail", args=[deviation.pk]))
    assert "Lägg till en åtgärd" in page.content.decode()
    due = timezone.localdate() + datetime.timedelta(days=7)
    data = {
        "title": "Ny checklista",
        "owner": org.colleague_a.pk,
        "due_date": due.isoformat(),
        "causes": [cause.pk],
        "form_token": "t1",
    }
    response = manager.post(reverse("deviations:action_new", args=[deviation.pk]), data)
    assert response.status_code == 302
    # A double submit of the same form makes one action.
    manager.post(reverse("deviations:action_new", args=[deviation.pk]), data)
    assert Action.objects.count() == 1
    action = Action.objects.get()
    owner = client_for("colleague_a")
    mine = owner.get(reverse("actions:list")).content.decode()
    assert "Ny checklista" in mine
    detail = owner.get(reverse("actions:detail", args=[action.pk])).content.decode()
    # The owner does not see the deviation itself, so no link to it and no causes.
    assert reverse("deviations:detail", args=[deviation.pk]) not in detail
    assert cause.description not in detail
    response = owner.post(
        reverse("actions:step", args=[action.pk, "complete"]), {"version": action.version, "note": ""}
    )
    assert response.status_code == 200
    assert "Beskriv vad som gjordes" in response.content.decode()
    owner.post(reverse("actions:step", args=[action.pk, "complete"]), {"version": action.version, "note": "Klar"})
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    # The owner may not cancel or reopen: that is for those handling the case.
    assert (
        owner.post(reverse("actions:step", args=[action.pk, "reopen"]), {"version": action.version}).status_code == 403
    )
    response = manager.post(
        reverse("actions:effect", args=[action.pk]), {"version": action.version, "result": "effective"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.effect_result == "effective"


def test_deactivating_an_owner_hands_their_open_actions_to_the_successor(org) -> None:
    from ledningssystem import services as org_services

    deviation = investigating(org)
    cause = add_cause(org, deviation)
    open_action = add_action(org, deviation, [cause], owner=org.colleague_a)
    finished = add_action(org, deviation, [cause], owner=org.colleague_a, title="Klar sedan tidigare")
    action_services.action_cancel(action=finished, by=org.manager_a, version=None, note="Behövs inte")
    org_services.person_deactivate(person=org.colleague_a, by=org.admin, successor=org.staff_a, transfer_roles=False)
    assert Action.objects.get(pk=open_action.pk).owner == org.staff_a
    assert Action.objects.get(pk=finished.pk).owner == org.colleague_a
    assert Action.history.filter(id=open_action.pk, history_change_reason="action.handed_over").exists()


@pytest.mark.parametrize(
    "typed, expected_utc",
    [("2025-10-26T02:30", "2025-10-26T00:30"), ("2025-03-30T02:30", None), ("2025-06-01T12:00", "2025-06-01T10:00")],
)
def test_report_time_around_daylight_saving_changes(org, typed, expected_utc) -> None:
    from deviations.forms import LocalDateTimeField

    field = LocalDateTimeField()
    if expected_utc is None:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as error:
            field.clean(typed)
        assert error.value.code == "nonexistent"
    else:
        value = field.clean(typed)
        assert value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M") == expected_utc


def test_inbox_sorts_status_in_workflow_order(org, client_for) -> None:
    first = report(org)
    second = investigating(org)
    services.deviation_close_without_action(deviation=report(org), by=org.manager_a, version=None, reason="Dubblett")
    page = client_for("manager_a").get(reverse("deviations:inbox"), {"sort": "status"})
    statuses = [d.status for d in page.context["page"].object_list]
    assert statuses == [Status.REPORTED, Status.INVESTIGATING, Status.CLOSED_NO_ACTION]
    assert first.pk and second.pk


def test_inbox_counts_no_further_than_its_cap(org, client_for, monkeypatch) -> None:
    from deviations import views

    for _ in range(4):
        report(org)
    monkeypatch.setattr(views, "INBOX_COUNT_CAP", 3)
    page = client_for("manager_a").get(reverse("deviations:inbox"))
    assert page.context["page"].paginator.capped
    assert "Fler än 3 avvikelser" in page.content.decode()
    monkeypatch.setattr(views, "INBOX_COUNT_CAP", 10)
    page = client_for("manager_a").get(reverse("deviations:inbox"))
    assert not page.context["page"].paginator.capped and page.context["page"].paginator.count == 4


def test_inbox_period_is_local_calendar_days(org, client_for) -> None:
    import zoneinfo

    deviation = report(org)
    # 23:30 in Stockholm on 1 June is 21:30 UTC the same day; 00:30 on 2 June is 22:30 UTC on 1 June.
    stockholm = zoneinfo.ZoneInfo("Europe/Stockholm")
    type(deviation).objects.filter(pk=deviation.pk).update(
        reported_at=datetime.datetime(2026, 6, 2, 0, 30, tzinfo=stockholm)
    )
    manager = client_for("manager_a")
    on_first = manager.get(reverse("deviations:inbox"), {"date_from": "2026-06-01", "date_to": "2026-06-01"})
    on_second = manager.get(reverse("deviations:inbox"), {"date_from": "2026-06-02", "date_to": "2026-06-02"})
    assert on_first.context["page"].paginator.count == 0
    assert on_second.context["page"].paginator.count == 1
