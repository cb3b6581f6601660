"""Legal references chosen by date: the citation valid when the event happened."""

from __future__ import annotations

import datetime

from django.db.models import Q

from deviations.models import LegalReference


def references_on(on: datetime.date, keys: list[str]) -> list[LegalReference]:
    """The references among ``keys`` in force on ``on``, in the order of ``keys`` (one query)."""
    rows = LegalReference.objects.filter(key__in=keys, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    by_key = {row.key: row for row in rows}
    return [by_key[key] for key in keys if key in by_key]
