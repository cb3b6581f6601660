from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from actions.models import OPEN_ACTION_STATUSES, Action, ActionStatus
from ledningssystem import access


def action_list_for_user(user: Any, *, whose: str, show: str) -> QuerySet[Action]:
    """The actions a person owns, or those in the units they handle."""
    qs = access.filter_for_user(user, Action.objects.all(), "view")
    qs = qs.filter(owner=user) if whose == "mine" else access.filter_for_user(user, qs, "handle")
    if show == "open":
        qs = qs.open()
    elif show == "overdue":
        qs = qs.overdue()
    elif show == "effect":
        qs = qs.effect_pending()
    order = ["due_date", "pk"] if show != "all" else ["-created_at", "pk"]
    return qs.select_related("owner", "unit").order_by(*order)


def counts_for_owner(user: Any) -> dict[str, int]:
    """Open, overdue and effect-pending counts of a person's own actions, in one query."""
    today = timezone.localdate()
    open_q = Q(status__in=OPEN_ACTION_STATUSES)
    return Action.objects.filter(owner=user).aggregate(
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=open_q & Q(due_date__lt=today)),
        effect=Count("pk", filter=Q(status=ActionStatus.DONE, effect_result="")),
    )
