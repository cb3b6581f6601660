"""The requirement catalogue: frameworks (SOSFS 2011:9, SOSFS 2011:5, Skollagen …),
their chapters and sections, and the requirements in them.

Frameworks are data loaded from YAML files (see docs/requirements-format.md
and requirements/loader.py), never written in code. A requirement keeps its
stable ``identifier`` across versions of its framework: a re-import updates
by identifier and deactivates what a newer version no longer holds, so
routines and focus areas that point at a requirement keep pointing at it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    """What kind of rule a requirement is. Binding kinds and advice are kept apart everywhere."""

    LAW = "law", _("Statute")
    REGULATION = "regulation", _("Regulation")
    GENERAL_ADVICE = "general_advice", _("General advice")
    LOCAL = "local", _("Local requirement")


BINDING_KINDS = frozenset({Kind.LAW, Kind.REGULATION})


class Framework(models.Model):
    """A body of rules, e.g. "SOSFS 2011:9", loaded from one YAML file."""

    code = models.CharField(_("code"), max_length=50, unique=True, help_text=_('For example "SOSFS 2011:9".'))
    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    source_url = models.URLField(_("official text"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    version_label = models.CharField(_("version"), max_length=200, blank=True)
    version_date = models.DateField(_("version date"), null=True, blank=True)
    # Bumped by every import: a preview made before another import is stale.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True, editable=False)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords(verbose_name=_("historical framework"))

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Section(models.Model):
    """A chapter or section of a framework; ``parent`` makes the tree.

    A plain parent key rather than a treebeard tree: the tree is shallow,
    its order comes from the file, a framework's whole tree is read in one
    query and assembled in Python, and an import rewrites it in file order
    without the path bookkeeping a materialised path needs.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    key = models.CharField(_("key"), max_length=100)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=300)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(verbose_name=_("historical chapter or section"))

    class Meta:
        verbose_name = _("chapter or section")
        verbose_name_plural = _("chapters and sections")
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "key"], name="section_key_unique_in_framework")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()


class ApplicationArea(models.Model):
    """Where a requirement applies (tillämpningsområde): socialtjänst, LSS, hälso- och sjukvård,
    vuxenutbildning … Not to be confused with a person's access scope (a unit and those below it)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords(verbose_name=_("historical area of application"))

    class Meta:
        verbose_name = _("area of application")
        verbose_name_plural = _("areas of application")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class RequirementQuerySet(models.QuerySet["Requirement"]):
    def active(self) -> RequirementQuerySet:
        return self.filter(is_active=True)


class Requirement(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="requirements"
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("chapter or section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
    )
    identifier = models.CharField(_("identifier"), max_length=100)
    reference = models.CharField(_("reference"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    areas = models.ManyToManyField(
        ApplicationArea, verbose_name=_("applies to"), blank=True, related_name="requirements"
    )
    source_url = models.URLField(_("official text"), max_length=500, blank=True)
    is_verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Checked against the official text; if not, it is shown as needing review."),
    )
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Maintained by the import on PostgreSQL (Swedish full-text search); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = RequirementQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("historical requirement"), excluded_fields=["search_vector"], m2m_fields=[areas]
    )

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "identifier"], name="requirement_identifier_unique")
        ]
        indexes = [models.Index(fields=["framework", "is_active", "position"])]

    def __str__(self) -> str:
        return f"{self.framework.code} {self.reference}"

    @property
    def is_binding(self) -> bool:
        return self.kind in BINDING_KINDS


class DraftStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")


class ImportDraft(models.Model):
    """An uploaded framework file between its preview and the confirmation.

    The file is kept as text with its checksum, and the framework's revision
    at preview time: confirming refuses when either no longer matches, so
    what is applied is exactly what the person saw in the preview.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.TextField()
    sha256 = models.CharField(max_length=64)
    framework_code = models.CharField(_("framework"), max_length=50)
    # None: the framework did not exist at preview time.
    framework_revision = models.PositiveIntegerField(null=True)
    status = models.CharField(_("status"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.PENDING)

    history = HistoricalRecords(verbose_name=_("historical import draft"), excluded_fields=["content"])

    class Meta:
        verbose_name = _("import draft")
        verbose_name_plural = _("import drafts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


# --- Focus areas and responsibilities (how the organisation meets the requirements) ---


class FollowUpMethod(models.Model):
    """How an organisation follows up its work: egenkontroll, brukarundersökning, internkontroll …"""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(verbose_name=_("historical follow-up method"))

    class Meta:
        verbose_name = _("follow-up method")
        verbose_name_plural = _("follow-up methods")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class FocusArea(models.Model):
    """A fokusområde (bemötande, samverkan, tillgänglighet …) defined at a unit for it and those below.

    ``how`` says what the routines and processes must ensure, ``follow_up``
    how the organisation checks it (with the methods as data), and the
    responsibilities per role live in ``FocusAreaResponsibility``.
    """

    unit = models.ForeignKey(
        "ledningssystem.Unit", verbose_name=_("defined for"), on_delete=models.PROTECT, related_name="focus_areas"
    )
    key = models.SlugField(
        _("key"), max_length=100, help_text=_("Stable identifier used by import and export; unique within the unit.")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    how = models.TextField(_("how"), blank=True, help_text=_("What the routines and processes must ensure."))
    follow_up = models.TextField(_("follow-up"), blank=True, help_text=_("How the area is followed up."))
    follow_up_methods = models.ManyToManyField(
        FollowUpMethod, verbose_name=_("follow-up methods"), blank=True, related_name="focus_areas"
    )
    requirements = models.ManyToManyField(
        Requirement, verbose_name=_("requirements it answers"), blank=True, related_name="focus_areas"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("historical focus area"), m2m_fields=[follow_up_methods, requirements])

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["unit__path", "position", "title"]
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="focus_area_key_unique_in_unit")]

    def __str__(self) -> str:
        return self.title


class FocusAreaResponsibility(models.Model):
    """What one role is responsible for within one focus area."""

    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="responsibilities")
    role = models.ForeignKey(
        "ledningssystem.Role", verbose_name=_("role"), on_delete=models.PROTECT, related_name="focus_area_duties"
    )
    text = models.TextField(_("responsible for"))
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords(verbose_name=_("historical focus area responsibility"))

    class Meta:
        verbose_name = _("responsibility in a focus area")
        verbose_name_plural = _("responsibilities in focus areas")
        ordering = ["focus_area", "position", "role__sort_order"]
        constraints = [models.UniqueConstraint(fields=["focus_area", "role"], name="focus_area_responsibility_unique")]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:50]}"


class RoleResponsibility(models.Model):
    """The "Ansvarsfördelning": what a role is responsible for, recorded once per unit level.

    Defined at a unit it holds for the units below, unless a unit further
    down records its own text for the same role.
    """

    unit = models.ForeignKey(
        "ledningssystem.Unit", verbose_name=_("defined for"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.ForeignKey(
        "ledningssystem.Role", verbose_name=_("role"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    text = models.TextField(_("responsible for"))
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("historical role responsibility"))

    class Meta:
        verbose_name = _("role responsibility")
        verbose_name_plural = _("role responsibilities")
        ordering = ["unit__path", "role__sort_order"]
        constraints = [models.UniqueConstraint(fields=["unit", "role"], name="role_responsibility_unique")]

    def __str__(self) -> str:
        return f"{self.role} ({self.unit})"
