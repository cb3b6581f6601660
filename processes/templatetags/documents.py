"""Template helpers for controlled documents: the sanitised body."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from processes.richtext import sanitise

register = template.Library()


@register.filter(name="richtext")
def richtext_filter(value: str) -> SafeString:
    """The stored body, sanitised again on the way out, safe to output."""
    return mark_safe(sanitise(value or ""))  # noqa: S308 - only whitelisted markup is left
