"""Actions (åtgärder): the improvement loop shared by every part of the system.

An action comes from a source (a deviation today; complaints, risk analyses,
self-inspections and the quality report later), has an owner, a unit and a
due date, and ends with a follow-up of whether it worked. Sources plug in
through ``actions.sources``; this app knows nothing about any one of them.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ledningssystem.models import Unit


class ActionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("action status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("action status", "In progress")
    DONE = "done", pgettext_lazy("action status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("action status", "Cancelled")


OPEN_ACTION_STATUSES = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS]


class EffectResult(models.TextChoices):
    EFFECTIVE = "effective", _("Effective")
    PARTLY = "partly", _("Partly effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


class ActionQuerySet(models.QuerySet["Action"]):
    def open(self) -> ActionQuerySet:
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> ActionQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)

    def effect_pending(self) -> ActionQuerySet:
        """Done, but nobody has yet recorded whether it worked."""
        return self.filter(status=ActionStatus.DONE, effect_result="")

    def for_source(self, source: models.Model) -> ActionQuerySet:
        return self.filter(source_type=ContentType.objects.get_for_model(source), source_id=source.pk)


class Action(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5_000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_actions"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="actions")
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    # Where the action comes from (a deviation, later a complaint or a risk analysis).
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    # Copied from the source: an action on a lex Sarah case is seen only by
    # those who may see the case, and by its owner.
    is_restricted = models.BooleanField(_("restricted"), default=False, editable=False)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completion_note = models.TextField(_("what was done"), max_length=5_000, blank=True)

    # Effect follow-up: planned when the action is made, recorded after it is done.
    effect_planned_on = models.DateField(_("effect follow-up date"), null=True, blank=True)
    effect_measure = models.TextField(_("how the effect will be measured"), max_length=2_000, blank=True)
    effect_result = models.CharField(_("effect"), max_length=20, choices=EffectResult.choices, blank=True)
    effect_comment = models.TextField(_("effect comment"), max_length=5_000, blank=True)
    effect_recorded_at = models.DateTimeField(_("effect recorded"), null=True, blank=True)
    effect_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("effect recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("historical action"))

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["unit", "status", "due_date"]),
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["status", "due_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in ActionStatus]), name="action_status_valid"),
            models.CheckConstraint(
                condition=Q(effect_result="") | Q(status=ActionStatus.DONE), name="action_effect_only_when_done"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def effect_pending(self) -> bool:
        return self.status == ActionStatus.DONE and not self.effect_result

    @property
    def is_finished(self) -> bool:
        """Nothing more to do: cancelled, or done with its effect recorded."""
        return self.status == ActionStatus.CANCELLED or (self.status == ActionStatus.DONE and bool(self.effect_result))
