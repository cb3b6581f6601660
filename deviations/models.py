"""Deviations (avvikelser) and lex Sarah reports.

A deviation is reported by someone with a role at a unit, received and
handled by the unit's managers, and closed with a conclusion. A lex Sarah
report is a deviation marked as a possible missförhållande: only those
with the lex Sarah capability see it; the reporter follows its status.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
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


class Assessment(models.TextChoices):
    """How serious a lex Sarah report is; the two serious ones go to IVO."""

    NOT_MISSFORHALLANDE = "none", _("Not a missförhållande")
    MISSFORHALLANDE = "missforhallande", _("Missförhållande")
    RISK = "risk", _("Påtaglig risk för missförhållande")
    SERIOUS = "serious", _("Allvarligt missförhållande")
    SERIOUS_RISK = "serious_risk", _("Påtaglig risk för allvarligt missförhållande")


SERIOUS_ASSESSMENTS = [Assessment.SERIOUS, Assessment.SERIOUS_RISK]


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
    investigation_started_at = models.DateTimeField(_("investigation started"), null=True, blank=True)

    # Lex Sarah: protect the client at once, assess, and tell IVO when serious.
    protective_measures = models.TextField(_("protective measures"), max_length=10_000, blank=True)
    protective_measures_at = models.DateTimeField(_("protective measures recorded"), null=True, blank=True)
    assessment = models.CharField(_("assessment"), max_length=20, choices=Assessment.choices, blank=True)
    assessment_reason = models.TextField(_("grounds for the assessment"), max_length=10_000, blank=True)
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ivo_notified_on = models.DateField(_("IVO notified on"), null=True, blank=True)
    ivo_reference = models.CharField(_("IVO reference"), max_length=50, blank=True)
    ivo_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided to notify IVO"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    learning = models.TextField(_("what we learn"), max_length=10_000, blank=True)

    actions = GenericRelation("actions.Action", content_type_field="source_type", object_id_field="source_id")
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
            # The inbox's default order.
            models.Index(fields=["-reported_at", "-id"], name="deviation_reported_desc"),
            # Statistics: figures per unit and period, closures and IVO notifications.
            models.Index(fields=["unit", "reported_at"], name="deviation_unit_reported"),
            models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=False), name="deviation_closed_at"),
            models.Index(
                fields=["ivo_notified_on"], condition=Q(ivo_notified_on__isnull=False), name="deviation_ivo_notified"
            ),
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

    @property
    def is_serious(self) -> bool:
        return self.assessment in SERIOUS_ASSESSMENTS


class IdentifiedCause(models.Model):
    """A cause the investigation identified; actions will point at these."""

    deviation = models.ForeignKey(
        Deviation, verbose_name=_("deviation"), on_delete=models.CASCADE, related_name="causes"
    )
    category = models.ForeignKey(CauseCategory, verbose_name=_("kind of cause"), on_delete=models.PROTECT)
    description = models.TextField(_("description"), max_length=2_000)
    actions = models.ManyToManyField("actions.Action", verbose_name=_("actions"), blank=True, related_name="causes")

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


class EntryKind(models.TextChoices):
    FACT = "fact", _("Fact")
    ASSESSMENT = "assessment", _("Assessment")


class RequiredContent(models.TextChoices):
    """What the documentation of a lex Sarah investigation must show (SOSFS 2011:5 ch. 5)."""

    WHAT_REPORTED = "what_reported", _("What was reported and its consequences for the client")
    WHEN_NOTICED = "when_noticed", _("When and how it was noticed")
    WHEN_OCCURRED = "when_occurred", _("When it happened")
    CAUSES = "causes", _("The causes identified")
    EARLIER = "earlier", _("Whether something similar happened before, and why it happened again")
    RECURRENCE = "recurrence", _("Whether it can happen again")
    REMEDIES = "remedies", _("What was done to remedy it, and when")
    OTHER_FINDINGS = "other_findings", _("What else the investigation found")
    DECISION = "decision", _("The decision the investigation ended with")
    PREVENTION = "prevention", _("Actions taken or planned to prevent it happening again")


class InvestigationEntry(models.Model):
    """One dated piece of a lex Sarah investigation: fact or assessment, with its source and author.

    Entries are never edited: a correction is a new entry that says so.
    """

    deviation = models.ForeignKey(
        Deviation, verbose_name=_("deviation"), on_delete=models.CASCADE, related_name="entries"
    )
    documented_on = models.DateField(_("documented on"))
    topic = models.CharField(_("what it shows"), max_length=20, choices=RequiredContent.choices)
    kind = models.CharField(_("fact or assessment"), max_length=20, choices=EntryKind.choices)
    source = models.CharField(_("source"), max_length=300)
    text = models.TextField(_("text"), max_length=20_000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    author_title = models.CharField(_("author's title"), max_length=200)
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)

    history = HistoricalRecords(verbose_name=_("historical investigation entry"))

    class Meta:
        verbose_name = _("investigation entry")
        verbose_name_plural = _("investigation entries")
        ordering = ["documented_on", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.documented_on} {self.get_topic_display()}"


class LegalReference(models.Model):
    """A provision cited in the product, valid for a period.

    Paragraph numbers change (Socialtjänstlagen 2025:400 replaced 2001:453 on
    2025-07-01), so citations are data chosen by the date of the event.
    """

    key = models.SlugField(_("key"), max_length=60)
    citation = models.CharField(_("citation"), max_length=200)
    description = models.CharField(_("what it says"), max_length=300)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    verified = models.BooleanField(_("verified"), default=False, help_text=_("Checked against the official text."))
    source_url = models.URLField(_("source"), blank=True)

    history = HistoricalRecords(verbose_name=_("historical legal reference"))

    class Meta:
        verbose_name = _("legal reference")
        verbose_name_plural = _("legal references")
        ordering = ["key", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["key", "valid_from"], name="legal_reference_unique_start")]

    def __str__(self) -> str:
        return self.citation


class DeviationSettings(models.Model):
    """The organisation's own rules for deviations: one row.

    The law names no days ("genast", "utan dröjsmål", "snarast"), so the
    internal deadlines are the organisation's to set.
    """

    close_requires_finished_actions = models.BooleanField(
        _("a deviation closes only when its actions are done and their effect recorded"), default=True
    )
    receive_within_days = models.PositiveSmallIntegerField(
        _("receive a report within (days)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    investigation_start_days = models.PositiveSmallIntegerField(
        _("start the investigation of a lex Sarah report within (days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    ivo_notification_days = models.PositiveSmallIntegerField(
        _("notify IVO within (days) of a serious assessment"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    action_due_soon_days = models.PositiveSmallIntegerField(
        _("remind action owners (days before the due date)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("historical deviation settings"))

    class Meta:
        verbose_name = _("deviation settings")
        verbose_name_plural = _("deviation settings")

    def __str__(self) -> str:
        return str(_("Deviation settings"))

    @classmethod
    def current(cls) -> DeviationSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row
