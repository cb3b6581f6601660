"""How actions plug into the shared core: access policy and history.

Who sees an action:
* its owner,
* those who handle the source at the action's unit: ``handle_deviations``
  for an ordinary action, ``handle_lex_sarah`` for a restricted one (its
  source is a lex Sarah case).

The owner reports progress and may record the effect; changing what the
action is (title, owner, due date) or cancelling it is for handlers.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actions.models import Action
from ledningssystem import access, history, services
from ledningssystem.access import AnyUser, Policy
from ledningssystem.views import home


def _handling(user: AnyUser) -> Q:
    condition = Q(pk__in=[])
    handle = access.path_condition(user, access.HANDLE_DEVIATIONS, "unit__path")
    if handle is not None:
        condition |= handle & Q(is_restricted=False)
    lex = access.path_condition(user, access.HANDLE_LEX_SARAH, "unit__path")
    if lex is not None:
        condition |= lex & Q(is_restricted=True)
    return condition


def handles(user: AnyUser, action: Action) -> bool:
    capability = access.HANDLE_LEX_SARAH if action.is_restricted else access.HANDLE_DEVIATIONS
    return access.has_capability(user, capability, action.unit)


class ActionPolicy(Policy):
    def filter(self, user: AnyUser, qs: models.QuerySet[Any], action: str) -> models.QuerySet[Any]:
        if not user.is_authenticated:
            return qs.none()
        condition = _handling(user)
        if action in ("view", "progress"):
            condition |= Q(owner_id=user.pk)
        return qs.filter(condition)

    def allows(self, user: AnyUser, obj: Any, action: str) -> bool:
        if not user.is_authenticated:
            return False
        if action in ("view", "progress") and obj.owner_id == user.pk:
            return True
        return handles(user, obj)


access.register(Action, ActionPolicy(path_lookup="unit__path", capabilities={}))
history.register_history("action", Action)
history.REASONS.update(
    {
        "action.created": _("Action created"),
        "action.updated": _("Action updated"),
        "action.started": _("Action started"),
        "action.done": _("Action done"),
        "action.cancelled": _("Action cancelled"),
        "action.reopened": _("Action reopened"),
        "action.effect_recorded": _("Effect recorded"),
        "action.handed_over": _("Action handed over to successor"),
    }
)


def _my_page_section(request: Any) -> tuple[str, dict[str, int]] | None:
    """Min sida: how many of the person's own actions are open, late or await their effect."""
    from actions.selectors import counts_for_owner

    counts = counts_for_owner(request.user)
    if not any(counts.values()):
        return None
    return "actions/_my_page.html", counts


home.MY_PAGE_SECTIONS.append(_my_page_section)


def _count_open(person: Any) -> int:
    return Action.objects.open().filter(owner=person).count()


def _hand_over(person: Any, successor: Any, by: Any) -> int:
    """The successor takes over the person's open actions; the history says so."""
    moved = 0
    for action in Action.objects.open().filter(owner=person):
        action.owner = successor
        action.version += 1
        history.save_tracked(action, by=by, reason="action.handed_over")
        moved += 1
    return moved


services.register_handover(
    services.HandoverProvider(label=lambda: str(_("Actions to carry out")), count=_count_open, transfer=_hand_over)
)
