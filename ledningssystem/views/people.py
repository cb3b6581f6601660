"""People, their role assignments, deactivation with handover."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ledningssystem import access, services
from ledningssystem.forms import (
    AssignmentEndForm,
    AssignmentForm,
    DeactivateForm,
    PersonCreateForm,
    PersonFieldsForm,
    PersonSearchForm,
)
from ledningssystem.models import RoleAssignment, User
from ledningssystem.views.common import paginate, querystring_without_page, submit


def _manageable_units(user: User):
    return (
        access.units_for_user(user, access.MANAGE_ORGANISATION)
        .filter(is_active=True)
        .select_related("parent")
        .order_by("path")
    )


def person_list(request: HttpRequest) -> HttpResponse:
    if not (
        access.has_capability(request.user, access.VIEW_ASSIGNMENTS)
        or access.has_capability(request.user, access.MANAGE_ORGANISATION)
    ):
        raise PermissionDenied
    form = PersonSearchForm(request.GET or None)
    qs = access.for_user(request.user, User)
    status = ""
    if form.is_valid():
        if form.cleaned_data["q"]:
            qs = qs.search(form.cleaned_data["q"])
        status = form.cleaned_data["status"]
    if status == "inactive":
        qs = qs.filter(is_active=False)
    elif status != "all":
        qs = qs.filter(is_active=True)
    # Only the roles the viewer may see: someone's roles elsewhere stay hidden.
    active_now = (
        access.filter_for_user(request.user, RoleAssignment.objects.active())
        .select_related("role", "unit")
        .order_by("role__sort_order")
    )
    qs = qs.order_by("last_name", "first_name", "username").prefetch_related(
        Prefetch("assignments", queryset=active_now, to_attr="current_assignments")
    )
    page = paginate(request, qs)
    return render(
        request,
        "people/person_list.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_create": access.has_capability(request.user, access.MANAGE_ORGANISATION),
        },
    )


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_for_user(request.user, User, pk)
    assignments = (
        access.filter_for_user(request.user, RoleAssignment.objects.filter(person=person))
        if person.pk != request.user.pk
        else RoleAssignment.objects.filter(person=person)
    )
    assignments = assignments.select_related("role", "unit").order_by("-start_date")
    today = timezone.localdate()
    can_change = access.can(request.user, person, "change")
    rows = [
        {
            "assignment": a,
            "is_current": a.is_active_on(today),
            "is_future": a.start_date > today,
            "can_end": can_change
            and access.can(request.user, a, "change")
            and (a.end_date is None or a.end_date >= today),
            "can_see_history": access.can(request.user, a, "history"),
        }
        for a in assignments[:200]
    ]
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "rows": rows,
            "can_change": can_change and person.pk != request.user.pk,
            "open_work": services.person_open_work(person) if can_change else [],
        },
    )


@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    if not access.has_capability(request.user, access.MANAGE_ORGANISATION):
        raise PermissionDenied
    form = PersonCreateForm(request.POST or None, units=_manageable_units(request.user))

    def save(d: dict) -> tuple[str, str]:
        person = services.person_create(
            username=d["username"],
            first_name=d["first_name"],
            last_name=d["last_name"],
            email=d["email"],
            title=d["title"],
            phone=d["phone"],
            language=d["language"],
            password=d["password"] or None,
            role=d["role"],
            unit=d["unit"],
            start_date=d["start_date"],
            by=request.user,
        )
        return reverse("person_detail", args=[person.pk]), _("%(name)s was added.") % {"name": person}

    if response := submit(request, form, save):
        return response
    return render(request, "people/person_form.html", {"form": form, "person": None})


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_for_user(request.user, User, pk, "change")
    fields = ("first_name", "last_name", "email", "title", "phone", "language", "version")
    form = PersonFieldsForm(request.POST or None, initial={f: getattr(person, f) for f in fields})

    def save(d: dict) -> tuple[str, str]:
        services.person_update(
            person=person,
            by=request.user,
            version=d.get("version"),
            first_name=d["first_name"],
            last_name=d["last_name"],
            email=d["email"],
            title=d["title"],
            phone=d["phone"],
            language=d["language"],
        )
        return reverse("person_detail", args=[person.pk]), _("The changes were saved.")

    if response := submit(request, form, save):
        return response
    return render(request, "people/person_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_for_user(request.user, User, pk, "change")
    form = AssignmentForm(
        request.POST or None, units=_manageable_units(request.user), initial={"unit": request.GET.get("unit")}
    )

    def save(d: dict) -> tuple[str, str]:
        services.assignment_create(
            person=person,
            role=d["role"],
            unit=d["unit"],
            start_date=d["start_date"],
            end_date=d["end_date"],
            by=request.user,
        )
        return reverse("person_detail", args=[person.pk]), _("The role was assigned.")

    if response := submit(request, form, save):
        return response
    return render(request, "people/assignment_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_for_user(
        request.user, RoleAssignment.objects.select_related("person", "role", "unit"), pk, "change"
    )
    person = assignment.person
    is_last = services.is_last_assignment(assignment)
    form = AssignmentEndForm(request.POST or None)

    def save(d: dict) -> tuple[str, str]:
        services.assignment_end(assignment=assignment, end_date=d["end_date"], by=request.user)
        if is_last and person.pk != request.user.pk and d["end_date"] <= timezone.localdate():
            # Someone with no role left is usually leaving: offer the handover.
            messages.info(
                request,
                _(
                    "%(name)s has no other role. If the person is leaving, deactivate the account and hand "
                    "open work to a successor."
                )
                % {"name": person},
            )
            return reverse("person_deactivate", args=[person.pk]), _("The assignment was ended.")
        return reverse("person_detail", args=[person.pk]), _("The assignment was ended.")

    if response := submit(request, form, save):
        return response
    return render(request, "people/assignment_end.html", {"form": form, "assignment": assignment, "is_last": is_last})


@require_http_methods(["GET", "POST"])
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_for_user(request.user, User, pk, "change")
    if person.pk == request.user.pk:
        raise PermissionDenied
    candidates = (
        access.for_user(request.user, User)
        .filter(is_active=True)
        .exclude(pk=person.pk)
        .order_by("last_name", "first_name")
    )
    form = DeactivateForm(request.POST or None, candidates=candidates)

    def save(d: dict) -> tuple[str, str]:
        services.person_deactivate(
            person=person, by=request.user, successor=d["successor"], transfer_roles=d["transfer_roles"]
        )
        return reverse("person_detail", args=[person.pk]), _("%(name)s was deactivated. The history is kept.") % {
            "name": person
        }

    if response := submit(request, form, save):
        return response
    current = RoleAssignment.objects.current_or_future().filter(person=person).select_related("role", "unit")
    return render(
        request,
        "people/person_deactivate.html",
        {
            "form": form,
            "person": person,
            "current": current,
            "open_work": services.person_open_work(person),
        },
    )


@require_POST
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.get_for_user(request.user, User, pk, "change")
    if not person.is_active:
        services.person_reactivate(person=person, by=request.user)
        messages.success(
            request, _("%(name)s was reactivated. Assign a role so the person can work.") % {"name": person}
        )
    return redirect("person_detail", pk=person.pk)
