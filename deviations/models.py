"""Deviations (avvikelser) and lex Sarah reports.

A deviation is reported by someone with a role at a unit, received and
handled by the unit's managers, and closed with a conclusion. A lex Sarah
report is a deviation marked as a possible missförhållande: only those
with the lex Sarah capability see it; the reporter follows its status.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ledningssystem.models import Unit


class TaxonomyTerm(models.Model):
    """A term of a configurable list: named, ordered, retired rather than deleted."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Category(TaxonomyTerm):
    """A kind of deviation. The taxonomy is data: organisations edit it."""

    history = HistoricalRecords(verbose_name=_("historical deviation category"))

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("deviation category")
        verbose_name_plural = _("deviation categories")


class CauseCategory(TaxonomyTerm):
    """A kind of cause found in an investigation. The taxonomy is data."""

    history = HistoricalRecords(verbose_name=_("historical cause category"))

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("cause category")
        verbose_name_plural = _("cause categories")


class InvestigationMethod(models.TextChoices):
    SIMPLE = "simple", _("Simple investigation")
    EVENT_ANALYSIS = "event_analysis", _("Event analysis (händelseanalys)")
    FIVE_WHYS = "five_whys", _("5 whys")
    FISHBONE = "fishbone", _("Fishbone diagram (cause and effect)")
    OTHER = "other", _("Other method")


class RecurrenceRisk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Consequence(models.TextChoices):
    UNKNOWN = "unknown", _("Don't know")
    NONE = "none", _("No harm")
    MINOR = "minor", _("Minor")
    MODERATE = "moderate", _("Moderate")
    MAJOR = "major", _("Major")
    CATASTROPHIC = "catastrophic", _("Catastrophic")


class Status(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("deviation status", "Reported")
    RECEIVED = "received", pgettext_lazy("deviation status", "Received")
    INVESTIGATING = "investigating", pgettext_lazy("deviation status", "Under investigation")
    ACTING = "acting", pgettext_lazy("deviation status", "Actions in progress")
    FOLLOW_UP = "follow_up", pgettext_lazy("deviation status", "Follow-up")
    CLOSED = "closed", pgettext_lazy("deviation status", "Closed")
    CLOSED_NO_ACTION = "closed_no_action", pgettext_lazy("deviation status", "Closed without action")


OPEN_STATUSES = [Status.REPORTED, Status.RECEIVED, Status.INVESTIGATING, Status.ACTING, Status.FOLLOW_UP]
CLOSED_STATUSES = [Status.CLOSED, Status.CLOSED_NO_ACTION]


class DeviationQuerySet(models.QuerySet["Deviation"]):
    def open(self) -> DeviationQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def lex_sarah(self) -> DeviationQuerySet:
        return self.filter(is_lex_sarah=True)


class Deviation(models.Model):
    # Allowed transitions: status → statuses it may move to. One service per
    # transition (deviations.services) checks this table.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.REPORTED: (Status.RECEIVED, Status.CLOSED_NO_ACTION),
        Status.RECEIVED: (Status.INVESTIGATING, Status.CLOSED_NO_ACTION),
        Status.INVESTIGATING: (Status.ACTING, Status.CLOSED, Status.CLOSED_NO_ACTION),
        Status.ACTING: (Status.FOLLOW_UP, Status.INVESTIGATING),
        Status.FOLLOW_UP: (Status.CLOSED, Status.ACTING),
        Status.CLOSED: (Status.INVESTIGATING,),
        Status.CLOSED_NO_ACTION: (Status.INVESTIGATING,),
    }

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="deviations")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="reported_deviations",
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now, editable=False)
    occurred_at = models.DateTimeField(_("when it happened"))
    description = models.TextField(_("what happened"), max_length=10_000)
    immediate_measures = models.TextField(_("what was done at once"), max_length=10_000, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    consequence = models.CharField(_("estimated consequence"), max_length=20, choices=Consequence.choices)
    client_affected = models.BooleanField(_("a client is affected"), default=False)
    is_lex_sarah = models.BooleanField(_("possible missförhållande (lex Sarah)"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REPORTED)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_deviations",
    )
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), max_length=10_000, blank=True)
    investigation_method = models.CharField(
        _("investigation method"), max_length=20, choices=InvestigationMethod.choices, blank=True
    )
    findings = models.TextField(_("what the investigation found"), max_length=20_000, blank=True)
    recurrence_risk = models.CharField(
        _("risk of recurrence"), max_length=10, choices=RecurrenceRisk.choices, blank=True
    )
    related = models.ManyToManyField(
        "self",
        verbose_name=_("earlier similar deviations"),
        symmetrical=False,
        blank=True,
        related_name="linked_from",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    # Links to similar cases are not kept in the history: the other case may
    # be one the reader must not know of (lex Sarah).
    history = HistoricalRecords(verbose_name=_("historical deviation"))

    objects = DeviationQuerySet.as_manager()

    class Meta:
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["unit", "status", "-reported_at"]),
            models.Index(fields=["reported_by", "-reported_at"]),
            models.Index(fields=["status", "-reported_at"]),
            models.Index(fields=["category", "-reported_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="deviation_status_valid"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())


class IdentifiedCause(models.Model):
    """A cause the investigation identified; actions will point at these."""

    deviation = models.ForeignKey(
        Deviation, verbose_name=_("deviation"), on_delete=models.CASCADE, related_name="causes"
    )
    category = models.ForeignKey(CauseCategory, verbose_name=_("kind of cause"), on_delete=models.PROTECT)
    description = models.TextField(_("description"), max_length=2_000)

    history = HistoricalRecords(verbose_name=_("historical identified cause"))

    class Meta:
        verbose_name = _("identified cause")
        verbose_name_plural = _("identified causes")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.category}: {self.description[:60]}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the original name is kept in the row only.
    import uuid

    return f"deviations/{instance.deviation_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file attached to a report: a photo, a scanned note. Stored privately."""

    deviation = models.ForeignKey(
        Deviation, verbose_name=_("deviation"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    history = HistoricalRecords(verbose_name=_("historical attachment"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class ClientIdentity(models.Model):
    """Who the deviation concerns, kept apart from the free text.

    Only those who handle the deviation see it; the reporter never sees it again.
    """

    deviation = models.OneToOneField(
        Deviation, verbose_name=_("deviation"), on_delete=models.CASCADE, related_name="client_identity"
    )
    identity = models.CharField(_("client's name or personal identity number"), max_length=200)

    history = HistoricalRecords(verbose_name=_("historical client identity"))

    class Meta:
        verbose_name = _("client identity")
        verbose_name_plural = _("client identities")

    def __str__(self) -> str:
        return str(_("Client identity"))


class ReferenceCounter(models.Model):
    """The last number handed out per prefix and year (AVV-2026-00042)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"
