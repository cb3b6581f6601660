"""The list at /notifications/, opening one, marking all read, the navbar badge."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Kind, Notification
from notifications.services import notify
from tests.notifications.conftest import report


def some(org, person, n: int, start: int = 0) -> list[Notification]:
    return [
        notify(recipients=[person], kind=Kind.ACTION_DUE_SOON, url=f"/deviations/{i}/", dedupe_key=f"t:{i}")[0]
        for i in range(start, start + n)
    ]


def test_the_list_shows_only_ones_own_newest_first_with_unread_marked(org, client_for) -> None:
    report(org, "staff_a")  # manager_a, section_head, director and quality are told
    own = some(org, org.staff_a, 2)
    own[0].read_at = own[0].created_at
    own[0].save()
    page = client_for("staff_a").get(reverse("notifications:list"))
    assert page.status_code == 200
    items = list(page.context["page"].object_list)
    assert items == [own[1], own[0]]
    html = page.content.decode()
    assert html.count("Oläst") == 1
    assert "Markera alla som lästa" in html
    assert "En ny avvikelse" not in html  # someone else's


def test_opening_marks_read_and_goes_to_the_object(org, client_for) -> None:
    deviation = report(org, "staff_a")
    notification = Notification.objects.get(recipient=org.manager_a)
    response = client_for("manager_a").get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("deviations:detail", args=[deviation.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert notification.history.filter(history_change_reason="notification.read").count() == 1


@pytest.mark.parametrize("persona", ["colleague_a", "manager_b", "section_head", "admin"])
def test_another_persons_notification_is_not_found(org, client_for, persona) -> None:
    report(org, "staff_a")
    notification = Notification.objects.get(recipient=org.manager_a)
    client = client_for(persona)
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_anonymous_visitors_are_sent_to_log_in(org, client_for) -> None:
    (notification,) = some(org, org.staff_a, 1)
    for url in (reverse("notifications:list"), reverse("notifications:open", args=[notification.pk])):
        response = client_for("anonymous").get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_link_leading_out_of_the_application_is_not_followed(org, client_for) -> None:
    (notification,) = notify(recipients=[org.staff_a], kind=Kind.ACTION_DUE_SOON, url="//evil.example/", dedupe_key="x")
    response = client_for("staff_a").get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read_touches_only_ones_own(org, client_for) -> None:
    some(org, org.staff_a, 3)
    some(org, org.colleague_a, 2)
    client = client_for("staff_a")
    assert client.get(reverse("notifications:read_all")).status_code == 405
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "3 aviseringar markerade som lästa." in response.content.decode()
    assert not Notification.objects.filter(recipient=org.staff_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=org.colleague_a, read_at__isnull=True).count() == 2


def test_the_badge_counts_unread_with_an_accessible_name(org, client_for) -> None:
    client = client_for("staff_a")
    html = client.get(reverse("home")).content.decode()
    assert "olästa" not in html
    assert reverse("notifications:list") in html
    some(org, org.staff_a, 3)
    html = client.get(reverse("home")).content.decode()
    assert '<span class="visually-hidden">3 olästa aviseringar</span>' in html
    notification = Notification.objects.filter(recipient=org.staff_a).first()
    client.get(reverse("notifications:open", args=[notification.pk]))
    assert "2 olästa aviseringar" in client.get(reverse("home")).content.decode()
    client.post(reverse("notifications:read_all"))
    assert "olästa" not in client.get(reverse("home")).content.decode()


def test_the_list_query_count_does_not_grow(org, client_for, django_assert_max_num_queries) -> None:
    client = client_for("staff_a")
    url = reverse("notifications:list")
    some(org, org.staff_a, 2)
    client.get(url)  # warm: daily access sync, session
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    some(org, org.staff_a, 60, start=2)
    # session, person, count, scope anchors (menu), unread count (badge), page,
    # session save (with its savepoint and release)
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    with CaptureQueriesContext(connection) as large:
        client.get(url + "?page=2")
    assert len(large) == len(small)
