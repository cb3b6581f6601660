"""Who reads, writes and produces the handbook (registered with ``ledningssystem.access``).

The handbook of a unit holds the approved routines and processes that apply
to the unit and every unit below it. So it is read by those whose
``view_unit`` scope holds the whole unit (the unit is inside their scope):
they read its handbook texts and list and download the PDFs (renditions)
made for it. A care worker reads the handbook of their own unit, which
gathers what applies to them; the handbook of the whole administration,
which lists other sections' routines, is for those who see the whole
administration.

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
    VIEW_UNIT,
    AnyUser,
    Policy,
)
from ledningssystem.models import Unit
from reports.models import HandbookRendition, HandbookText

GENERATE_CAPABILITIES = (MANAGE_DOCUMENTS, APPROVE_DOCUMENTS, VIEW_STATISTICS)


def _authenticated(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def handbook_units(user: AnyUser) -> models.QuerySet[Unit]:
    """Active units whose handbook the person may read: those inside their view scope."""
    if not _authenticated(user):
        return Unit.objects.none()
    return access.units_for_user(user, VIEW_UNIT).filter(is_active=True)


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
    """Texts and renditions: read inside the person's view scope; texts changed with ``manage_documents``."""

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not _authenticated(user):
            return qs.none()
        if action in {"view", "history"}:
            condition = access.path_condition(user, VIEW_UNIT, "unit__path")
        elif action == "change" and qs.model is HandbookText:
            condition = access.path_condition(user, MANAGE_DOCUMENTS, "unit__path")
        else:
            condition = None
        return qs.filter(condition) if condition is not None else qs.none()

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if not _authenticated(user):
            return False
        if action in {"view", "history"}:
            return access.has_capability(user, VIEW_UNIT, obj.unit)
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
