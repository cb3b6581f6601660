"""Who may do what to which object: the one place that decides.

Capabilities are Django permissions on ``Unit``. A role carries a set of
them; a person holding the role at a unit is a member of that (role, unit)
guardian group, and the group has the capabilities as object permissions on
the unit. A capability held at a unit holds for every unit below it.

Every view, list, count, export and PDF goes through the functions here:

* ``filter_for_user(user, queryset, action)`` narrows any registered model
  to what the person may see (or act on), so lists and counts agree.
* ``get_for_user(user, model, pk, action)`` fetches one object: 404 when the
  person may not see it at all, 403 when they may see it but not do ``action``.
* ``has_capability`` / ``units_for_user`` answer scope questions.

Permission rows grow with roles × units in use, never with records.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, Q, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledningssystem.models import (
    BackgroundJob,
    Role,
    RoleAssignment,
    RoleScope,
    Unit,
    UnitGroupObjectPermission,
    User,
)

VIEW_UNIT = "view_unit"
VIEW_ASSIGNMENTS = "view_assignments"
MANAGE_ORGANISATION = "manage_organisation"
VIEW_STATISTICS = "view_statistics"
REPORT_DEVIATIONS = "report_deviations"
HANDLE_DEVIATIONS = "handle_deviations"
HANDLE_LEX_SARAH = "handle_lex_sarah"
MANAGE_DOCUMENTS = "manage_documents"
APPROVE_DOCUMENTS = "approve_documents"

# The capabilities a role can carry, in the order administrators see them.
CAPABILITY_LABELS = {
    VIEW_UNIT: _("See the unit and the units below it"),
    VIEW_ASSIGNMENTS: _("See people and who holds which role"),
    VIEW_STATISTICS: _("See aggregated statistics"),
    MANAGE_ORGANISATION: _("Administer units, people, roles and assignments"),
    REPORT_DEVIATIONS: _("Report deviations"),
    HANDLE_DEVIATIONS: _("Receive, investigate and close deviations"),
    HANDLE_LEX_SARAH: _("See and handle lex Sarah reports"),
    MANAGE_DOCUMENTS: _("Maintain focus areas, routines and processes"),
    APPROVE_DOCUMENTS: _("Approve routines and ask for read confirmations"),
}
CAPABILITY_CODENAMES = list(CAPABILITY_LABELS)

M = TypeVar("M", bound=models.Model)
AnyUser = User | AnonymousUser

_CACHE_ATTR = "_ledningssystem_access"
_ADMIN_CACHE_ATTR = "_ledningssystem_is_system_admin"


# --- Capabilities ------------------------------------------------------------


def capability_permissions() -> models.QuerySet[Permission]:
    """The permissions a role may carry (object permissions on units)."""
    ct = ContentType.objects.get_for_model(Unit)
    order = Case(*(When(codename=c, then=Value(i)) for i, c in enumerate(CAPABILITY_CODENAMES)))
    return Permission.objects.filter(content_type=ct, codename__in=CAPABILITY_CODENAMES).order_by(order)


# --- Keeping guardian rows in line with roles and assignments ----------------


def _scope_for(role: Role, unit: Unit) -> RoleScope:
    scope = RoleScope.objects.filter(role=role, unit=unit).select_related("group").first()
    if scope is None:
        group, _created = Group.objects.get_or_create(name=f"scope:{role.slug}:{unit.pk}")
        scope = RoleScope.objects.create(role=role, unit=unit, group=group)
        _sync_scope_permissions(scope, set(role.permissions.values_list("pk", flat=True)))
    return scope


def _sync_scope_permissions(scope: RoleScope, wanted: set[int]) -> None:
    existing = dict(
        UnitGroupObjectPermission.objects.filter(group=scope.group, content_object=scope.unit).values_list(
            "permission_id", "pk"
        )
    )
    UnitGroupObjectPermission.objects.filter(
        pk__in=[pk for perm, pk in existing.items() if perm not in wanted]
    ).delete()
    UnitGroupObjectPermission.objects.bulk_create(
        UnitGroupObjectPermission(group=scope.group, content_object=scope.unit, permission_id=perm)
        for perm in wanted - existing.keys()
    )


@transaction.atomic
def role_sync_permissions(role: Role) -> None:
    """Give every group of ``role`` exactly the role's current capabilities."""
    wanted = set(role.permissions.values_list("pk", flat=True))
    for scope in RoleScope.objects.filter(role=role).select_related("group", "unit"):
        _sync_scope_permissions(scope, wanted)


