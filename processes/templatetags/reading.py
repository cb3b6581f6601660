"""The read-confirmation panel on a document page (filled in by the read-confirmation part)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("processes/_reading_panel.html", takes_context=True)
def reading_panel(context: dict[str, Any], version: Any) -> dict[str, Any]:
    return {"version": version, "request": context.get("request")}
