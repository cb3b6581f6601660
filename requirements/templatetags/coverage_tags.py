from __future__ import annotations

from typing import Any

from django import template

from processes.access_rules import may_see_coverage

register = template.Library()


@register.simple_tag(takes_context=True)
def coverage_visible(context: dict[str, Any]) -> bool:
    """May the person in this request read a coverage matrix (for the tab)."""
    request = context.get("request")
    return bool(request is not None and may_see_coverage(request.user))
