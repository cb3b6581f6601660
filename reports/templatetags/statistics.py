"""Formatting for year-on-year figures."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reports.selectors import YearPair

register = template.Library()

MINUS = "\u2212"


def _signed(value: float, decimals: int = 0) -> str:
    text = number_format(abs(value), decimal_pos=decimals or None)
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"{MINUS}{text}"
    return text


@register.filter
def change(pair: YearPair) -> str:
    """The change from the previous year: "+3 (+25 %)"; without a percentage when last year was 0."""
    if not pair.change:
        return _("no change")
    percent = pair.change_percent
    if percent is None:
        return _signed(pair.change)
    return f"{_signed(pair.change)} ({_signed(percent)} %)"


@register.filter
def days_change(medians: tuple[float | None, float | None]) -> str:
    current, previous = medians
    if current is None or previous is None:
        return "–"
    return _signed(round(current - previous, 1), 1)
