from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from ledningssystem import access, history, readlog

register = template.Library()


@register.filter
def capability_label(codename: str) -> str:
    return str(access.CAPABILITY_LABELS.get(codename, codename))


@register.simple_tag
def history_url(obj: Any) -> str:
    key = history.history_key_for(obj)
    return reverse("record_history", args=[key, obj.pk]) if key else ""


@register.simple_tag(takes_context=True)
def read_log_url(context: dict[str, Any], obj: Any) -> str:
    """The read log of ``obj`` for a sensitive record the person may audit, else ""."""
    request = context.get("request")
    user = getattr(request, "user", None)
    key = readlog.read_log_key(obj)
    if not key or user is None or not readlog.is_sensitive(obj) or not readlog.may_view_log(user, obj):
        return ""
    return reverse("record_read_log", args=[key, obj.pk])


@register.filter
def indent(depth: int) -> str:
    """CSS class for a tree level (1–6)."""
    return f"depth-{max(1, min(int(depth), 6))}"


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int) -> str:
    qs = context.get("querystring", "")
    return f"?{qs + '&' if qs else ''}page={number}"
