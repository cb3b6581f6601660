"""How notifications plug into the shared core: a person sees only their own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ledningssystem import access, history
from notifications.models import Notification

access.register(Notification, access.OwnerPolicy(path_lookup="recipient", capabilities={}))
history.REASONS.update(
    {
        "notification.created": _("Notification created"),
        "notification.read": _("Notification read"),
        "notification.emailed": _("Notification e-mailed"),
    }
)
