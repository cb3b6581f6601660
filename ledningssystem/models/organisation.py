from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeQuerySet


class UnitKind(models.TextChoices):
    COMMITTEE = "committee", _("Committee")
    ADMINISTRATION = "administration", _("Administration")
    SECTION = "section", _("Section/department")
    UNIT = "unit", _("Unit")
    EXTERNAL_PROVIDER = "external_provider", _("External provider")


# Which kinds may sit directly below which: a committee governs
# administrations, which are split into sections, which hold units.
ALLOWED_CHILD_KINDS: dict[str, set[str]] = {
    UnitKind.COMMITTEE: {UnitKind.ADMINISTRATION, UnitKind.SECTION, UnitKind.UNIT, UnitKind.EXTERNAL_PROVIDER},
    UnitKind.ADMINISTRATION: {UnitKind.SECTION, UnitKind.UNIT, UnitKind.EXTERNAL_PROVIDER},
    UnitKind.SECTION: {UnitKind.SECTION, UnitKind.UNIT, UnitKind.EXTERNAL_PROVIDER},
    UnitKind.UNIT: {UnitKind.UNIT},
    UnitKind.EXTERNAL_PROVIDER: {UnitKind.UNIT},
}
MAX_UNIT_DEPTH = 6


class UnitQuerySet(MP_NodeQuerySet):
    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)

    def search(self, text: str) -> UnitQuerySet:
        qs = self
        for word in text.split()[:5]:
            qs = qs.filter(Q(name__icontains=word) | Q(code__icontains=word))
        return qs

    def subtrees_of(self, paths: list[str]) -> UnitQuerySet:
        """Units at or below any of the given materialised paths."""
        if not paths:
            return self.none()
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        return self.filter(condition)


class Unit(MP_Node):
    """A node of the organisation: nämnd › förvaltning › sektion › enhet."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    code = models.CharField(
        _("code"), max_length=30, blank=True, help_text=_("Short identifier, e.g. the cost centre number.")
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The tree lives in ``path``; this mirror of the parent makes moves
    # readable in the history ("above: Äldreomsorg → Funktionsstöd").
    parent = models.ForeignKey(
        "self",
        verbose_name=_("above"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("historical unit"))

    objects = UnitQuerySet.as_manager()
    node_order_by = ["name"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        # Capabilities a role can carry. They are object permissions on the
        # unit where a role is held and hold for every unit below it.
        permissions = [
            ("view_assignments", _("See people and who holds which role")),
            ("manage_organisation", _("Administer units, people, roles and assignments")),
            ("view_statistics", _("See aggregated statistics")),
            ("report_deviations", _("Report deviations")),
            ("handle_deviations", _("Receive, investigate and close deviations")),
            ("handle_lex_sarah", _("See and handle lex Sarah reports")),
            ("manage_documents", _("Maintain focus areas, routines and processes")),
            ("approve_documents", _("Approve routines and ask for read confirmations")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[c.value for c in UnitKind]), name="unit_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]


class Role(models.Model):
    """A role a person can hold at a unit. Roles are data: admins add their own."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("identifier"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_builtin = models.BooleanField(_("built-in"), default=False, editable=False)
    permissions = models.ManyToManyField(
        Permission,
        verbose_name=_("capabilities"),
        blank=True,
        related_name="+",
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[permissions], verbose_name=_("historical role"))

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self, on: datetime.date | None = None) -> RoleAssignmentQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day)))

    def current_or_future(self, on: datetime.date | None = None) -> RoleAssignmentQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


class RoleAssignment(models.Model):
    """A person holds a role at a unit from a date to an optional date."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments")
    start_date = models.DateField(_("from"), default=timezone.localdate)
    end_date = models.DateField(_("to"), null=True, blank=True)

    history = HistoricalRecords(verbose_name=_("historical assignment"))

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["unit", "role"]), models.Index(fields=["person", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person} – {self.role} – {self.unit}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class RoleScope(models.Model):
    """The guardian group that carries one role's capabilities at one unit.

    Permission rows grow with roles × units in use, never with people or
    records: people join the group while an assignment is active.
    """

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="scopes")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="role_scopes")
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role_scope")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role", "unit"], name="rolescope_unique")]

    def __str__(self) -> str:
        return f"{self.role.slug}@{self.unit_id}"


class UnitUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian table (unused for grants: people get groups)."""

    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class UnitGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK guardian table: a role scope's capabilities on its unit."""

    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass
