"""In-app notifications, each optionally sent once as an e-mail.

A notification holds no free text: its title comes from its kind, and it
points at the object by a link. Case details (secrecy law) therefore cannot
end up in the list, in an e-mail or in this table's history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    DEVIATION_REPORTED = "deviation_reported", _("A new deviation has been reported in your area")
    LEX_SARAH_REPORTED = "lex_sarah_reported", _("A new lex Sarah report needs your attention now")
    DEVIATION_ASSIGNED = "deviation_assigned", _("You have been made handler of a deviation")
    DEVIATION_CLOSED = "deviation_closed", _("A deviation you reported has been closed: read what was done")
    ACTION_ASSIGNED = "action_assigned", _("You are responsible for an action")
    ACTION_DUE_SOON = "action_due_soon", _("An action you are responsible for is due soon")
    ACTION_OVERDUE = "action_overdue", _("An action you are responsible for is overdue")
    CASE_OVERDUE = "case_overdue", _("A case you are responsible for has passed a deadline")
    CASE_ESCALATED = "case_escalated", _("A case in your area has passed a deadline")
    REVIEW_DUE = "review_due", _("A document you own is due for review soon")
    REVIEW_OVERDUE = "review_overdue", _("A document you own is past its review date")
    READ_REQUESTED = "read_requested", _("You are asked to confirm that you have read a document")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # A path inside the application (no host): the e-mail adds SITE_URL.
    url = models.CharField(_("link"), max_length=500)
    # The event, e.g. "deviation.reported:42": one notification per event and person.
    dedupe_key = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    history = HistoricalRecords(verbose_name=_("historical notification"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient", "read_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once_per_event"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in Kind]), name="notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def title(self) -> str:
        """Generic on purpose: says what kind of thing happened, never to whom or what."""
        return Kind(self.kind).label

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
