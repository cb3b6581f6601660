"""Writes for notifications: create them once per event and person, send the
e-mail once, mark them read.

Other apps do not call ``notify`` directly for their domain events; they call
the small functions in ``notifications.events``, which decide who is told.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ledningssystem.history import save_tracked
from ledningssystem.models import User
from notifications.models import Kind, Notification


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User | int],
    kind: str,
    url: str,
    dedupe_key: str,
    actor: User | None = None,
) -> list[Notification]:
    """Tell each recipient once about the event named by ``dedupe_key``.

    Inactive people, and the person who caused the event (``actor``), are
    left out. A recipient already told about this event is skipped, so
    calling again (a task delivered twice, the daily job run twice) creates
    nothing. Each new notification is e-mailed once the transaction
    commits, when the person has an e-mail address; nothing is sent if it
    rolls back. Returns the notifications created now.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    ids = {getattr(r, "pk", r) for r in recipients} - {None}
    if actor is not None:
        ids.discard(actor.pk)
    if not ids:
        return []
    people = {p.pk: p for p in User.objects.filter(pk__in=ids, is_active=True).only("pk", "email")}
    told = set(
        Notification.objects.filter(recipient__in=people, dedupe_key=dedupe_key).values_list("recipient_id", flat=True)
    )
    untold = [pk for pk in people if pk not in told]
    if not untold:
        return []

    def build(pk: int) -> Notification:
        return Notification(recipient_id=pk, kind=kind, url=url, dedupe_key=dedupe_key)

    try:
        with transaction.atomic():
            created = bulk_create_with_history(
                [build(pk) for pk in untold], Notification, default_change_reason="notification.created"
            )
    except IntegrityError:
        # A concurrent run (the daily job started twice) told some of them
        # first: tell the others one by one.
        created = []
        for pk in untold:
            notification = build(pk)
            try:
                with transaction.atomic():
                    save_tracked(notification, by=None, reason="notification.created")
            except IntegrityError:
                continue
            created.append(notification)
    for notification in created:
        if people[notification.recipient_id].email:
            _queue_email(notification.pk)
    return created


def _queue_email(notification_id: int) -> None:
    from notifications.tasks import send_notification_email

    transaction.on_commit(lambda: send_notification_email.delay(notification_id))


def notification_email(notification: Notification) -> EmailMessage:
    """The e-mail for ``notification``: its generic title and a link, nothing about the case."""
    person = notification.recipient
    with translation.override(person.language or settings.LANGUAGE_CODE):
        context = {
            "title": notification.title,
            "link": settings.SITE_URL + reverse("notifications:open", args=[notification.pk]),
            "list_link": settings.SITE_URL + reverse("notifications:list"),
            "organisation": settings.ORGANISATION_NAME,
        }
        subject = render_to_string("notifications/email/subject.txt", context)
        body = render_to_string("notifications/email/body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[person.email])


def notification_send_email(*, notification_id: int) -> bool:
    """Send the notification's e-mail unless it has been sent; True when sent now.

    The row stays locked while the message is handed to the mail server, so
    two deliveries of the task never both send. A failure to send (SMTP
    error) propagates, nothing is marked, and the task retries.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        person = notification.recipient
        if not person.is_active or not person.email:
            return False
        notification_email(notification).send()
        notification.emailed_at = timezone.now()
        save_tracked(notification, by=None, reason="notification.emailed")
    return True


def notification_mark_read(*, notification: Notification, by: User) -> None:
    """Mark one of ``by``'s own notifications read (once)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        save_tracked(notification, by=by, reason="notification.read")


@transaction.atomic
def notification_mark_all_read(*, by: User) -> int:
    """Mark all of ``by``'s unread notifications read; returns how many."""
    unread = list(Notification.objects.filter(recipient=by, read_at__isnull=True))
    now = timezone.now()
    for notification in unread:
        notification.read_at = now
    bulk_update_with_history(
        unread,
        Notification,
        ["read_at"],
        batch_size=500,
        default_user=by,
        default_change_reason="notification.read",
    )
    return len(unread)
