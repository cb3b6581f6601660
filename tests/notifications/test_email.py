"""E-mail: after commit, once, retried, and never about the case."""

from __future__ import annotations

import smtplib
from typing import ClassVar

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.urls import reverse

from notifications.models import Kind, Notification
from notifications.services import notify
from notifications.tasks import send_notification_email
from tests.notifications.conftest import report

SECRET_TEXT = "Brukaren Anna Andersson föll i duschen"


class FlakyBackend(EmailBackend):
    """The SMTP relay answers with an error for the first ``failures`` messages."""

    failures = 0
    attempts: ClassVar[list[int]] = []

    def send_messages(self, messages):
        FlakyBackend.attempts.append(len(messages))
        if len(FlakyBackend.attempts) <= FlakyBackend.failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_email.FlakyBackend"
    FlakyBackend.attempts = []
    return FlakyBackend


def test_mail_is_sent_after_commit_and_says_nothing_about_the_case(
    org, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://ledningssystem.example.se"
    with django_capture_on_commit_callbacks(execute=True):
        deviation = report(org, "staff_a", text=SECRET_TEXT)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["manager_a@example.se"]  # the nearest handler
    for message in mail.outbox:
        text = message.subject + message.body
        for detail in (SECRET_TEXT, "Anna", deviation.reference, org.unit_a.name, f"/deviations/{deviation.pk}/"):
            assert detail not in text
        assert message.subject == "En ny avvikelse har rapporterats i din verksamhet"
        notification = Notification.objects.get(recipient__email=message.to[0])
        assert (
            f"https://ledningssystem.example.se{reverse('notifications:open', args=[notification.pk])}" in message.body
        )
        assert "sekretess" in message.body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert Notification.history.filter(history_change_reason="notification.emailed").count() == 1


def test_lex_sarah_mail_has_a_generic_subject(org, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report(org, lex=True, text=SECRET_TEXT)
    assert {m.subject for m in mail.outbox} == {"En ny lex Sarah-rapport behöver din uppmärksamhet nu"}
    assert all(SECRET_TEXT not in m.body for m in mail.outbox)


def test_nothing_is_sent_nor_kept_when_the_transaction_rolls_back(org, django_capture_on_commit_callbacks) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        report(org)
        assert Notification.objects.count() == 1
        raise RuntimeError("the request failed after reporting")
    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.count() == 0


def test_not_sent_before_commit(org, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report(org)
        assert mail.outbox == []  # queued, not sent, while the transaction is open
    assert len(callbacks) == 1


def test_people_without_an_address_are_told_in_the_app_only(org, django_capture_on_commit_callbacks) -> None:
    org.manager_a.email = ""
    org.manager_a.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report(org)
    assert len(callbacks) == 0
    assert Notification.objects.filter(recipient=org.manager_a, emailed_at__isnull=True).exists()
    assert "manager_a@example.se" not in [a for m in mail.outbox for a in m.to]


def test_running_the_task_twice_sends_one_mail(org) -> None:
    (notification,) = notify(recipients=[org.staff_a], kind=Kind.ACTION_DUE_SOON, url="/", dedupe_key="t:1")
    assert send_notification_email.apply(args=[notification.pk]).get() is True
    assert send_notification_email.apply(args=[notification.pk]).get() is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_person_deactivated_before_the_mail_goes_gets_none(org) -> None:
    (notification,) = notify(recipients=[org.staff_a], kind=Kind.ACTION_DUE_SOON, url="/", dedupe_key="t:1")
    org.staff_a.is_active = False
    org.staff_a.save()
    assert send_notification_email.apply(args=[notification.pk]).get() is False
    assert mail.outbox == []


def test_mail_is_in_the_recipients_language(org) -> None:
    org.staff_a.language = "en"
    org.staff_a.save()
    (notification,) = notify(recipients=[org.staff_a], kind=Kind.DEVIATION_CLOSED, url="/", dedupe_key="t:1")
    send_notification_email.apply(args=[notification.pk])
    assert mail.outbox[0].subject == "A deviation you reported has been closed: read what was done"


def test_an_smtp_error_is_retried_and_the_mail_sent_once(org, flaky) -> None:
    flaky.failures = 2
    (notification,) = notify(recipients=[org.staff_a], kind=Kind.ACTION_OVERDUE, url="/", dedupe_key="t:1")
    result = send_notification_email.apply(args=[notification.pk])
    assert result.successful()
    assert len(flaky.attempts) == 3
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_retries_are_bounded_and_a_failed_mail_stays_unsent(org, flaky) -> None:
    flaky.failures = 1000
    (notification,) = notify(recipients=[org.staff_a], kind=Kind.ACTION_OVERDUE, url="/", dedupe_key="t:1")
    result = send_notification_email.apply(args=[notification.pk])
    assert result.failed()
    assert isinstance(result.result, smtplib.SMTPException)
    assert len(flaky.attempts) == send_notification_email.max_retries + 1
    notification.refresh_from_db()
    assert notification.emailed_at is None  # the in-app notification is still there
    assert mail.outbox == []


def test_unknown_kind_is_refused(org) -> None:
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify(recipients=[org.staff_a], kind="gossip", url="/", dedupe_key="t:1")


def test_when_the_bulk_insert_conflicts_everyone_is_told_one_by_one(org, django_capture_on_commit_callbacks) -> None:
    # A concurrent run of the daily job inserting the same event first makes
    # the bulk insert fail; each person is then told unless already told.
    from unittest import mock

    from django.db import IntegrityError

    with (
        django_capture_on_commit_callbacks(execute=True),
        mock.patch(
            "notifications.services.bulk_create_with_history", side_effect=IntegrityError("duplicate key value")
        ),
    ):
        created = notify(recipients=[org.staff_a, org.colleague_a], kind=Kind.ACTION_DUE_SOON, url="/", dedupe_key="k")
    assert {n.recipient.username for n in created} == {"staff_a", "colleague_a"}
    assert Notification.history.filter(dedupe_key="k", history_change_reason="notification.created").count() == 2
    assert sorted(a for m in mail.outbox for a in m.to) == ["colleague_a@example.se", "staff_a@example.se"]
