"""Action screens: the list (mine / in my units), one action, edit, and the steps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from actions import selectors, services
from actions.access_rules import handles
from actions.exports import filters_for, may_see_scope
from actions.forms import ActionFilterForm, ActionForm, EffectForm, StepForm
from actions.models import Action
from actions.sources import source_kind
from ledningssystem import access
from ledningssystem.services import DomainError
from ledningssystem.views.common import paginate, querystring_without_page, submit


def action_list(request: HttpRequest) -> HttpResponse:
    form = ActionFilterForm(request.GET or None)
    whose, show = filters_for(request.user, request.GET)
    page = paginate(request, selectors.action_list_for_user(request.user, whose=whose, show=show))
    return render(
        request,
        "actions/list.html",
        {
            "form": form,
            "page": page,
            "whose": whose,
            "show": show,
            "can_handle": may_see_scope(request.user),
            "querystring": querystring_without_page(request),
        },
    )


def _source_link(request: HttpRequest, action: Action) -> tuple[str, str | None]:
    """The source's name, and its address when this person may open it."""
    source = action.source
    kind = source_kind(source)
    url = kind.url(source) if source is not None and access.can(request.user, source, "view") else None
    return kind.label(source), url


def action_detail(request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
    action = access.get_for_user(
        request.user, Action.objects.select_related("unit", "owner", "effect_recorded_by", "source_type"), pk, "view"
    )
    return _render(request, action, **forms)


def _render(request: HttpRequest, action: Action, **forms: Any) -> HttpResponse:
    label, url = _source_link(request, action)
    is_handler = handles(request.user, action)
    return render(
        request,
        "actions/detail.html",
        {
            "action": action,
            "source_label": label,
            "source_url": url,
            "is_handler": is_handler,
            "closing_steps": ["complete", "cancel"] if is_handler else ["complete"],
            # Causes belong to the case: shown only to those who may open it.
            "causes": action.causes.select_related("category") if url else [],
            "step_form": forms.get("step_form") or StepForm(initial={"version": action.version}, auto_id="step_%s"),
            "step_error": forms.get("step_error"),
            "effect_form": forms.get("effect_form")
            or EffectForm(initial={"version": action.version}, auto_id="effect_%s"),
        },
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_for_user(request.user, Action.objects.select_related("unit"), pk, "handle")
    if not action.is_open:
        messages.info(request, _("A finished action is not changed; reopen it first."))
        return redirect("actions:detail", pk=pk)
    initial = {
        "version": action.version,
        "title": action.title,
        "description": action.description,
        "owner": action.owner_id,
        "due_date": action.due_date,
        "effect_planned_on": action.effect_planned_on,
        "effect_measure": action.effect_measure,
    }
    form = ActionForm(request.POST or None, initial=initial, owners=services.owner_candidates(action.unit))

    def save(d: dict[str, Any]) -> tuple[str, str]:
        services.action_update(
            action=action,
            by=request.user,
            version=d["version"],
            title=d["title"],
            description=d["description"],
            owner=d["owner"],
            due_date=d["due_date"],
            effect_planned_on=d["effect_planned_on"],
            effect_measure=d["effect_measure"],
        )
        return reverse("actions:detail", args=[pk]), _("The action was saved.")

    if response := submit(request, form, save):
        return response
    return render(request, "actions/edit.html", {"form": form, "action": action})


# Step name → (service, who may: "progress" = owner or handler, "handle" = handler only)
STEPS = {
    "start": (services.action_start, "progress"),
    "complete": (services.action_complete, "progress"),
    "cancel": (services.action_cancel, "handle"),
    "reopen": (services.action_reopen, "handle"),
}


@require_POST
def action_step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in STEPS:
        raise Http404
    service, permission = STEPS[name]
    action = access.get_for_user(request.user, Action.objects.select_related("unit"), pk, permission)
    form = StepForm(request.POST, auto_id="step_%s")
    if not form.is_valid():
        messages.error(request, _("The page is out of date. Reload it and make your change again."))
        return redirect("actions:detail", pk=pk)
    kwargs: dict[str, Any] = {"action": action, "by": request.user, "version": form.cleaned_data["version"]}
    if name != "start":
        kwargs["note"] = form.cleaned_data["note"]
    try:
        updated = service(**kwargs)
    except DomainError as exc:
        current = access.get_for_user(request.user, Action.objects.select_related("unit", "owner"), pk, "view")
        return _render(
            request, current, step_error={"name": name, "message": exc.message, "text": form.cleaned_data["note"]}
        )
    messages.success(request, _("The action is now: %(status)s.") % {"status": updated.get_status_display()})
    return redirect("actions:detail", pk=pk)


@require_POST
def action_effect(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_for_user(request.user, Action.objects.select_related("unit"), pk, "progress")
    form = EffectForm(request.POST, auto_id="effect_%s")
    if form.is_valid():
        try:
            services.action_record_effect(
                action=action,
                by=request.user,
                version=form.cleaned_data["version"],
                result=form.cleaned_data["result"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The effect was recorded."))
            return redirect("actions:detail", pk=pk)
    current = access.get_for_user(request.user, Action.objects.select_related("unit", "owner"), pk, "view")
    return _render(request, current, effect_form=form)
