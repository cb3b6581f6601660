from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from notifications.selectors import notification_unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The navbar badge: one count query per page, none for visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": notification_unread_count(user)}
