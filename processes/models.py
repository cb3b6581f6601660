"""Controlled documents (riktlinjer, rutiner, instruktioner, policyer, planer) and processes.

A ``Document`` is the lasting identity: its kind, owner (a role at a unit),
the units it applies to, and what it answers (requirements, focus areas).
Its text lives in numbered ``DocumentVersion`` rows that move through
draft → in review → approved → superseded or withdrawn. An approved version
is never changed: a change starts a new draft, and approving it supersedes
the one in force. ``Document.current_version`` points at the version in
force, so lists and the coverage matrix read it without scanning versions.

Read confirmations (läskvittens) belong to a version: an approver asks the
people in scope to confirm that they have read it.

A ``Process`` (SOSFS 2011:9 ch. 4) has a purpose, an owner and ordered
``ProcessActivity`` rows, each with a responsible role, the routines that
govern it and whether it needs collaboration with others.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DocumentKind(models.TextChoices):
    GUIDELINE = "guideline", _("Guideline")
    ROUTINE = "routine", _("Routine")
    INSTRUCTION = "instruction", _("Instruction")
    POLICY = "policy", _("Policy")
    PLAN = "plan", _("Plan")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A document has at most one version being worked on at a time.
OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


class DocumentQuerySet(models.QuerySet["Document"]):
    def in_force(self) -> DocumentQuerySet:
        """Documents with an approved version in force."""
        return self.filter(current_version__isnull=False)

    def review_overdue(self, on=None) -> DocumentQuerySet:
        day = on or timezone.localdate()
        return self.in_force().filter(next_review_on__lt=day)


class Document(models.Model):
    identifier = models.CharField(
        _("identifier"), max_length=50, unique=True, help_text=_('For example "RUT-0012"; given when created.')
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.ROUTINE)
    # The title of the version in force, or of the first draft until one is approved.
    title = models.CharField(_("title"), max_length=300)
    owner_role = models.ForeignKey(
        "ledningssystem.Role", verbose_name=_("owner (role)"), on_delete=models.PROTECT, related_name="+"
    )
    owner_unit = models.ForeignKey(
        "ledningssystem.Unit", verbose_name=_("owner (unit)"), on_delete=models.PROTECT, related_name="owned_documents"
    )
    applies_to = models.ManyToManyField(
        "ledningssystem.Unit",
        verbose_name=_("applies to"),
        related_name="applicable_documents",
        help_text=_("The units it applies to, with the units below them."),
    )
    requirements = models.ManyToManyField(
        "requirements.Requirement", verbose_name=_("requirements"), blank=True, related_name="documents"
    )
    focus_areas = models.ManyToManyField(
        "requirements.FocusArea", verbose_name=_("focus areas"), blank=True, related_name="documents"
    )
    review_interval_months = models.PositiveSmallIntegerField(_("review interval (months)"), default=12)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    current_version = models.OneToOneField(
        "DocumentVersion",
        verbose_name=_("version in force"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("historical document"), m2m_fields=[applies_to, requirements, focus_areas]
    )

    class Meta:
        verbose_name = _("controlled document")
        verbose_name_plural = _("controlled documents")
        ordering = ["title", "pk"]
        indexes = [
            models.Index(fields=["owner_unit", "title"]),
            models.Index(fields=["next_review_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"


def attachment_path(instance: DocumentAttachment, filename: str) -> str:
    return f"documents/{instance.version.document_id}/{instance.version.number}/{filename}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    title = models.CharField(_("title"), max_length=300)
    # Sanitised HTML (processes/richtext.py) on save and again on output.
    body = models.TextField(_("text"), blank=True)
    change_note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("sent for review"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    decision_reference = models.CharField(
        _("decision reference"), max_length=200, blank=True, help_text=_('For example "SN 2024-01-17 § 7".')
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    ended_at = models.DateTimeField(_("superseded or withdrawn"), null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)
    lock_version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("historical document version"))

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number_unique"),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status__in=["draft", "in_review"]),
                name="document_one_open_version",
            ),
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="approved"), name="document_one_approved_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.identifier} v{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class DocumentAttachment(models.Model):
    """A file that belongs to one version; a new draft starts with the previous version's files."""

    version = models.ForeignKey(
        DocumentVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    history = HistoricalRecords(verbose_name=_("historical document attachment"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class ReadRequest(models.Model):
    """An approver asks everyone in the document's scope to confirm they have read a version."""

    version = models.ForeignKey(
        DocumentVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="read_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    due_on = models.DateField(_("confirm by"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)

    history = HistoricalRecords(verbose_name=_("historical read request"))

    class Meta:
        verbose_name = _("read confirmation request")
        verbose_name_plural = _("read confirmation requests")
        ordering = ["-requested_at"]
        constraints = [models.UniqueConstraint(fields=["version"], name="read_request_one_per_version")]

    def __str__(self) -> str:
        return str(self.version)


class ReadConfirmation(models.Model):
    """A person's confirmation that they have read a version (läskvittens)."""

    version = models.ForeignKey(
        DocumentVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="confirmations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="read_confirmations"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)

    history = HistoricalRecords(verbose_name=_("historical read confirmation"))

    class Meta:
        verbose_name = _("read confirmation")
        verbose_name_plural = _("read confirmations")
        ordering = ["-confirmed_at"]
        constraints = [models.UniqueConstraint(fields=["version", "person"], name="read_confirmation_once")]

    def __str__(self) -> str:
        return f"{self.person} – {self.version}"


class ProcessStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In use")
    RETIRED = "retired", _("Retired")


class Process(models.Model):
    identifier = models.CharField(_("identifier"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=300)
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ProcessStatus.choices, default=ProcessStatus.DRAFT)
    owner_role = models.ForeignKey(
        "ledningssystem.Role", verbose_name=_("owner (role)"), on_delete=models.PROTECT, related_name="+"
    )
    owner_unit = models.ForeignKey(
        "ledningssystem.Unit", verbose_name=_("owner (unit)"), on_delete=models.PROTECT, related_name="owned_processes"
    )
    applies_to = models.ManyToManyField(
        "ledningssystem.Unit", verbose_name=_("applies to"), related_name="applicable_processes"
    )
    requirements = models.ManyToManyField(
        "requirements.Requirement", verbose_name=_("requirements"), blank=True, related_name="processes"
    )
    focus_areas = models.ManyToManyField(
        "requirements.FocusArea", verbose_name=_("focus areas"), blank=True, related_name="processes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(
        verbose_name=_("historical process"), m2m_fields=[applies_to, requirements, focus_areas]
    )

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class ProcessActivity(models.Model):
    process = models.ForeignKey(Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("activity"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    responsible_role = models.ForeignKey(
        "ledningssystem.Role",
        verbose_name=_("responsible role"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    routines = models.ManyToManyField(
        Document, verbose_name=_("governing routines"), blank=True, related_name="activities"
    )
    needs_collaboration = models.BooleanField(_("needs collaboration"), default=False)
    collaboration_with = models.TextField(
        _("collaboration with"), blank=True, help_text=_("Other units or external parties, e.g. the region.")
    )

    history = HistoricalRecords(verbose_name=_("historical process activity"), m2m_fields=[routines])

    class Meta:
        verbose_name = _("process activity")
        verbose_name_plural = _("process activities")
        ordering = ["process", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")


class TransferFormat(models.TextChoices):
    YAML = "yaml", "YAML"
    XLSX = "xlsx", "Excel"


class TransferDraft(models.Model):
    """An uploaded handbook file between its preview and the confirmation (processes/transfer).

    Keeps the file with its checksum and a fingerprint of the data the file
    touches as it was at preview time: confirming refuses when either no
    longer matches, so what is applied is exactly what the person saw.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    unit = models.ForeignKey("ledningssystem.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10, choices=TransferFormat.choices)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    # The data the file touches, as it was when the preview was made.
    state_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    # Counts of what the confirmation did, for the result page: {"added": n, "changed": n, "unchanged": n}.
    result = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords(verbose_name=_("historical handbook import"), excluded_fields=["content"])

    class Meta:
        verbose_name = _("handbook import")
        verbose_name_plural = _("handbook imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
