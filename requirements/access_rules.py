"""How the requirement catalogue plugs into the shared core.

The catalogue is public law: every logged-in person may read it and its
history. Importing a framework changes the catalogue for the whole
organisation, so it is for system administrators only.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from ledningssystem import access, history
from ledningssystem.access import AnyUser, Policy
from requirements.models import Framework, ImportDraft, Requirement, Section

READ_ACTIONS = {"view", "history"}


class CataloguePolicy(Policy):
    """Read by everyone logged in; changed (imported) by system administrators."""

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        return qs if self.allows(user, None, action) else qs.none()

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if not (user.is_authenticated and user.is_active):
            return False
        if action in READ_ACTIONS:
            return True
        return access.is_system_admin(user)


def can_import(user: AnyUser) -> bool:
    return user.is_authenticated and user.is_active and access.is_system_admin(user)


class DraftPolicy(Policy):
    """An upload is seen and confirmed only by the administrator who made it."""

    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not can_import(user):
            return qs.none()
        return qs.filter(created_by=user.pk)

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        return can_import(user) and obj.created_by_id == user.pk


for model in (Framework, Section, Requirement):
    access.register(model, CataloguePolicy(path_lookup="", capabilities={}))
access.register(ImportDraft, DraftPolicy(path_lookup="", capabilities={}))

history.register_history("framework", Framework)
history.register_history("requirement", Requirement)
history.REASONS.update(
    {
        "framework.created": _("Framework imported for the first time"),
        "framework.imported": _("Framework updated from a file"),
        "requirement.imported": _("Updated from a framework file"),
        "requirement.deactivated": _("No longer in the framework file; deactivated"),
        "requirement.import_previewed": _("Framework file uploaded for preview"),
        "requirement.import_confirmed": _("Framework file applied"),
    }
)
