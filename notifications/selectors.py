"""Reads for notifications: a person's own, newest first."""

from __future__ import annotations

from typing import Any

from django.db import models

from ledningssystem import access
from ledningssystem.models import User
from notifications.models import Notification


def notification_list_for_user(user: User) -> models.QuerySet[Notification]:
    return access.for_user(user, Notification).order_by("-created_at", "-pk")


def notification_get_for_user(user: User, pk: Any) -> Notification:
    """404 for anyone else's notification."""
    return access.get_for_user(user, Notification, pk)


def notification_unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
