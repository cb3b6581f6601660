"""Roles are data: list them, see who holds them, choose what each may do."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ledningssystem import access, services
from ledningssystem.forms import RoleForm, already_submitted, remember_submission
from ledningssystem.models import Role, RoleAssignment
from ledningssystem.views.common import paginate


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
    if request.method == "POST" and (done := already_submitted(request, form)):
        messages.info(request, _("The form had already been sent; nothing was created twice."))
        return redirect(done)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            role = services.role_create(
                name=d["name"],
                slug=d["slug"],
                description=d["description"],
                permissions=d["permissions"],
                by=request.user,
            )
        except services.DomainError as exc:
            form.add_domain_error(exc)
        else:
            url = reverse("role_detail", args=[role.pk])
            remember_submission(request, form, url)
            messages.success(request, _("The role %(name)s was created.") % {"name": role.name})
            return redirect(url)
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
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.role_update(
                role=role,
                by=request.user,
                version=d.get("version"),
                name=d["name"],
                description=d["description"],
                permissions=d["permissions"],
            )
        except services.DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The changes were saved. Everyone holding the role has the new rights now."))
            return redirect("role_detail", pk=role.pk)
    return render(request, "roles/role_form.html", {"form": form, "role": role})
