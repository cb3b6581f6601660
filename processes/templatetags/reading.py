"""The read-confirmation panel on a document page: ``{% load reading %}{% reading_panel version %}``."""

from __future__ import annotations

from typing import Any

from django import template

from processes import reading
from processes.reading_forms import ConfirmForm, ReadRequestForm

register = template.Library()


@register.inclusion_tag("processes/_reading_panel.html", takes_context=True)
def reading_panel(context: dict[str, Any], version: Any) -> dict[str, Any]:
    """For the person: confirm or "you confirmed"; for approvers: ask; for managers: progress.

    ``version`` is the version in force (or None: nothing is shown).
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None:
        return {"show": False}
    state = reading.panel_state(user, version)
    if not state["show"]:
        return state
    state.update(
        {
            "request": request,
            "next": request.get_full_path(),
            "confirm_form": ConfirmForm(),
            "request_form": ReadRequestForm(auto_id="reading_%s") if state["can_request"] else None,
            "confirm_url": reading.confirm_url(version),
            "progress_url": reading.progress_url(version),
            "hide_progress_link": context.get("on_progress_page", False),
        }
    )
    return state
