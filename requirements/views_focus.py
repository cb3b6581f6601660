"""Focus areas (fokusområden) and the responsibilities of each role (Ansvarsfördelning)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ledningssystem import access
from ledningssystem.models import Role, Unit
from ledningssystem.views.common import submit
from processes.access_rules import may_define_at
from processes.models import Document, Process
from requirements import focus
from requirements.forms_focus import DeactivateForm, FocusAreaForm, ResponsibilityForm, UnitPickForm
from requirements.models import FocusArea, FocusAreaResponsibility, Framework, Requirement


def _units(request: HttpRequest) -> Any:
    units = access.units_for_user(request.user, access.VIEW_UNIT).filter(is_active=True)
    return units.select_related("parent").order_by("path")


def _chosen_unit(request: HttpRequest) -> tuple[UnitPickForm, Unit]:
    units = _units(request)
    first = units.first()
    if first is None:
        raise PermissionDenied
    data = request.GET.copy()
    data.setdefault("unit", str(first.pk))
    form = UnitPickForm(data, units=units)
    unit = form.cleaned_data["unit"] if form.is_valid() else first
    return form, unit


def _roles() -> list[Role]:
    return list(Role.objects.order_by("sort_order", "name"))


def focus_list(request: HttpRequest) -> HttpResponse:
    """The focus areas in effect at a chosen unit: defined there and above, grouped by level."""
    form, unit = _chosen_unit(request)
    areas = list(access.filter_for_user(request.user, focus.focus_areas_for_unit(unit, include_inactive=True)))
    show_inactive = request.GET.get("inactive") == "1"
    groups: list[dict[str, Any]] = []
    for area in areas:
        if not area.is_active and not show_inactive:
            continue
        if not groups or groups[-1]["unit"].pk != area.unit_id:
            groups.append({"unit": area.unit, "areas": []})
        groups[-1]["areas"].append(area)
    return render(
        request,
        "requirements/focus_list.html",
        {
            "form": form,
            "unit": unit,
            "groups": groups,
            "show_inactive": show_inactive,
            "inactive_count": sum(1 for a in areas if not a.is_active),
            "may_define": may_define_at(request.user, unit),
        },
    )


def focus_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = access.get_for_user(
        request.user,
        FocusArea.objects.select_related("unit").prefetch_related(
            "follow_up_methods",
            Prefetch("responsibilities", queryset=FocusAreaResponsibility.objects.select_related("role")),
            Prefetch(
                "requirements",
                queryset=Requirement.objects.select_related("framework").order_by("framework__code", "position"),
            ),
        ),
        pk,
    )
    from requirements.views_coverage import object_url

    documents = list(
        access.filter_for_user(request.user, Document.objects.filter(focus_areas=area), "view")
        .select_related("owner_role", "owner_unit")
        .order_by("title", "pk")
    )
    processes = list(
        access.filter_for_user(request.user, Process.objects.filter(focus_areas=area), "view")
        .select_related("owner_role", "owner_unit")
        .order_by("title", "pk")
    )
    for obj in [*documents, *processes]:
        obj.url = object_url(obj)
    return render(
        request,
        "requirements/focus_detail.html",
        {
            "area": area,
            "documents": documents,
            "processes": processes,
            "may_change": access.can(request.user, area, "change"),
            "deactivate_form": DeactivateForm(initial={"version": area.version}),
        },
    )


def _picker(form: FocusAreaForm) -> list[dict[str, Any]]:
    """Requirements grouped by framework for the picker; the chosen ones checked."""
    chosen: set[str] = set()
    if form.is_bound:
        chosen = set(form.data.getlist("requirements"))
    else:
        chosen = {str(pk) for pk in form.initial.get("requirements", [])}
    groups: dict[int, dict[str, Any]] = {}
    frameworks = {f.pk: f for f in Framework.objects.all()}
    for r in (
        Requirement.objects.active()
        .order_by("framework__code", "position")
        .only("pk", "framework_id", "reference", "title", "kind", "is_verified")
    ):
        group = groups.setdefault(r.framework_id, {"framework": frameworks[r.framework_id], "items": [], "chosen": 0})
        r.checked = str(r.pk) in chosen
        group["chosen"] += r.checked
        group["items"].append(r)
    return list(groups.values())


def _save_area(request: HttpRequest, form: FocusAreaForm, area: FocusArea | None, unit: Unit) -> HttpResponse | None:
    def save(d: dict[str, Any]) -> tuple[str, str]:
        responsibilities = focus.responsibilities_by_role(d, form.roles)
        common = {
            "title": d["title"],
            "description": d["description"],
            "how": d["how"],
            "follow_up": d["follow_up"],
            "follow_up_methods": d["follow_up_methods"],
            "requirements": d["requirements"],
            "responsibilities": responsibilities,
        }
        if area is None:
            created = focus.focus_area_create(unit=unit, by=request.user, key=d["key"], **common)
            return reverse("requirements:focus_detail", args=[created.pk]), _("The focus area was created.")
        focus.focus_area_update(area=area, by=request.user, version=d["version"], **common)
        return reverse("requirements:focus_detail", args=[area.pk]), _("The focus area was saved.")

    return submit(request, form, save)


@require_http_methods(["GET", "POST"])
def focus_create(request: HttpRequest) -> HttpResponse:
    """A new focus area at a unit where the person maintains focus areas."""
    raw = request.GET.get("unit", "")
    unit = Unit.objects.filter(pk=raw, is_active=True).first() if raw.isdigit() else None
    if unit is None:
        units = access.units_for_user(request.user, access.MANAGE_DOCUMENTS).filter(is_active=True)
        unit = units.order_by("path").first()
    if unit is None or not may_define_at(request.user, unit):
        raise PermissionDenied
    roles = _roles()
    form = FocusAreaForm(request.POST or None, roles=roles)
    if response := _save_area(request, form, None, unit):
        return response
    return render(
        request,
        "requirements/focus_edit.html",
        {"form": form, "unit": unit, "area": None, "picker": _picker(form)},
    )


@require_http_methods(["GET", "POST"])
def focus_edit(request: HttpRequest, pk: int) -> HttpResponse:
    area = access.get_for_user(
        request.user, FocusArea.objects.select_related("unit").prefetch_related("responsibilities"), pk, "change"
    )
    roles = _roles()
    duties = {r.role_id: r.text for r in area.responsibilities.all()}
    initial = {
        "version": area.version,
        "key": area.key,
        "title": area.title,
        "description": area.description,
        "how": area.how,
        "follow_up": area.follow_up,
        "follow_up_methods": list(area.follow_up_methods.values_list("pk", flat=True)),
        "requirements": list(area.requirements.values_list("pk", flat=True)),
        **{f"resp_{role.pk}": duties.get(role.pk, "") for role in roles},
    }
    form = FocusAreaForm(request.POST or None, initial=initial, roles=roles, editing=True)
    if response := _save_area(request, form, area, area.unit):
        return response
    return render(
        request,
        "requirements/focus_edit.html",
        {"form": form, "unit": area.unit, "area": area, "picker": _picker(form)},
    )


@require_POST
def focus_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    area = access.get_for_user(request.user, FocusArea, pk, "change")
    form = DeactivateForm(request.POST, initial={"version": area.version})
    activate = request.POST.get("activate") == "1"

    def save(d: dict[str, Any]) -> tuple[str, str]:
        focus.focus_area_set_active(area=area, by=request.user, version=d["version"], is_active=activate)
        message = _("The focus area is active again.") if activate else _("The focus area was deactivated.")
        return reverse("requirements:focus_detail", args=[pk]), message

    if response := submit(request, form, save):
        return response
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("requirements:focus_detail", pk=pk)


# --- Role responsibilities ---------------------------------------------------------------


def responsibilities(request: HttpRequest) -> HttpResponse:
    """The Ansvarsfördelning in effect at a chosen unit, saying where each text is inherited from."""
    form, unit = _chosen_unit(request)
    rows = focus.effective_responsibilities(unit, _roles())
    return render(
        request,
        "requirements/responsibilities.html",
        {"form": form, "unit": unit, "rows": rows, "may_define": may_define_at(request.user, unit)},
    )


@require_http_methods(["GET", "POST"])
def responsibility_edit(request: HttpRequest, unit_pk: int, role_pk: int) -> HttpResponse:
    """Write (or clear) what a role is responsible for at a unit."""
    unit = access.get_for_user(request.user, Unit, unit_pk)
    if not may_define_at(request.user, unit):
        raise PermissionDenied
    role = Role.objects.filter(pk=role_pk).first()
    if role is None:
        raise Http404
    effective = next(r for r in focus.effective_responsibilities(unit, [role]))
    record = effective.record if not effective.inherited else None
    initial: dict[str, Any] = {"text": record.text if record else ""}
    if record is not None:
        initial["version"] = record.version
    form = ResponsibilityForm(request.POST or None, initial=initial)
    back = f"{reverse('requirements:responsibilities')}?{urlencode({'unit': unit.pk})}"

    def save(d: dict[str, Any]) -> tuple[str, str]:
        saved = focus.role_responsibility_set(
            unit=unit, role=role, by=request.user, text=d["text"], version=d.get("version")
        )
        if saved is None:
            return back, _("The text for %(role)s was removed here; the level above applies.") % {"role": role.name}
        return back, _("The responsibility of %(role)s was saved.") % {"role": role.name}

    if response := submit(request, form, save):
        return response
    return render(
        request,
        "requirements/responsibility_edit.html",
        {"form": form, "unit": unit, "role": role, "effective": effective, "record": record, "back": back},
    )
