"""Linking routines and processes to requirements from the coverage matrix ("Koppla rutin").

The caller has checked that the person may change the document or process
(``processes.access_rules.may_change``) and may see the requirement. Each
function is one transaction, bumps the object's version (so an open edit
form on it notices) and records the change in its history.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ledningssystem.history import save_tracked
from ledningssystem.models import User
from ledningssystem.services import DomainError
from processes.models import Document, Process
from requirements.models import Requirement

LinkTarget = Document | Process


def _locked(target: LinkTarget) -> LinkTarget:
    return type(target).objects.select_for_update().get(pk=target.pk)


@transaction.atomic
def requirement_link(*, requirement: Requirement, target: LinkTarget, by: User | None) -> LinkTarget:
    """Say that ``target`` (a routine or a process) answers ``requirement``."""
    if not requirement.is_active:
        raise DomainError(_("The requirement is no longer in force in its framework."))
    current = _locked(target)
    if current.requirements.filter(pk=requirement.pk).exists():
        raise DomainError(_("It is already linked to this requirement."))
    current.requirements.add(requirement)
    current.version += 1
    save_tracked(current, by=by, reason="requirement.linked")
    return current


@transaction.atomic
def requirement_unlink(*, requirement: Requirement, target: LinkTarget, by: User | None) -> LinkTarget:
    """Remove the link between ``target`` and ``requirement``."""
    current = _locked(target)
    if not current.requirements.filter(pk=requirement.pk).exists():
        raise DomainError(_("It is not linked to this requirement."))
    current.requirements.remove(requirement)
    current.version += 1
    save_tracked(current, by=by, reason="requirement.unlinked")
    return current
