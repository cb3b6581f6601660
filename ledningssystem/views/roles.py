"""Roles are data: list them, see who holds them, choose what each may do."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ledningssystem import access, services
from ledningssystem.forms import RoleForm
from ledningssystem.models import Role, RoleAssignment
from ledningssystem.views.common import paginate, submit


def role_list(request: HttpRequest) -> HttpResponse:
    roles = access.for_user(request.user, Role)
    if not roles.exists():
        raise PermissionDenied
    in_scope = access.path_condition(request.user, access.VIEW_ASSIGNMENTS, "assignments__unit__path")
    today = timezone.localdate()
    active = Q(assignments__start_date__lte=today) & (
        Q(assignments__end_date__isnull=True) | Q(assignments__end_date__gte=today)
    )
    holders = Count("assignments__person", filter=active & in_scope, distinct=True) if in_scope else None
    qs = roles.prefetch_related(
        Prefetch("permissions", queryset=access.capability_permissions(), to_attr="capabilities")
    )
    if holders is not None:
        qs = qs.annotate(holders=holders)
    page = paginate(request, qs.order_by("sort_order", "name"))
    return render(
        request,
        "roles/role_list.html",
        {
            "page": page,
            "can_manage": access.is_system_admin(request.user),
            "show_holders": holders is not None,
        },
    )


def role_detail(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.get_for_user(request.user, Role, pk)
    holders = (
        access.filter_for_user(request.user, RoleAssignment.objects.active().filter(role=role))
        .select_related("person", "unit")
        .order_by("unit__path", "person__last_name")
    )
    return render(
        request,
        "roles/role_detail.html",
        {
            "role": role,
            "capabilities": access.capability_permissions().filter(pk__in=role.permissions.values("pk")),
            "holders": paginate(request, holders),
            "can_manage": access.can(request.user, role, "change"),
        },
    )


@require_http_methods(["GET", "POST"])
def role_create(request: HttpRequest) -> HttpResponse:
    if not access.is_system_admin(request.user):
        raise PermissionDenied
    form = RoleForm(request.POST or None)

    def save(data: dict) -> tuple[str, str]:
        role = services.role_create(
            name=data["name"],
            slug=data["slug"],
            description=data["description"],
            permissions=data["permissions"],
            by=request.user,
        )
        return reverse("role_detail", args=[role.pk]), _("The role %(name)s was created.") % {"name": role.name}

    if response := submit(request, form, save):
        return response
    return render(request, "roles/role_form.html", {"form": form, "role": None})


@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = access.get_for_user(request.user, Role, pk, "change")
    initial = {
        "name": role.name,
        "slug": role.slug,
        "description": role.description,
        "version": role.version,
        "permissions": list(role.permissions.all()),
    }
    form = RoleForm(request.POST or None, initial=initial, editing=True)

    def save(data: dict) -> tuple[str, str]:
        services.role_update(
            role=role,
            by=request.user,
            version=data.get("version"),
            name=data["name"],
            description=data["description"],
            permissions=data["permissions"],
        )
        return reverse("role_detail", args=[role.pk]), _(
            "The changes were saved. Everyone holding the role has the new rights now."
        )

    if response := submit(request, form, save):
        return response
    return render(request, "roles/role_form.html", {"form": form, "role": role})
