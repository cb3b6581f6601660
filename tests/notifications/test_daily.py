"""The daily job: actions due soon and overdue, cases past their deadlines, escalation."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from deviations import services as deviation_services
from deviations.models import Assessment, Deviation, DeviationSettings
from notifications.events import daily_reminders
from notifications.models import Kind, Notification
from notifications.tasks import send_daily_reminders
from tests.factories import PersonFactory, assign
from tests.notifications.conftest import make_action, report, told


def later(days: int) -> time_machine.travel:
    return time_machine.travel(timezone.now() + datetime.timedelta(days=days, hours=1), tick=False)


def fresh_start(org) -> Deviation:
    """A received deviation (no deadline running) and no notifications yet."""
    deviation = report(org)
    deviation_services.deviation_receive(deviation=deviation, by=org.manager_a, version=None)
    Notification.objects.all().delete()
    return deviation


def test_action_due_soon_reminds_the_owner_once(org) -> None:
    rules = DeviationSettings.current()
    rules.action_due_soon_days = 5
    rules.save()
    deviation = fresh_start(org)
    make_action(org, deviation, owner=org.staff_a, due_in_days=4)
    make_action(org, deviation, owner=org.colleague_a, due_in_days=9)  # not yet
    make_action(org, deviation, owner=org.manager_b, due_in_days=2, status="done")  # finished
    assert daily_reminders() == 1
    assert told(Kind.ACTION_DUE_SOON) == {"staff_a"}
    assert daily_reminders() == 0  # the job run twice a day tells nobody twice
    assert send_daily_reminders.apply().get() == 0
    with later(5):
        daily_reminders()
    assert told(Kind.ACTION_DUE_SOON) == {"staff_a", "colleague_a"}
    assert Notification.objects.filter(recipient=org.staff_a, kind=Kind.ACTION_DUE_SOON).count() == 1


def test_overdue_action_tells_the_owner_once_per_due_date(org) -> None:
    deviation = fresh_start(org)
    action = make_action(org, deviation, owner=org.staff_a, due_in_days=1)
    with later(3):
        daily_reminders()
        daily_reminders()
    assert told(Kind.ACTION_OVERDUE) == {"staff_a"}
    assert Notification.objects.filter(kind=Kind.ACTION_OVERDUE).count() == 1
    action.due_date += datetime.timedelta(days=10)  # postponed, then missed again
    action.save()
    with later(14):
        daily_reminders()
    assert Notification.objects.filter(kind=Kind.ACTION_OVERDUE).count() == 2


def test_an_inactive_owner_gets_no_reminder(org) -> None:
    deviation = fresh_start(org)
    make_action(org, deviation, owner=org.staff_a, due_in_days=-1)
    org.staff_a.is_active = False
    org.staff_a.save()
    assert daily_reminders() == 0


def test_a_report_not_received_in_time_goes_to_the_unit_and_escalates_one_level(org) -> None:
    rules = DeviationSettings.current()
    report(org)
    Notification.objects.all().delete()
    with later(rules.receive_within_days - 1):
        assert daily_reminders() == 0
    with later(rules.receive_within_days):
        daily_reminders()
        assert daily_reminders() == 0
    assert told(Kind.CASE_OVERDUE) == {"manager_a"}
    assert told(Kind.CASE_ESCALATED) == {"section_head"}
    assert told() == {"manager_a", "section_head"}  # not the staff, not the director


def test_without_a_unit_manager_the_section_is_responsible_and_the_level_above_hears(org) -> None:
    person = PersonFactory(username="staff_a2")
    assign(person, "medarbetare", org.unit_a2)
    org.people["staff_a2"] = person
    report(org, "staff_a2", org.unit_a2)
    Notification.objects.all().delete()
    with later(DeviationSettings.current().receive_within_days):
        daily_reminders()
    assert told(Kind.CASE_OVERDUE) == {"section_head"}
    assert told(Kind.CASE_ESCALATED) == {"director", "quality"}


def test_a_received_report_is_not_overdue(org) -> None:
    fresh_start(org)
    with later(30):
        assert daily_reminders() == 0


def test_a_lex_sarah_investigation_not_started_escalates_only_to_lex_sarah_holders(org) -> None:
    investigator = PersonFactory(username="investigator")
    assign(investigator, "forvaltningschef", org.section_1)  # lex Sarah permission at the section
    deviation = report(org, lex=True)
    Notification.objects.all().delete()
    with later(DeviationSettings.current().investigation_start_days):
        daily_reminders()
    assert told(Kind.CASE_OVERDUE) == {"investigator"}
    assert told(Kind.CASE_ESCALATED) == {"director", "quality"}
    assert "manager_a" not in told()
    assert "section_head" not in told()
    # Once the investigation has started the deadline is met.
    Notification.objects.all().delete()
    deviation_services.deviation_receive(deviation=deviation, by=org.director, version=None)
    deviation_services.deviation_start_investigation(deviation=deviation, by=org.director, version=None)
    with later(30):
        assert daily_reminders() == 0


def test_ivo_not_notified_after_a_serious_assessment_goes_to_the_handler_and_escalates(org) -> None:
    deviation = report(org, lex=True)
    deviation_services.deviation_receive(deviation=deviation, by=org.director, version=None)
    deviation_services.deviation_start_investigation(deviation=deviation, by=org.director, version=None)
    Deviation.objects.filter(pk=deviation.pk).update(assessment=Assessment.SERIOUS, assessed_at=timezone.now())
    Notification.objects.all().delete()
    days = DeviationSettings.current().ivo_notification_days
    with later(days - 1):
        assert daily_reminders() == 0
    with later(days):
        daily_reminders()
        assert daily_reminders() == 0
    assert told(Kind.CASE_OVERDUE) == {"director"}
    assert told(Kind.CASE_ESCALATED) == {"quality"}
    Notification.objects.all().delete()
    Deviation.objects.filter(pk=deviation.pk).update(ivo_notified_on=timezone.localdate())
    with later(days + 1):
        assert daily_reminders() == 0


def test_a_not_serious_assessment_has_no_ivo_deadline(org) -> None:
    deviation = report(org, lex=True)
    deviation_services.deviation_receive(deviation=deviation, by=org.director, version=None)
    deviation_services.deviation_start_investigation(deviation=deviation, by=org.director, version=None)
    Deviation.objects.filter(pk=deviation.pk).update(assessment=Assessment.RISK, assessed_at=timezone.now())
    Notification.objects.all().delete()
    with later(60):
        assert daily_reminders() == 0
