"""Writes to the organisation: units, roles, people and assignments.

Every function here is a transaction, takes keyword arguments, records who
acted and why in the history, and raises ``DomainError`` with a translated
message when the change is not allowed. Access (may ``by`` do this at all)
is checked by the caller through ``ledningssystem.access``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ledningssystem import access
from ledningssystem.history import save_tracked
from ledningssystem.models import Role, RoleAssignment, Unit, User
from ledningssystem.models.organisation import ALLOWED_CHILD_KINDS, MAX_UNIT_DEPTH, UnitKind


class DomainError(Exception):
    """A change the rules do not allow; ``message`` is shown to the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """Someone else saved the object after the form was opened."""


def _ensure_a_system_administrator_remains(excluding: User | None = None) -> None:
    """Refuse a change that would leave nobody able to administer everything.

    Called inside the transaction after the change (raising rolls it back);
    ``excluding`` is someone about to lose the role, counted out in advance.
    """
    if not Unit.objects.filter(depth=1, is_active=True).exists():
        return
    candidates = User.objects.filter(
        is_active=True,
        assignments__role__permissions__codename=access.MANAGE_ORGANISATION,
        assignments__unit__depth=1,
    ).distinct()
    if excluding is not None:
        candidates = candidates.exclude(pk=excluding.pk)
    for person in candidates:
        access.forget_cached_access(person)
        if access.is_system_admin(person):
            return
    raise DomainError(_("At least one active person must remain administrator of the whole organisation."), None)


def _bump_version(model: type[Any], obj: Any, expected: int | None) -> None:
    """Optimistic lock: refuse to overwrite a change the person has not seen."""
    qs = model._default_manager.filter(pk=obj.pk)
    if expected is not None:
        qs = qs.filter(version=expected)
    if qs.update(version=F("version") + 1) != 1:
        raise ConflictError(
            _("Someone else changed this while you were editing. Reload the page to see their change, then try again.")
        )
    obj.version = (expected or obj.version) + 1


# --- Units -------------------------------------------------------------------


def _check_kind(parent: Unit | None, kind: str) -> None:
    if parent is None:
        if kind != UnitKind.COMMITTEE:
            raise DomainError(_("A unit at the top of the organisation must be a committee."), "kind")
        return
    if kind not in ALLOWED_CHILD_KINDS.get(parent.kind, set()):
        raise DomainError(
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {"kind": UnitKind(kind).label.lower(), "parent": UnitKind(parent.kind).label.lower()},
            "kind",
        )
    if parent.depth >= MAX_UNIT_DEPTH:
        raise DomainError(_("The organisation can be at most %(n)d levels deep.") % {"n": MAX_UNIT_DEPTH}, "parent")


@transaction.atomic
def unit_create(
    *, parent: Unit | None, name: str, kind: str, by: User | None, code: str = "", description: str = ""
) -> Unit:
    """Create a unit below ``parent`` (or a new top-level committee)."""
    _check_kind(parent, kind)
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
        if Unit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1, name__iexact=name).exists():
            raise DomainError(_("There is already a unit with this name here."), "name")
    unit = Unit(name=name, kind=kind, code=code, description=description, parent=parent)
    unit._history_user = by  # type: ignore[attr-defined]
    unit._change_reason = "unit.created"  # type: ignore[attr-defined]
    unit = parent.add_child(instance=unit) if parent is not None else Unit.add_root(instance=unit)
    return unit