@transaction.atomic
def person_sync_access(person: User, today: datetime.date | None = None) -> None:
    """Make the person's scope groups match their assignments active ``today``.

    Called after every assignment change and lazily once a day per person, so
    assignments that start or end on a date take effect without a scheduler.
    """
    day = today or timezone.localdate()
    active = RoleAssignment.objects.active(day).filter(person=person).select_related("role", "unit")
    wanted_groups = {_scope_for(a.role, a.unit).group_id for a in active}
    if not person.is_active:
        wanted_groups = set()
    current = set(person.groups.filter(role_scope__isnull=False).values_list("pk", flat=True))
    if current - wanted_groups:
        person.groups.remove(*(current - wanted_groups))
    if wanted_groups - current:
        person.groups.add(*(wanted_groups - current))
    User.objects.filter(pk=person.pk).update(access_synced_on=day)
    person.access_synced_on = day
    forget_cached_access(person)


def forget_cached_access(person: AnyUser) -> None:
    for attr in (_CACHE_ATTR, _ADMIN_CACHE_ATTR):
        if hasattr(person, attr):
            delattr(person, attr)


# --- Scope -------------------------------------------------------------------


def _minimal(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path of the set."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


def _anchors(user: AnyUser) -> dict[str, list[str]]:
    """Capability codename → unit paths where the person holds it (one query)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    anchors: dict[str, list[str]] = {}
    if user.is_authenticated and user.is_active:
        if user.access_synced_on != timezone.localdate():
            person_sync_access(user)
        rows = UnitGroupObjectPermission.objects.filter(group__user=user, content_object__is_active=True).values_list(
            "permission__codename", "content_object__path"
        )
        collected: dict[str, list[str]] = {}
        for codename, path in rows:
            collected.setdefault(codename, []).append(path)
        anchors = {codename: _minimal(paths) for codename, paths in collected.items()}
    setattr(user, _CACHE_ATTR, anchors)
    return anchors


def scope_paths(user: AnyUser, capability: str) -> list[str]:
    return _anchors(user).get(capability, [])


def units_for_user(user: AnyUser, capability: str = VIEW_UNIT) -> models.QuerySet[Unit]:
    """Units (with everything below them) where the person holds ``capability``."""
    return Unit.objects.subtrees_of(scope_paths(user, capability))


def has_capability(user: AnyUser, capability: str, unit: Unit | None = None) -> bool:
    """Does the person hold ``capability`` at ``unit`` (or anywhere, if None)?"""
    paths = scope_paths(user, capability)
    if unit is None:
        return bool(paths)
    return any(unit.path.startswith(p) for p in paths)


def capability_holders(capability: str, unit: Unit, on: datetime.date | None = None) -> models.QuerySet[RoleAssignment]:
    """Assignments active ``on`` (today) that give ``capability`` over ``unit``.

    The role is held at the unit or one above it, the unit where it is held
    is active and so is the person. Used to find whom to tell about a case;
    ``.values_list("person_id", "unit__path")`` gives who and at which level.
    """
    return RoleAssignment.objects.active(on).filter(
        unit__path__in=[*unit.ancestor_paths, unit.path],
        unit__is_active=True,
        role__permissions__codename=capability,
        role__permissions__content_type__app_label="ledningssystem",
        person__is_active=True,
    )


def is_system_admin(user: AnyUser) -> bool:
    """Administers the whole organisation: ``manage_organisation`` at every top unit.

    An installation may hold several committees; administering one of them
    does not make a person administrator of the others, nor of what they
    share (roles, people without a role).
    """
    cached = getattr(user, _ADMIN_CACHE_ATTR, None)
    if cached is not None:
        return cached
    held = {p for p in scope_paths(user, MANAGE_ORGANISATION) if len(p) == Unit.steplen}
    result = bool(held) and held >= set(Unit.objects.filter(depth=1, is_active=True).values_list("path", flat=True))
    setattr(user, _ADMIN_CACHE_ATTR, result)
    return result


def path_condition(user: AnyUser, capability: str, lookup: str) -> Q | None:
    """A Q limiting ``lookup`` (a path field) to the person's scope, or None."""
    paths = scope_paths(user, capability)
    if not paths:
        return None
    condition = Q()
    for p in paths:
        condition |= Q(**{f"{lookup}__startswith": p})
    return condition


# --- Policies per model ------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """How one model is scoped: by a unit path and one capability per action."""

    path_lookup: str
    capabilities: dict[str, str]
    unit_of: Callable[[Any], Unit] | None = None

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        capability = self.capabilities.get(action)
        condition = path_condition(user, capability, self.path_lookup) if capability else None
        return qs.filter(condition) if condition is not None else qs.none()

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        capability = self.capabilities.get(action)
        if capability is None or self.unit_of is None:
            return False
        return has_capability(user, capability, self.unit_of(obj))


class PersonPolicy(Policy):
    """People are seen through the units where they hold (or held) a role.

    A person always sees themselves; system administrators see everyone,
    including people who hold no role yet. Changing a person (details,
    roles, deactivation) needs ``manage_organisation`` over every unit where
    they hold a current or future role: a scoped administrator cannot reach
    someone who also works elsewhere, nor hand their roles on.
    """

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not user.is_authenticated:
            return qs.none()
        if is_system_admin(user):
            return qs
        if action == "change":
            manage = path_condition(user, MANAGE_ORGANISATION, "unit__path")
            if manage is None:
                return qs.none()
            in_scope = RoleAssignment.objects.filter(manage).values("person_id")
            elsewhere = RoleAssignment.objects.current_or_future().exclude(manage).values("person_id")
            return qs.filter(pk__in=in_scope).exclude(pk__in=elsewhere)
        condition = path_condition(user, VIEW_ASSIGNMENTS, "unit__path")
        own = Q(pk=user.pk)
        if condition is None:
            return qs.filter(own)
        in_scope = RoleAssignment.objects.filter(condition).values("person_id")
        return qs.filter(own | Q(pk__in=in_scope))

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if action == "history":
            action = "view"
        return self.filter(user, User.objects.filter(pk=obj.pk), action).exists()


class RolePolicy(Policy):
    """Roles are organisation-wide: read by those who see assignments,
    changed by system administrators only."""

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        return qs if self.allows(user, None, action) else qs.none()

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if action in {"view", "history"}:
            return has_capability(user, VIEW_ASSIGNMENTS) or has_capability(user, MANAGE_ORGANISATION)
        if action == "change":
            return is_system_admin(user)
        return False


class OwnerPolicy(Policy):
    """Objects that belong to the person who created them (background jobs)."""

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not user.is_authenticated:
            return qs.none()
        return qs.filter(**{self.path_lookup: user.pk})

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        return user.is_authenticated and getattr(obj, f"{self.path_lookup}_id", None) == user.pk


_POLICIES: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model], policy: Policy) -> None:
    """Declare how ``model`` is scoped. Apps call this from ``AppConfig.ready``."""
    _POLICIES[model] = policy


