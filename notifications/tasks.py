from __future__ import annotations

import smtplib

from celery import shared_task


@shared_task(
    bind=True,
    acks_late=True,
    # SMTPException and connection failures (OSError): the relay may be down
    # for a while, so wait longer each time (random pauses up to 1, 2, 4 …
    # minutes, at most 6 hours), and give up after several hours.
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=6 * 60 * 60,
    retry_jitter=True,
    max_retries=10,
    time_limit=120,
    soft_time_limit=100,
)
def send_notification_email(self, notification_id: int) -> bool:
    from notifications.services import notification_send_email

    return notification_send_email(notification_id=notification_id)


@shared_task(time_limit=1800, soft_time_limit=1700)
def send_daily_reminders() -> int:
    """Actions due soon and overdue, cases past their deadlines (safe to run twice)."""
    from notifications.events import daily_reminders

    return daily_reminders()