@transaction.atomic
def unit_update(
    *,
    unit: Unit,
    by: User | None,
    version: int | None,
    name: str,
    kind: str,
    code: str,
    description: str,
    is_active: bool,
) -> Unit:
    """Change a unit's own fields (not its place in the tree)."""
    parent = unit.get_parent()
    _check_kind(parent, kind)
    if kind != unit.kind:
        children_kinds = set(unit.get_children().values_list("kind", flat=True))
        if children_kinds - ALLOWED_CHILD_KINDS.get(kind, set()):
            raise DomainError(_("The units below this one cannot sit under the new kind."), "kind")
    if (
        parent is not None
        and name.lower() != unit.name.lower()
        and Unit.objects.filter(path__startswith=parent.path, depth=unit.depth, name__iexact=name)
        .exclude(pk=unit.pk)
        .exists()
    ):
        raise DomainError(_("There is already a unit with this name here."), "name")
    if not is_active and unit.is_active:
        if unit.get_descendants().filter(is_active=True).exists():
            raise DomainError(_("Deactivate the units below this one first."), "is_active")
        holders = RoleAssignment.objects.current_or_future().filter(unit=unit).count()
        if holders:
            raise DomainError(
                ngettext(
                    "%(n)d person still holds a role at this unit. End or move the role first.",
                    "%(n)d people still hold roles at this unit. End or move the roles first.",
                    holders,
                )
                % {"n": holders},
                "is_active",
            )
    if is_active and not unit.is_active and parent is not None and not parent.is_active:
        raise DomainError(_("The unit above is inactive; activate it first."), "is_active")
    _bump_version(Unit, unit, version)
    unit.name, unit.kind, unit.code, unit.description, unit.is_active = name, kind, code, description, is_active
    save_tracked(unit, by=by, reason="unit.updated")
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit, by: User | None) -> Unit:
    """Move a unit, with everything below it, under ``new_parent`` (a reorganisation).

    Role assignments stay on their units, so people's scopes follow the move.
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    new_parent = Unit.objects.select_for_update().get(pk=new_parent.pk)
    if unit.depth == 1:
        raise DomainError(_("A committee at the top of the organisation cannot be moved."), "parent")
    if new_parent.path.startswith(unit.path):
        raise DomainError(_("A unit cannot be moved into itself or below itself."), "parent")
    if unit.path.startswith(new_parent.path) and unit.depth == new_parent.depth + 1:
        raise DomainError(_("The unit already sits there."), "parent")
    if not new_parent.is_active:
        raise DomainError(_("The unit is inactive."), "parent")
    _check_kind(new_parent, unit.kind)
    deepest = Unit.objects.filter(path__startswith=unit.path).aggregate(d=models.Max("depth"))["d"]
    if new_parent.depth + 1 + (deepest - unit.depth) > MAX_UNIT_DEPTH:
        raise DomainError(_("The organisation can be at most %(n)d levels deep.") % {"n": MAX_UNIT_DEPTH}, "parent")
    if Unit.objects.filter(
        path__startswith=new_parent.path, depth=new_parent.depth + 1, name__iexact=unit.name
    ).exists():
        raise DomainError(_("There is already a unit with this name here."), "parent")
    unit.move(new_parent, pos="sorted-child")
    unit = Unit.objects.get(pk=unit.pk)
    _bump_version(Unit, unit, None)
    unit.parent = new_parent
    save_tracked(unit, by=by, reason="unit.moved")
    return unit


# --- Roles -------------------------------------------------------------------


@transaction.atomic
def role_create(
    *,
    name: str,
    slug: str,
    description: str,
    permissions: Iterable[Permission],
    by: User | None,
    is_builtin: bool = False,
    sort_order: int = 100,
) -> Role:
    role = Role(name=name, slug=slug, description=description, is_builtin=is_builtin, sort_order=sort_order)
    try:
        with transaction.atomic():
            save_tracked(role, by=by, reason="role.created")
    except IntegrityError:
        raise DomainError(_("A role with this name or identifier already exists."), "name") from None
    _set_role_permissions(role, permissions)
    return role


def _set_role_permissions(role: Role, permissions: Iterable[Permission]) -> None:
    allowed = set(access.capability_permissions().values_list("pk", flat=True))
    wanted = [p for p in permissions if p.pk in allowed]
    role.permissions.set(wanted)
    access.role_sync_permissions(role)


@transaction.atomic
def role_update(
    *,
    role: Role,
    by: User | None,
    version: int | None,
    name: str,
    description: str,
    permissions: Iterable[Permission],
) -> Role:
    """Rename a role and choose what it may do; holders' access follows at once."""
    _bump_version(Role, role, version)
    role.name, role.description = name, description
    try:
        with transaction.atomic():
            save_tracked(role, by=by, reason="role.updated")
    except IntegrityError:
        raise DomainError(_("A role with this name already exists."), "name") from None
    _set_role_permissions(role, permissions)
    _ensure_a_system_administrator_remains()
    return role


# --- People ------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    title: str,
    phone: str,
    language: str,
    password: str | None,
    role: Role,
    unit: Unit,
    start_date: datetime.date,
    by: User | None,
) -> User:
    """Create a person with a first role assignment (so someone can see them)."""
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("The user name is already taken."), "username")
    person = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        title=title,
        phone=phone,
        language=language,
    )
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    try:
        with transaction.atomic():  # a simultaneous submit with the same name hits the unique index
            save_tracked(person, by=by, reason="person.created")
    except IntegrityError:
        raise DomainError(_("The user name is already taken."), "username") from None
    assignment_create(person=person, role=role, unit=unit, start_date=start_date, end_date=None, by=by)
    return person


@transaction.atomic
def person_update(
    *,
    person: User,
    by: User | None,
    version: int | None,
    first_name: str,
    last_name: str,
    email: str,
    title: str,
    phone: str,
    language: str,
) -> User:
    _bump_version(User, person, version)
    person.first_name, person.last_name, person.email = first_name, last_name, email
    person.title, person.phone, person.language = title, phone, language
    save_tracked(person, by=by, reason="person.updated")
    return person


def person_set_language(*, person: User, language: str) -> None:
    person.language = language
    save_tracked(person, by=person, reason="person.language_changed", update_fields=["language"])


# Later capabilities register what "open work" a person can hand over
# (deviations to investigate, actions to complete …).
@dataclass(frozen=True)
class HandoverProvider:
    label: Callable[[], str]
    count: Callable[[User], int]
    transfer: Callable[[User, User, User | None], int]


HANDOVER_PROVIDERS: list[HandoverProvider] = []