def policy_for(model: type[models.Model]) -> Policy:
    try:
        return _POLICIES[model]
    except KeyError:
        raise LookupError(f"No access policy registered for {model.__name__}") from None


register(
    Unit,
    Policy(
        path_lookup="path",
        capabilities={
            "view": VIEW_UNIT,
            "change": MANAGE_ORGANISATION,
            "view_assignments": VIEW_ASSIGNMENTS,
            "history": VIEW_ASSIGNMENTS,
        },
        unit_of=lambda unit: unit,
    ),
)
register(
    RoleAssignment,
    Policy(
        path_lookup="unit__path",
        capabilities={"view": VIEW_ASSIGNMENTS, "change": MANAGE_ORGANISATION, "history": VIEW_ASSIGNMENTS},
        unit_of=lambda a: a.unit,
    ),
)
register(User, PersonPolicy(path_lookup="", capabilities={}))
register(Role, RolePolicy(path_lookup="", capabilities={}))
register(BackgroundJob, OwnerPolicy(path_lookup="created_by", capabilities={}))


# --- The functions views call -----------------------------------------------


def filter_for_user(user: AnyUser, qs: models.QuerySet[M], action: str = "view") -> models.QuerySet[M]:
    """``qs`` narrowed to the objects the person may ``action``."""
    return policy_for(qs.model).filter(user, qs, action)


def for_user(user: AnyUser, model: type[M], action: str = "view") -> models.QuerySet[M]:
    return filter_for_user(user, model._default_manager.all(), action)


def can(user: AnyUser, obj: models.Model, action: str) -> bool:
    """May the person ``action`` this object they already hold?"""
    return policy_for(type(obj)).allows(user, obj, action)


def get_for_user(
    user: AnyUser,
    model_or_qs: type[M] | models.QuerySet[M],
    pk: Any,
    action: str = "view",
) -> M:
    """Fetch one object and check access in one step.

    Raises Http404 when the person may not see the object (no hint that it
    exists) and PermissionDenied when they may see it but not ``action``.
    """
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs._default_manager.all()
    try:
        obj = filter_for_user(user, qs, "view").get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError):
        # ValidationError/ValueError: a malformed id is as unknown as a missing one.
        raise Http404 from None
    if action != "view" and not can(user, obj, action):
        raise PermissionDenied
    return obj
