"""Units: the organisation tree, one unit, creating and editing units."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ledningssystem import access, services
from ledningssystem.forms import UnitForm, UnitMoveForm, UnitSearchForm
from ledningssystem.jobs import job_start
from ledningssystem.models import RoleAssignment, Unit
from ledningssystem.models.organisation import MAX_UNIT_DEPTH, UnitKind
from ledningssystem.views.common import paginate, querystring_without_page, submit


def unit_list(request: HttpRequest) -> HttpResponse:
    """The organisation as an indented list, searchable and paginated."""
    if not access.has_capability(request.user, access.VIEW_UNIT):
        raise PermissionDenied
    qs = access.for_user(request.user, Unit).order_by("path")
    form = UnitSearchForm(request.GET or None)
    search = form.cleaned_data if form.is_valid() else {}
    if search.get("q"):
        qs = qs.search(search["q"])
    if search.get("kind"):
        qs = qs.filter(kind=search["kind"])
    if not search.get("inactive"):
        qs = qs.filter(is_active=True)
    return render(
        request,
        "organisation/unit_list.html",
        {
            "page": paginate(request, qs),
            "form": form,
            "querystring": querystring_without_page(request),
        },
    )


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = access.get_for_user(request.user, Unit, pk)
    ancestors = [
        (a, access.has_capability(request.user, access.VIEW_UNIT, a))
        for a in Unit.objects.filter(path__in=unit.ancestor_paths).order_by("depth")
    ]
    children = (
        access.for_user(request.user, Unit).filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("name")
    )
    can_see_people = access.can(request.user, unit, "view_assignments")
    assignments = None
    if can_see_people:
        assignments = paginate(
            request,
            RoleAssignment.objects.active()
            .filter(unit=unit)
            .select_related("person", "role")
            .order_by("role__sort_order", "person__last_name", "person__first_name"),
        )
    return render(
        request,
        "organisation/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "children": children,
            "assignments": assignments,
            "can_manage": access.can(request.user, unit, "change"),
            "can_add_child": access.can(request.user, unit, "change") and unit.depth < MAX_UNIT_DEPTH,
            "can_see_history": access.can(request.user, unit, "history"),
            "can_move": access.can(request.user, unit, "change") and unit.depth > 1,
        },
    )


@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    if not parent_id:
        raise Http404
    parent = access.get_for_user(request.user, Unit, parent_id, "change")
    form = UnitForm(request.POST or None, initial={"kind": UnitKind.UNIT})

    def save(data: dict) -> tuple[str, str]:
        unit = services.unit_create(
            parent=parent,
            name=data["name"],
            kind=data["kind"],
            code=data["code"],
            description=data["description"],
            by=request.user,
        )
        return reverse("unit_detail", args=[unit.pk]), _("The unit %(name)s was created.") % {"name": unit.name}

    if response := submit(request, form, save):
        return response
    return render(request, "organisation/unit_form.html", {"form": form, "parent": parent, "unit": None})


@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = access.get_for_user(request.user, Unit, pk, "change")
    fields = ("name", "kind", "code", "description", "is_active", "version")
    form = UnitForm(request.POST or None, initial={f: getattr(unit, f) for f in fields})

    def save(data: dict) -> tuple[str, str]:
        services.unit_update(
            unit=unit,
            by=request.user,
            version=data.get("version"),
            name=data["name"],
            kind=data["kind"],
            code=data["code"],
            description=data["description"],
            is_active=data["is_active"],
        )
        return reverse("unit_detail", args=[unit.pk]), _("The changes were saved.")

    if response := submit(request, form, save):
        return response
    return render(request, "organisation/unit_form.html", {"form": form, "parent": None, "unit": unit})


@require_http_methods(["GET", "POST"])
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = access.get_for_user(request.user, Unit, pk, "change")
    targets = (
        access.units_for_user(request.user, access.MANAGE_ORGANISATION)
        .filter(is_active=True)
        .exclude(path__startswith=unit.path)
        .select_related("parent")
        .order_by("path")
    )
    form = UnitMoveForm(request.POST or None, targets=targets)

    def save(data: dict) -> tuple[str, str]:
        services.unit_move(unit=unit, new_parent=data["parent"], by=request.user)
        return reverse("unit_detail", args=[unit.pk]), _("The unit was moved. Everyone's roles follow it.")

    if response := submit(request, form, save):
        return response
    return render(request, "organisation/unit_move.html", {"form": form, "unit": unit})


def overview(request: HttpRequest) -> HttpResponse:
    """Aggregates for the person's scope: counts only, never individual people."""
    paths = access.scope_paths(request.user, access.VIEW_STATISTICS)
    if not paths:
        raise PermissionDenied
    units = Unit.objects.subtrees_of(paths).filter(is_active=True)
    by_kind = dict(units.values_list("kind").annotate(n=Count("pk")).order_by())
    kinds = [(label, by_kind.get(value, 0)) for value, label in UnitKind.choices]
    condition = Q()
    for p in paths:
        condition |= Q(unit__path__startswith=p)
    holders = (
        RoleAssignment.objects.active()
        .filter(condition, unit__is_active=True, person__is_active=True)
        .values("role__name", "role__sort_order")
        .annotate(people=Count("person", distinct=True), units=Count("unit", distinct=True))
        .order_by("role__sort_order", "role__name")
    )
    return render(
        request,
        "organisation/overview.html",
        {
            "kinds": kinds,
            "total_units": sum(by_kind.values()),
            "holders": list(holders),
            "today": timezone.localdate(),
        },
    )


@require_POST
def organisation_export(request: HttpRequest) -> HttpResponse:
    if not access.has_capability(request.user, access.VIEW_UNIT):
        raise PermissionDenied
    job = job_start(kind="organisation_export", by=request.user)
    return redirect("job_detail", pk=job.pk)
