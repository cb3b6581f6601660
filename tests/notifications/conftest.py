from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from actions.models import Action
from deviations.models import Deviation
from notifications.models import Notification
from tests.deviations.conftest import report  # noqa: F401 - shared helper


def told(kind: str | None = None, key_prefix: str = "") -> set[str]:
    """Usernames that have a notification (of ``kind``)."""
    qs = Notification.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if key_prefix:
        qs = qs.filter(dedupe_key__startswith=key_prefix)
    return set(qs.values_list("recipient__username", flat=True))


def make_action(org, deviation: Deviation, *, owner=None, due_in_days: int = 14, status: str = "planned") -> Action:
    return Action.objects.create(
        title="Sätt upp halkskydd",
        owner=owner or org.staff_a,
        unit=deviation.unit,
        due_date=timezone.localdate() + datetime.timedelta(days=due_in_days),
        status=status,
        source_type=ContentType.objects.get_for_model(Deviation),
        source_id=deviation.pk,
        created_by=org.manager_a,
    )
