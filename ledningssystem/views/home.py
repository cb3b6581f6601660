from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ledningssystem import access, services
from ledningssystem.forms import AppForm, LanguageForm
from ledningssystem.history import save_tracked
from ledningssystem.jobs import job_label
from ledningssystem.models import BackgroundJob, RoleAssignment

# Later capabilities add sections to "Min sida" (reports to follow up,
# routines to confirm …): callables taking the request, returning a
# (template, context) pair or None.
MY_PAGE_SECTIONS: list = []


def home(request: HttpRequest) -> HttpResponse:
    """Min sida: the person's roles and units and what they have to do."""
    today = timezone.localdate()
    assignments = (
        RoleAssignment.objects.current_or_future(today)
        .filter(person=request.user)
        .select_related("role", "unit")
        .order_by("start_date", "role__sort_order")
    )
    current = [a for a in assignments if a.start_date <= today]
    upcoming = [a for a in assignments if a.start_date > today]
    jobs = list(BackgroundJob.objects.filter(created_by=request.user).order_by("-created_at")[:5])
    for job in jobs:
        job.label = job_label(job.kind)
    sections = [s for s in (section(request) for section in MY_PAGE_SECTIONS) if s]
    return render(
        request,
        "home.html",
        {
            "current": current,
            "upcoming": upcoming,
            "jobs": jobs,
            "sections": sections,
            "can_see_units": access.has_capability(request.user, access.VIEW_UNIT),
        },
    )


class PasswordForm(AppForm, PasswordChangeForm):
    pass


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        save_tracked(user, by=user, reason="person.password_changed")
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        return redirect("home")
    return render(request, "registration/password_change_form.html", {"form": form})


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; a logged-in person keeps the choice on every device."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.person_set_language(person=request.user, language=language)
        translation.activate(language)
        from django.conf import settings

        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
    return response


@dataclass(frozen=True)
class ReportKind:
    """Something a person can report through "Rapportera" (deviation, complaint …)."""

    capability: str
    url_name: str
    label: Callable[[], str]
    description: Callable[[], str]


REPORT_KINDS: list[ReportKind] = []


def register_report_kind(kind: ReportKind) -> None:
    REPORT_KINDS.append(kind)


def report_kinds_for(user: Any) -> list[ReportKind]:
    return [k for k in REPORT_KINDS if access.has_capability(user, k.capability)]


def report_start(request: HttpRequest) -> HttpResponse:
    """The one "Rapportera" entry: straight to the form when there is one kind."""
    kinds = report_kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    if len(kinds) == 1:
        return redirect(kinds[0].url_name)
    return render(request, "report_start.html", {"kinds": kinds})
