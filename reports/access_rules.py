"""Who reads, writes and produces the handbook (registered with ``ledningssystem.access``).

The handbook is made of approved material only, so reading follows the
reach of a person's view scope (as for focus areas and responsibilities in
processes/access_rules.py): everyone whose ``view_unit`` scope meets a unit
(the unit is inside their scope, or above a unit they belong to)

* reads the unit's handbook texts, and
* lists and downloads the handbook PDFs (renditions) made for the unit.

Changing a unit's handbook texts needs ``manage_documents`` at the unit (the
quality coordinator), as for the focus areas they introduce.

Producing a handbook for a unit needs ``manage_documents``,
``approve_documents`` or ``view_statistics`` at the unit: the coordinator,
the managers who approve routines, and the committee secretary who puts the
handbook before the committee.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from ledningssystem import access, history
from ledningssystem.access import (
    APPROVE_DOCUMENTS,
    MANAGE_DOCUMENTS,
    VIEW_STATISTICS,
    AnyUser,
    Policy,
)
from ledningssystem.models import Unit
from processes.access_rules import reach_condition, unit_in_reach
from reports.models import HandbookRendition, HandbookText

GENERATE_CAPABILITIES = (MANAGE_DOCUMENTS, APPROVE_DOCUMENTS, VIEW_STATISTICS)


def _authenticated(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def handbook_units(user: AnyUser) -> models.QuerySet[Unit]:
    """Active units whose handbook the person may read: those meeting their view scope."""
    condition = reach_condition(user, "path") if _authenticated(user) else None
    if condition is None:
        return Unit.objects.none()
    return Unit.objects.filter(condition, is_active=True)


def may_read_handbook(user: AnyUser, unit: Unit) -> bool:
    return _authenticated(user) and unit.is_active and unit_in_reach(user, unit)


def may_generate_handbook(user: AnyUser, unit: Unit | None = None) -> bool:
    """Produces the handbook PDF for ``unit`` (or for some unit, if None)."""
    if not _authenticated(user) or (unit is not None and not unit.is_active):
        return False
    return any(access.has_capability(user, capability, unit) for capability in GENERATE_CAPABILITIES)


def generatable_units(user: AnyUser) -> models.QuerySet[Unit]:
    """Active units the person may produce the handbook for."""
    if not _authenticated(user):
        return Unit.objects.none()
    paths = sorted({p for c in GENERATE_CAPABILITIES for p in access.scope_paths(user, c)})
    return Unit.objects.subtrees_of(paths).filter(is_active=True)


def may_edit_handbook_texts(user: AnyUser, unit: Unit) -> bool:
    return _authenticated(user) and unit.is_active and access.has_capability(user, MANAGE_DOCUMENTS, unit)


class HandbookPolicy(Policy):
    """Texts and renditions: read within reach of the unit; texts changed with ``manage_documents`` there."""

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not _authenticated(user):
            return qs.none()
        if action in {"view", "history"}:
            condition = reach_condition(user, "unit__path")
        elif action == "change" and qs.model is HandbookText:
            condition = access.path_condition(user, MANAGE_DOCUMENTS, "unit__path")
        else:
            condition = None
        return qs.filter(condition) if condition is not None else qs.none()

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if not _authenticated(user):
            return False
        if action in {"view", "history"}:
            return unit_in_reach(user, obj.unit)
        if action == "change" and isinstance(obj, HandbookText):
            return access.has_capability(user, MANAGE_DOCUMENTS, obj.unit)
        return False


access.register(HandbookText, HandbookPolicy(path_lookup="unit__path", capabilities={}))
access.register(HandbookRendition, HandbookPolicy(path_lookup="unit__path", capabilities={}))

history.REASONS.update(
    {
        "handbook.text_saved": _("Handbook text changed"),
        "handbook.rendered": _("Handbook produced"),
    }
)
