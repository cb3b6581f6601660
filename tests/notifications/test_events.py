"""Who is told about what, and who is not."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from deviations import services as deviation_services
from ledningssystem import services as org_services
from notifications import events
from notifications.models import Kind, Notification
from tests.factories import PersonFactory, assign
from tests.notifications.conftest import make_action, report, told

LEX_SARAH_OVER_A = {"director", "quality"}


def test_a_new_report_goes_to_the_nearest_handlers_of_the_unit(org) -> None:
    deviation = report(org, "staff_a")
    # Those above see it in their inbox and hear of it only if it becomes overdue.
    assert told(Kind.DEVIATION_REPORTED) == {"manager_a"}
    # Not the reporter, the colleague, staff or managers elsewhere, nor those who only see statistics.
    assert told() & {"staff_a", "colleague_a", "staff_b", "manager_b", "committee", "secretary", "admin"} == set()
    notification = Notification.objects.get(recipient=org.manager_a)
    assert notification.url == reverse("deviations:detail", args=[deviation.pk])


def test_a_report_in_another_unit_stays_there(org) -> None:
    report(org, "staff_b", org.unit_b)
    assert told() == {"manager_b"}


def test_a_lex_sarah_report_goes_only_to_lex_sarah_permission_holders(org) -> None:
    report(org, "staff_a", lex=True)
    assert told(Kind.LEX_SARAH_REPORTED) == LEX_SARAH_OVER_A
    assert told() == LEX_SARAH_OVER_A  # no ordinary notice to the unit manager or section head either


def test_a_managers_own_report_goes_to_the_level_above(org) -> None:
    report(org, "manager_a")
    assert told() == {"section_head"}


def test_inactive_people_and_ended_roles_get_nothing(org) -> None:
    org_services.person_deactivate(person=org.section_head, by=org.admin, successor=None, transfer_roles=False)
    today = timezone.localdate()
    former = PersonFactory(username="former")
    assign(
        former,
        "enhetschef",
        org.unit_a,
        start=today - datetime.timedelta(days=60),
        end=today - datetime.timedelta(days=1),
    )
    report(org, "manager_a")
    # The section head is gone: the report goes on to the next level up, never to the former manager.
    assert told() == {"director", "quality"}


def test_the_same_event_is_never_told_twice(org) -> None:
    deviation = report(org)
    events.deviation_reported(deviation)
    events.deviation_reported(deviation)
    assert Notification.objects.filter(recipient=org.manager_a).count() == 1


def test_an_assigned_handler_is_told_but_not_who_takes_the_case_themselves(org) -> None:
    deviation = report(org)
    Notification.objects.all().delete()
    deviation_services.deviation_receive(deviation=deviation, by=org.manager_a, version=None)  # handler = manager_a
    assert told() == set()
    deviation_services.deviation_assign(deviation=deviation, by=org.manager_a, version=None, handler=org.section_head)
    assert told(Kind.DEVIATION_ASSIGNED) == {"section_head"}
    assert told() == {"section_head"}


def test_closing_tells_the_reporter_with_a_link_to_their_report(org) -> None:
    deviation = report(org, "staff_a")
    Notification.objects.all().delete()
    deviation_services.deviation_receive(deviation=deviation, by=org.manager_a, version=None)
    deviation = deviation_services.deviation_start_investigation(deviation=deviation, by=org.manager_a, version=None)
    deviation_services.deviation_close(
        deviation=deviation, by=org.manager_a, version=None, conclusion="Halkskydd satt upp."
    )
    assert told(Kind.DEVIATION_CLOSED) == {"staff_a"}
    assert told() == {"staff_a"}
    assert Notification.objects.get().url == reverse("deviations:detail", args=[deviation.pk])
    # Reopened and closed again is news again.
    deviation = deviation_services.deviation_reopen(
        deviation=deviation, by=org.manager_a, version=None, reason="Nytt fall"
    )
    deviation_services.deviation_close(
        deviation=deviation, by=org.manager_a, version=None, conclusion="Rutinen ändrad."
    )
    assert Notification.objects.filter(recipient=org.staff_a, kind=Kind.DEVIATION_CLOSED).count() == 2


def test_closing_without_action_tells_the_reporter(org) -> None:
    deviation = report(org, "colleague_a")
    Notification.objects.all().delete()
    deviation_services.deviation_close_without_action(
        deviation=deviation, by=org.manager_a, version=None, reason="Ingen risk."
    )
    assert told() == {"colleague_a"}


def test_an_action_owner_is_told_once_and_a_new_owner_too(org) -> None:
    deviation = report(org)
    Notification.objects.all().delete()
    action = make_action(org, deviation, owner=org.staff_a)
    events.action_assigned(action, org.manager_a)
    events.action_assigned(action, org.manager_a)  # saved again without a new owner
    assert told(Kind.ACTION_ASSIGNED) == {"staff_a"}
    action.owner = org.colleague_a
    action.save()
    events.action_assigned(action, by=org.manager_a)
    assert told(Kind.ACTION_ASSIGNED) == {"staff_a", "colleague_a"}
    mine = make_action(org, deviation, owner=org.manager_a)
    events.action_assigned(mine, org.manager_a)  # one's own action: nothing
    assert Notification.objects.filter(recipient=org.manager_a).count() == 0


def test_a_notification_holds_no_case_details(org) -> None:
    deviation = report(org, text="Brukaren Anna föll i badrummet")
    for notification in Notification.objects.all():
        for value in (notification.title, notification.url, notification.dedupe_key, str(notification)):
            assert "Anna" not in value
            assert deviation.reference not in value
            assert org.unit_a.name not in value
