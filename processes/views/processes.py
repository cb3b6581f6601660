"""Process screens: the list, one process with its ordered activities, and editing both."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ledningssystem import access
from ledningssystem.models import Unit
from ledningssystem.services import DomainError
from ledningssystem.views.common import paginate, querystring_without_page, submit
from processes import access_rules, process_services
from processes.models import Process, ProcessActivity, ProcessStatus
from processes.process_forms import ActivityForm, ProcessFilterForm, ProcessForm, StepForm
from processes.reading import document_url
from requirements.models import FocusArea, Requirement


def process_list(request: HttpRequest) -> HttpResponse:
    visible = access.filter_for_user(request.user, Process.objects.all(), "view")
    owner_units = Unit.objects.filter(pk__in=visible.values("owner_unit_id")).order_by("path")
    form = ProcessFilterForm(request.GET or None, owner_units=owner_units)
    data = form.cleaned_data if form.is_valid() else {}
    processes = process_services.process_list_for_user(
        request.user, text=data.get("q") or "", status=data.get("status") or "", owner_unit=data.get("owner_unit")
    )
    return render(
        request,
        "processes/process_list.html",
        {
            "form": form,
            "page": paginate(request, processes),
            "can_create": access_rules.may_create(request.user),
            "querystring": querystring_without_page(request),
        },
    )


def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    process = process_services.process_get_for_user(request.user, pk)
    activities = list(process.activities.all())
    for activity in activities:
        activity.routine_links = [(routine, document_url(routine.pk)) for routine in activity.visible_routines]
    can_change = access_rules.may_change(request.user, process)
    requirements = list(process.requirements.all())
    return render(
        request,
        "processes/process_detail.html",
        {
            "process": process,
            "activities": activities,
            "binding": [r for r in requirements if r.is_binding],
            "advice": [r for r in requirements if not r.is_binding],
            "can_change": can_change,
            "transitions": [
                (status, process_services.TRANSITION_LABELS[status])
                for status in process_services.TRANSITIONS[process.status]
            ]
            if can_change
            else [],
            "can_history": access.can(request.user, process, "history"),
        },
    )


def _form_choices(request: HttpRequest, process: Process | None) -> dict[str, Any]:
    user = request.user
    keep = Q(pk__in=[])
    owner_keep = Q(pk__in=[])
    if process is not None:
        keep = Q(pk__in=process.applies_to.values("pk"))
        owner_keep = Q(pk=process.owner_unit_id)
    creatable = access_rules.creatable_owner_units(user).values("pk")
    units = access.units_for_user(user, access.VIEW_UNIT).filter(is_active=True).values("pk")
    requirements = access.filter_for_user(user, Requirement.objects.active()).values("pk")
    focus_areas = access.filter_for_user(user, FocusArea.objects.filter(is_active=True)).values("pk")
    return {
        "owner_units": Unit.objects.filter(Q(pk__in=creatable) | owner_keep).select_related("parent").order_by("path"),
        "units": Unit.objects.filter(Q(pk__in=units) | keep).order_by("path"),
        "requirements": Requirement.objects.filter(
            Q(pk__in=requirements) | (Q(pk__in=process.requirements.values("pk")) if process else Q(pk__in=[]))
        )
        .select_related("framework")
        .order_by("framework__code", "position"),
        "focus_areas": FocusArea.objects.filter(
            Q(pk__in=focus_areas) | (Q(pk__in=process.focus_areas.values("pk")) if process else Q(pk__in=[]))
        ).order_by("unit__path", "position", "title"),
    }


@require_http_methods(["GET", "POST"])
def process_create(request: HttpRequest) -> HttpResponse:
    if not access_rules.may_create(request.user):
        raise PermissionDenied
    form = ProcessForm(request.POST or None, **_form_choices(request, None))

    def save(d: dict[str, Any]) -> tuple[str, str]:
        process = process_services.process_create(
            by=request.user,
            identifier=d["identifier"],
            title=d["title"],
            purpose=d["purpose"],
            owner_role=d["owner_role"],
            owner_unit=d["owner_unit"],
            applies_to=d["applies_to"],
            requirements=d["requirements"],
            focus_areas=d["focus_areas"],
        )
        return reverse("processes:process_detail", args=[process.pk]), _("The process was created as a draft.")

    if response := submit(request, form, save):
        return response
    return render(request, "processes/process_form.html", {"form": form, "process": None})


@require_http_methods(["GET", "POST"])
def process_edit(request: HttpRequest, pk: int) -> HttpResponse:
    process = access.get_for_user(request.user, Process.objects.select_related("owner_unit"), pk, "change")
    initial = {
        "version": process.version,
        "identifier": process.identifier,
        "title": process.title,
        "purpose": process.purpose,
        "owner_role": process.owner_role_id,
        "owner_unit": process.owner_unit_id,
        "applies_to": list(process.applies_to.values_list("pk", flat=True)),
        "requirements": list(process.requirements.values_list("pk", flat=True)),
        "focus_areas": list(process.focus_areas.values_list("pk", flat=True)),
    }
    form = ProcessForm(request.POST or None, initial=initial, editing=True, **_form_choices(request, process))

    def save(d: dict[str, Any]) -> tuple[str, str]:
        process_services.process_update(
            process=process,
            by=request.user,
            version=d["version"],
            title=d["title"],
            purpose=d["purpose"],
            owner_role=d["owner_role"],
            owner_unit=d["owner_unit"],
            applies_to=d["applies_to"],
            requirements=d["requirements"],
            focus_areas=d["focus_areas"],
        )
        return reverse("processes:process_detail", args=[pk]), _("The process was saved.")

    if response := submit(request, form, save):
        return response
    return render(request, "processes/process_form.html", {"form": form, "process": process})


@require_POST
def process_status(request: HttpRequest, pk: int, status: str) -> HttpResponse:
    if status not in ProcessStatus.values:
        raise Http404
    process = access.get_for_user(request.user, Process, pk, "change")
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page is out of date. Reload it and make your change again."))
        return redirect("processes:process_detail", pk=pk)
    try:
        updated = process_services.process_set_status(
            process=process, by=request.user, version=form.cleaned_data["version"], status=status
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The process is now: %(status)s.") % {"status": updated.get_status_display()})
    return redirect("processes:process_detail", pk=pk)


# --- Activities ----------------------------------------------------------------


def _changeable(request: HttpRequest, pk: int) -> Process:
    return access.get_for_user(request.user, Process, pk, "change")


def _activity(process: Process, activity_pk: int) -> ProcessActivity:
    return get_object_or_404(process.activities.select_related("responsible_role"), pk=activity_pk)


@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    process = _changeable(request, pk)
    form = ActivityForm(
        request.POST or None,
        initial={"version": process.version},
        routines=process_services.routine_choices_for(request.user),
    )

    def save(d: dict[str, Any]) -> tuple[str, str]:
        process_services.activity_add(
            process=process,
            by=request.user,
            version=d["version"],
            title=d["title"],
            description=d["description"],
            responsible_role=d["responsible_role"],
            routines=d["routines"],
            needs_collaboration=d["needs_collaboration"],
            collaboration_with=d["collaboration_with"],
        )
        return reverse("processes:process_detail", args=[pk]) + "#activities", _("The activity was added.")

    if response := submit(request, form, save):
        return response
    return render(request, "processes/process_activity_form.html", {"form": form, "process": process, "activity": None})


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    process = _changeable(request, pk)
    activity = _activity(process, activity_pk)
    routines = process_services.routine_choices_for(request.user)
    initial = {
        "version": process.version,
        "title": activity.title,
        "description": activity.description,
        "responsible_role": activity.responsible_role_id,
        "routines": list(routines.filter(activities=activity).values_list("pk", flat=True)),
        "needs_collaboration": activity.needs_collaboration,
        "collaboration_with": activity.collaboration_with,
    }
    form = ActivityForm(request.POST or None, initial=initial, routines=routines)

    def save(d: dict[str, Any]) -> tuple[str, str]:
        process_services.activity_update(
            activity=activity,
            by=request.user,
            version=d["version"],
            title=d["title"],
            description=d["description"],
            responsible_role=d["responsible_role"],
            routines=d["routines"],
            needs_collaboration=d["needs_collaboration"],
            collaboration_with=d["collaboration_with"],
        )
        return reverse("processes:process_detail", args=[pk]) + "#activities", _("The activity was saved.")

    if response := submit(request, form, save):
        return response
    return render(
        request, "processes/process_activity_form.html", {"form": form, "process": process, "activity": activity}
    )


@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    process = _changeable(request, pk)
    activity = _activity(process, activity_pk)
    form = StepForm(request.POST or None, initial={"version": process.version})

    def save(d: dict[str, Any]) -> tuple[str, str]:
        process_services.activity_delete(activity=activity, by=request.user, version=d["version"])
        return reverse("processes:process_detail", args=[pk]) + "#activities", _("The activity was removed.")

    if response := submit(request, form, save):
        return response
    return render(
        request, "processes/process_activity_delete.html", {"form": form, "process": process, "activity": activity}
    )


@require_POST
def activity_move(request: HttpRequest, pk: int, activity_pk: int, direction: str) -> HttpResponse:
    if direction not in ("up", "down"):
        raise Http404
    process = _changeable(request, pk)
    activity = _activity(process, activity_pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page is out of date. Reload it and make your change again."))
    else:
        try:
            process_services.activity_move(
                activity=activity, by=request.user, version=form.cleaned_data["version"], direction=direction
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("“%(title)s” was moved up.") % {"title": activity.title}
                if direction == "up"
                else _("“%(title)s” was moved down.") % {"title": activity.title},
            )
    return redirect(reverse("processes:process_detail", args=[pk]) + f"#activity-{activity.pk}")
