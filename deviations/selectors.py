"""What deviation screens read, already limited to what the person may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models

from deviations.access_rules import with_sensitivity
from deviations.models import Deviation
from ledningssystem import access
from ledningssystem.models import User


@dataclass(frozen=True)
class InboxFilter:
    status: str = ""
    unit_id: int | None = None
    category_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    lex_sarah: str = ""  # "", "yes", "no"
    sort: str = "-reported_at"


SORTS = {
    "-reported_at": ("-reported_at", "-pk"),
    "reported_at": ("reported_at", "pk"),
    "-occurred_at": ("-occurred_at", "-pk"),
    "unit": ("unit__path", "-reported_at"),
    "status": ("status", "-reported_at"),
}


def deviation_list_for_user(user: User, filters: InboxFilter) -> models.QuerySet[Deviation]:
    """The inbox: deviations the person handles, filtered and sorted, joined for the list."""
    qs = access.filter_for_user(user, Deviation.objects.all(), "handle")
    if filters.status == "open":
        qs = qs.open()
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.unit_id:
        unit = access.units_for_user(user).filter(pk=filters.unit_id).first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    # Local calendar dates (Europe/Stockholm), whatever the range typed.
    if filters.date_from:
        qs = qs.filter(reported_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(reported_at__date__lte=filters.date_to)
    if filters.lex_sarah == "yes":
        qs = qs.filter(is_lex_sarah=True)
    elif filters.lex_sarah == "no":
        qs = qs.filter(is_lex_sarah=False)
    return qs.select_related("unit", "category", "handler").order_by(*SORTS.get(filters.sort, SORTS["-reported_at"]))


def deviation_reported_by(user: User) -> models.QuerySet[Deviation]:
    """'Mina rapporter': what the person reported, newest first."""
    return Deviation.objects.filter(reported_by=user).select_related("unit", "category").order_by("-reported_at")


def deviation_get_for_user(user: User, pk: Any) -> Deviation:
    related = with_sensitivity(Deviation.objects.select_related("unit", "category", "handler", "reported_by"))
    return access.get_for_user(user, related.prefetch_related("attachments"), pk)


def deviation_similar_candidates(user: User, deviation: Deviation) -> models.QuerySet[Deviation]:
    """Earlier deviations of the same kind or at the same unit that the person handles,
    plus those already linked (at most 20 suggestions, newest first)."""
    from django.db.models import Q

    since = deviation.reported_at - datetime.timedelta(days=730)
    visible = access.filter_for_user(user, Deviation.objects.all(), "handle")
    suggested = (
        visible.filter(Q(category_id=deviation.category_id) | Q(unit_id=deviation.unit_id))
        .filter(reported_at__lt=deviation.reported_at, reported_at__gte=since)
        .exclude(pk=deviation.pk)
        .order_by("-reported_at")
        .values_list("pk", flat=True)[:20]
    )
    linked = deviation.related.values_list("pk", flat=True)
    return (
        visible.filter(Q(pk__in=list(suggested)) | Q(pk__in=linked))
        .select_related("category", "unit")
        .order_by("-reported_at")
    )
