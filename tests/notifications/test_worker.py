"""A notification e-mail goes through Redis to a real Celery worker (CI sets REDIS_URL)."""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings
from django.core import mail

from ledningssystem import celery_app
from notifications.models import Kind, Notification
from notifications.services import notify
from tests.conftest import build_org
from tests.deviations.conftest import report

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis: make test uses it when REDIS_URL is set (CI does)"
)


@pytest.mark.django_db(transaction=True)
def test_notification_mail_is_sent_by_a_worker_once() -> None:
    from celery.contrib.testing.worker import start_worker

    from deviations.defaults import ensure_default_categories
    from notifications.tasks import send_notification_email

    assert settings.CELERY_BROKER_URL.startswith("redis")
    org = build_org()
    # Earlier transactional tests flush the tables, categories from the data migration with them.
    ensure_default_categories()
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False  # restored by the autouse fixture
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        report(org, "staff_a")  # one notification (the unit manager), queued on commit (autocommit here)
        wait_until(lambda: not Notification.objects.filter(emailed_at__isnull=True).exists())
        # A second delivery of a task (a worker lost before acking) sends nothing.
        first = Notification.objects.order_by("pk").first()
        send_notification_email.delay(first.pk)
        # The solo worker runs tasks in order: once this later one is done, so is the repeat.
        (later,) = notify(recipients=[org.colleague_a], kind=Kind.ACTION_DUE_SOON, url="/", dedupe_key="t:1")
        wait_until(lambda: Notification.objects.filter(pk=later.pk, emailed_at__isnull=False).exists())
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert len(mail.outbox) == 2
    assert sum(first.recipient.email in m.to for m in mail.outbox) == 1


def wait_until(condition) -> None:
    deadline = time.monotonic() + 60
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