def register_handover(provider: HandoverProvider) -> None:
    HANDOVER_PROVIDERS.append(provider)


def person_open_work(person: User) -> list[tuple[str, int]]:
    return [(p.label(), n) for p in HANDOVER_PROVIDERS if (n := p.count(person))]


@transaction.atomic
def person_deactivate(
    *,
    person: User,
    by: User | None,
    successor: User | None,
    transfer_roles: bool,
    end_date: datetime.date | None = None,
) -> User:
    """End the person's roles, hand open work to ``successor`` and lock the account.

    Nothing is deleted: history, reports and decisions keep pointing at the person.
    """
    if by is not None and person.pk == by.pk:
        raise DomainError(_("You cannot deactivate your own account."))
    if not person.is_active:
        raise DomainError(_("The person is already deactivated."))
    if successor is not None and (successor.pk == person.pk or not successor.is_active):
        raise DomainError(_("Choose an active person other than the one being deactivated."), "successor")
    if successor is None and (transfer_roles or person_open_work(person)):
        raise DomainError(_("Choose a successor to hand the open work to."), "successor")
    day = end_date or timezone.localdate()
    for assignment in (
        RoleAssignment.objects.current_or_future(day).filter(person=person).select_related("role", "unit")
    ):
        if transfer_roles and successor is not None:
            already = RoleAssignment.objects.current_or_future(day).filter(
                person=successor, role=assignment.role, unit=assignment.unit
            )
            if not already.exists():
                handed = RoleAssignment(
                    person=successor,
                    role=assignment.role,
                    unit=assignment.unit,
                    start_date=max(day, assignment.start_date),
                    end_date=assignment.end_date,  # a fixed-term role stays fixed-term
                )
                save_tracked(handed, by=by, reason="assignment.handed_over")
        if assignment.start_date > day:
            assignment.end_date = assignment.start_date
        else:
            assignment.end_date = day
        save_tracked(assignment, by=by, reason="assignment.ended")
    if successor is not None:
        for provider in HANDOVER_PROVIDERS:
            provider.transfer(person, successor, by)
    person.is_active = False
    person.deactivated_at = timezone.now()
    person.successor = successor
    person.version += 1
    save_tracked(person, by=by, reason="person.deactivated")
    access.person_sync_access(person)
    if successor is not None:
        access.person_sync_access(successor)
    _ensure_a_system_administrator_remains()
    return person


@transaction.atomic
def person_reactivate(*, person: User, by: User | None) -> User:
    person.is_active = True
    person.deactivated_at = None
    person.version += 1
    save_tracked(person, by=by, reason="person.reactivated")
    return person


# --- Assignments -------------------------------------------------------------


@transaction.atomic
def assignment_create(
    *,
    person: User,
    role: Role,
    unit: Unit,
    start_date: datetime.date,
    end_date: datetime.date | None,
    by: User | None,
) -> RoleAssignment:
    """Give ``person`` ``role`` at ``unit`` for a period; access follows at once."""
    if end_date is not None and end_date < start_date:
        raise DomainError(_("The end date cannot be before the start date."), "end_date")
    if not person.is_active:
        raise DomainError(_("The person is deactivated and cannot be given roles."), "person")
    if not unit.is_active:
        raise DomainError(_("The unit is inactive."), "unit")
    # Lock the person's row so two simultaneous submissions cannot both pass
    # the overlap check.
    User.objects.select_for_update().filter(pk=person.pk).first()
    overlapping = (
        RoleAssignment.objects.filter(person=person, role=role, unit=unit)
        .filter(start_date__lte=end_date or datetime.date.max)
        .exclude(end_date__lt=start_date)
    )
    if overlapping.exists():
        raise DomainError(_("The person already holds this role at this unit during that period."), "role")
    assignment = RoleAssignment(person=person, role=role, unit=unit, start_date=start_date, end_date=end_date)
    save_tracked(assignment, by=by, reason="assignment.created")
    access.person_sync_access(person)
    return assignment


@transaction.atomic
def assignment_end(*, assignment: RoleAssignment, end_date: datetime.date, by: User | None) -> RoleAssignment:
    if end_date < assignment.start_date:
        raise DomainError(_("The end date cannot be before the start date."), "end_date")
    if assignment.end_date is not None and assignment.end_date < end_date:
        raise DomainError(_("The assignment already ends earlier."), "end_date")
    if assignment.unit.depth == 1 and assignment.role.permissions.filter(codename=access.MANAGE_ORGANISATION).exists():
        _ensure_a_system_administrator_remains(excluding=assignment.person)
    assignment.end_date = end_date
    save_tracked(assignment, by=by, reason="assignment.ended")
    access.person_sync_access(assignment.person)
    return assignment


def is_last_assignment(assignment: RoleAssignment) -> bool:
    """Would ending ``assignment`` leave the person with no current role?"""
    return not (
        RoleAssignment.objects.current_or_future().filter(person_id=assignment.person_id).exclude(pk=assignment.pk)
    ).exists()
