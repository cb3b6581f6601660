"""Focus areas (fokusområden) and the responsibilities of each role (Ansvarsfördelning).

Writes and the reads that combine levels of the organisation. Callers
check access through ``ledningssystem.access`` first (``change`` on the
focus area or responsibility, or ``may_define_at`` for a new one); these
functions check the rules, run in one transaction and record who acted and
why in the history.

A focus area or a role's responsibility is defined at a unit and holds for
the units below it. For a unit, the focus areas in effect are those defined
at the unit and above; a role's responsibility is the text recorded nearest
above (or at) the unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from ledningssystem.history import save_tracked
from ledningssystem.models import Role, Unit, User
from ledningssystem.services import ConflictError, DomainError
from requirements.models import FocusArea, FocusAreaResponsibility, FollowUpMethod, Requirement, RoleResponsibility

MAX_TEXT = 20_000
MAX_REQUIREMENTS = 1_000


def _lineage(unit: Unit) -> list[str]:
    return [*unit.ancestor_paths, unit.path]


def _stale() -> ConflictError:
    return ConflictError(
        _("Someone else changed this while you were editing. Reload the page to see their change, then try again.")
    )


# --- Reads -------------------------------------------------------------------


def focus_areas_for_unit(unit: Unit, *, include_inactive: bool = False) -> QuerySet[FocusArea]:
    """Focus areas in effect at ``unit``: defined there or above, nearest level last (fixed queries)."""
    qs = FocusArea.objects.filter(unit__path__in=_lineage(unit)).select_related("unit")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("unit__path", "position", "title").prefetch_related(
        "follow_up_methods",
        Prefetch("responsibilities", queryset=FocusAreaResponsibility.objects.select_related("role")),
    )


@dataclass
class EffectiveResponsibility:
    role: Role
    text: str
    defined_at: Unit | None
    record: RoleResponsibility | None
    inherited: bool


def effective_responsibilities(unit: Unit, roles: Iterable[Role] | None = None) -> list[EffectiveResponsibility]:
    """Per role, the responsibility in effect at ``unit``: the text nearest at or above it (two queries).

    Roles without a text anywhere above are listed with an empty text, so a
    page can offer to write one.
    """
    roles = list(roles if roles is not None else Role.objects.order_by("sort_order", "name"))
    records = RoleResponsibility.objects.filter(unit__path__in=_lineage(unit)).select_related("unit")
    nearest: dict[int, RoleResponsibility] = {}
    for record in records:
        current = nearest.get(record.role_id)
        if current is None or len(record.unit.path) > len(current.unit.path):
            nearest[record.role_id] = record
    result = []
    for role in roles:
        record = nearest.get(role.pk)
        result.append(
            EffectiveResponsibility(
                role=role,
                text=record.text if record else "",
                defined_at=record.unit if record else None,
                record=record,
                inherited=bool(record and record.unit_id != unit.pk),
            )
        )
    return result


# --- Focus areas ---------------------------------------------------------------


def _check(*, key: str, title: str, texts: Mapping[str, str], requirements: Iterable[Requirement]) -> list[Requirement]:
    if not key.strip():
        raise DomainError(_("Give the focus area a key."), "key")
    if not title.strip():
        raise DomainError(_("Give the focus area a title."), "title")
    for name, value in texts.items():
        if len(value) > MAX_TEXT:
            raise DomainError(_("The text is too long (at most %(n)d characters).") % {"n": MAX_TEXT}, name)
    wanted = list(requirements)
    if len(wanted) > MAX_REQUIREMENTS:
        raise DomainError(_("Choose at most %(n)d requirements.") % {"n": MAX_REQUIREMENTS}, "requirements")
    return wanted


def _set_responsibilities(area: FocusArea, responsibilities: Mapping[Role, str], by: User | None) -> None:
    existing = {r.role_id: r for r in area.responsibilities.all()}
    for position, (role, text) in enumerate(responsibilities.items()):
        text = (text or "").strip()
        record = existing.pop(role.pk, None)
        if not text:
            if record is not None:
                record._history_user = by  # type: ignore[attr-defined]
                record._change_reason = "focusarea.updated"  # type: ignore[attr-defined]
                record.delete()
            continue
        if len(text) > MAX_TEXT:
            raise DomainError(_("The text is too long (at most %(n)d characters).") % {"n": MAX_TEXT})
        if record is None:
            record = FocusAreaResponsibility(focus_area=area, role=role)
        if record.text != text or record.position != position or record.pk is None:
            record.text, record.position = text, position
            save_tracked(record, by=by, reason="focusarea.updated")


@transaction.atomic
def focus_area_create(
    *,
    unit: Unit,
    by: User | None,
    key: str,
    title: str,
    description: str = "",
    how: str = "",
    follow_up: str = "",
    follow_up_methods: Iterable[FollowUpMethod] = (),
    requirements: Iterable[Requirement] = (),
    responsibilities: Mapping[Role, str] | None = None,
    position: int | None = None,
) -> FocusArea:
    """Define a focus area at ``unit``. Raises DomainError on a duplicate key or bad input."""
    texts = {"description": description, "how": how, "follow_up": follow_up}
    wanted = _check(key=key, title=title, texts=texts, requirements=requirements)
    if not unit.is_active:
        raise DomainError(_("The unit is inactive."), "unit")
    if FocusArea.objects.filter(unit=unit, key=key).exists():
        raise DomainError(_("There is already a focus area with this key at the unit."), "key")
    if position is None:
        position = FocusArea.objects.filter(unit=unit).count() + 1
    area = FocusArea(unit=unit, key=key.strip(), title=title.strip(), position=position, **texts)
    try:
        with transaction.atomic():
            save_tracked(area, by=by, reason="focusarea.created")
    except IntegrityError:
        raise DomainError(_("There is already a focus area with this key at the unit."), "key") from None
    area.follow_up_methods.set(list(follow_up_methods))
    area.requirements.set(wanted)
    _set_responsibilities(area, responsibilities or {}, by)
    return area


@transaction.atomic
def focus_area_update(
    *,
    area: FocusArea,
    by: User | None,
    version: int | None,
    title: str,
    description: str,
    how: str,
    follow_up: str,
    follow_up_methods: Iterable[FollowUpMethod],
    requirements: Iterable[Requirement],
    responsibilities: Mapping[Role, str],
) -> FocusArea:
    """Change a focus area; ``version`` is what the person saw (optimistic locking)."""
    texts = {"description": description, "how": how, "follow_up": follow_up}
    wanted = _check(key=area.key, title=title, texts=texts, requirements=requirements)
    current = FocusArea.objects.select_for_update().get(pk=area.pk)
    if version is not None and current.version != version:
        raise _stale()
    current.title = title.strip()
    for name, value in texts.items():
        setattr(current, name, value)
    current.version += 1
    save_tracked(current, by=by, reason="focusarea.updated")
    current.follow_up_methods.set(list(follow_up_methods))
    current.requirements.set(wanted)
    _set_responsibilities(current, responsibilities, by)
    return current


@transaction.atomic
def focus_area_set_active(*, area: FocusArea, by: User | None, version: int | None, is_active: bool) -> FocusArea:
    """Deactivate (or bring back) a focus area. Links from routines stay; lists and the matrix skip it."""
    current = FocusArea.objects.select_for_update().get(pk=area.pk)
    if version is not None and current.version != version:
        raise _stale()
    if current.is_active == is_active:
        return current
    current.is_active = is_active
    current.version += 1
    save_tracked(current, by=by, reason="focusarea.deactivated" if not is_active else "focusarea.reactivated")
    return current


# --- Role responsibilities ----------------------------------------------------------


@transaction.atomic
def role_responsibility_set(
    *, unit: Unit, role: Role, by: User | None, text: str, version: int | None
) -> RoleResponsibility | None:
    """Record what ``role`` is responsible for at ``unit``; an empty text clears it (the level above applies).

    ``version`` is the version the person saw, or None when there was no text at this unit.
    """
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise DomainError(_("The text is too long (at most %(n)d characters).") % {"n": MAX_TEXT}, "text")
    current = RoleResponsibility.objects.select_for_update().filter(unit=unit, role=role).first()
    if current is None and version is not None:
        raise _stale()  # it was cleared while the person was editing
    if current is not None and current.version != version:
        raise _stale()
    if not text:
        if current is not None:
            current._history_user = by  # type: ignore[attr-defined]
            current._change_reason = "responsibility.cleared"  # type: ignore[attr-defined]
            current.delete()
        return None
    if current is None:
        if not unit.is_active:
            raise DomainError(_("The unit is inactive."), "text")
        current = RoleResponsibility(unit=unit, role=role, text=text)
        try:
            with transaction.atomic():
                save_tracked(current, by=by, reason="responsibility.updated")
        except IntegrityError:
            raise _stale() from None
        return current
    current.text = text
    current.version += 1
    save_tracked(current, by=by, reason="responsibility.updated")
    return current


def responsibilities_by_role(data: Mapping[str, Any], roles: Iterable[Role], prefix: str = "resp_") -> dict[Role, str]:
    """The per-role texts of a submitted form (``resp_<role id>``)."""
    return {role: data.get(f"{prefix}{role.pk}") or "" for role in roles}
