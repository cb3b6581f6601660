"""Deviation screens: report, receipt, my reports, inbox, one deviation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from deviations import selectors, services
from deviations.access_rules import can_handle, may_use_inbox
from deviations.forms import AssignForm, CauseForm, InboxForm, InvestigationForm, ReportForm, TransitionForm
from deviations.models import ClientIdentity, Deviation, Status
from ledningssystem import access, readlog
from ledningssystem.models import ReadPurpose, RoleAssignment, User
from ledningssystem.services import DomainError
from ledningssystem.views.common import paginate, querystring_without_page, submit


def _report_units(user: User) -> Any:
    return (
        access.units_for_user(user, access.REPORT_DEVIATIONS)
        .filter(is_active=True)
        .select_related("parent")
        .order_by("path")
    )


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Report a deviation: a minute's work on a phone."""
    units = _report_units(request.user)
    if not access.has_capability(request.user, access.REPORT_DEVIATIONS):
        raise PermissionDenied
    own = (
        RoleAssignment.objects.active()
        .filter(person=request.user, unit__in=units)
        .order_by("start_date")
        .values_list("unit_id", flat=True)
        .first()
    )
    form = ReportForm(request.POST or None, request.FILES or None, units=units, initial={"unit": own})

    def save(d: dict[str, Any]) -> tuple[str, str]:
        deviation = services.deviation_report(
            by=request.user,
            unit=d["unit"],
            occurred_at=d["occurred_at"],
            description=d["description"],
            immediate_measures=d["immediate_measures"],
            category=d["category"],
            consequence=d["consequence"],
            client_affected=d["client_affected"],
            is_lex_sarah=d["is_lex_sarah"],
            client_identity=d["client_identity"],
            attachments=d["attachments"],
        )
        return reverse("deviations:receipt", args=[deviation.pk]), _("Thank you. Your report has been sent.")

    if response := submit(request, form, save):
        return response
    return render(request, "deviations/report.html", {"form": form})


def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = selectors.deviation_get_for_user(request.user, pk)
    if deviation.reported_by_id != request.user.pk:
        raise Http404
    return render(request, "deviations/receipt.html", {"deviation": deviation})


def my_reports(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.deviation_reported_by(request.user), 25)
    return render(request, "deviations/my_reports.html", {"page": page})


def inbox(request: HttpRequest) -> HttpResponse:
    if not may_use_inbox(request.user):
        raise PermissionDenied
    units = access.units_for_user(request.user).filter(is_active=True).select_related("parent").order_by("path")
    form = InboxForm(request.GET or None, units=units)
    form.is_valid()  # a bad value shows as an error on its filter; the valid filters still apply
    page = paginate(request, selectors.deviation_list_for_user(request.user, form.filters()))
    return render(
        request,
        "deviations/inbox.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
        },
    )


# Transition name → (service, target status, needs a text, button label)
TRANSITIONS = {
    "receive": (services.deviation_receive, Status.RECEIVED, False),
    "investigate": (services.deviation_start_investigation, Status.INVESTIGATING, False),
    "close": (services.deviation_close, Status.CLOSED, True),
    "close-without-action": (services.deviation_close_without_action, Status.CLOSED_NO_ACTION, True),
    "reopen": (services.deviation_reopen, Status.INVESTIGATING, True),
}


def _available_transitions(deviation: Deviation) -> list[str]:
    names = []
    for name, (_service, target, _needs_text) in TRANSITIONS.items():
        if not deviation.can_move_to(target):
            continue
        if name == "reopen" and deviation.is_open:
            continue
        if name == "investigate" and not deviation.is_open:
            continue
        if name == "investigate" and deviation.status == Status.REPORTED:
            continue
        names.append(name)
    return names


def _handler_candidates(deviation: Deviation) -> Any:
    capability = access.HANDLE_LEX_SARAH if deviation.is_lex_sarah else access.HANDLE_DEVIATIONS
    ancestors = [*deviation.unit.ancestor_paths, deviation.unit.path]
    holders = (
        RoleAssignment.objects.active()
        .filter(unit__path__in=ancestors, role__permissions__codename=capability, person__is_active=True)
        .values("person_id")
    )
    return User.objects.filter(pk__in=holders).order_by("last_name", "first_name")


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = selectors.deviation_get_for_user(request.user, pk)
    readlog.log_read(request.user, deviation, ReadPurpose.VIEWED)
    if not can_handle(request.user, deviation):
        # The reporter follows their report; a lex Sarah report shows its status only.
        return render(request, "deviations/reporter_view.html", {"deviation": deviation})
    return _render_detail(request, deviation)


def _render_detail(request: HttpRequest, deviation: Deviation, **forms: Any) -> HttpResponse:
    """The handler's page; ``forms`` are bound forms with errors to show again."""
    investigation_form = forms.get("investigation_form") or _investigation_forms(request, deviation)[0]
    return render(
        request,
        "deviations/detail.html",
        {
            "deviation": deviation,
            "identity": ClientIdentity.objects.filter(deviation=deviation).first(),
            "transitions": _available_transitions(deviation),
            "assign_form": AssignForm(
                initial={"version": deviation.version, "handler": deviation.handler_id},
                candidates=_handler_candidates(deviation),
                auto_id="assign_%s",
            ),
            "can_investigate": deviation.status in services.INVESTIGATING_STATUSES,
            "investigation_form": investigation_form,
            "cause_form": forms.get("cause_form") or CauseForm(auto_id="cause_%s"),
            "transition_error": forms.get("transition_error"),
            "causes": deviation.causes.select_related("category"),
            "related": deviation.related.filter(
                pk__in=access.filter_for_user(request.user, Deviation.objects.all(), "handle").values("pk")
            ).select_related("category", "unit"),
        },
    )


@require_POST
def transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in TRANSITIONS:
        raise Http404
    deviation = access.get_for_user(request.user, Deviation.objects.select_related("unit"), pk, "handle")
    service, _target, needs_text = TRANSITIONS[name]
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page is out of date. Reload it and make your change again."))
        return redirect("deviations:detail", pk=pk)
    kwargs: dict[str, Any] = {"deviation": deviation, "by": request.user, "version": form.cleaned_data["version"]}
    if name == "close":
        kwargs["conclusion"] = form.cleaned_data["conclusion"]
    elif needs_text:
        kwargs["reason"] = form.cleaned_data["conclusion"]
    try:
        updated = service(**kwargs)
    except DomainError as exc:
        # Show the error at the step's own field and keep what was typed.
        current = selectors.deviation_get_for_user(request.user, pk)
        return _render_detail(
            request,
            current,
            transition_error={"name": name, "message": exc.message, "text": form.cleaned_data["conclusion"]},
        )
    messages.success(request, _("The deviation is now: %(status)s.") % {"status": updated.get_status_display()})
    return redirect("deviations:detail", pk=pk)


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = access.get_for_user(request.user, Deviation.objects.select_related("unit"), pk, "handle")
    form = AssignForm(request.POST, candidates=_handler_candidates(deviation), auto_id="assign_%s")
    if form.is_valid():
        try:
            services.deviation_assign(
                deviation=deviation,
                by=request.user,
                version=form.cleaned_data["version"],
                handler=form.cleaned_data["handler"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(name)s now handles the deviation.") % {"name": form.cleaned_data["handler"]})
    else:
        messages.error(request, _("Choose a handler from the list."))
    return redirect("deviations:detail", pk=pk)


def _investigation_forms(request: HttpRequest, deviation: Deviation, data: Any = None) -> tuple[Any, Any]:
    candidates = selectors.deviation_similar_candidates(request.user, deviation)
    initial = {
        "version": deviation.version,
        "investigation_method": deviation.investigation_method,
        "findings": deviation.findings,
        "recurrence_risk": deviation.recurrence_risk,
        "related": list(deviation.related.values_list("pk", flat=True)),
    }
    return InvestigationForm(data, initial=initial, candidates=candidates, auto_id="investigation_%s"), candidates


@require_POST
def investigation(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = access.get_for_user(request.user, Deviation.objects.select_related("unit"), pk, "handle")
    form, candidates = _investigation_forms(request, deviation, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        # Links to deviations this person cannot see stay as they are.
        hidden = list(deviation.related.exclude(pk__in=candidates.values("pk")))
        try:
            services.deviation_record_investigation(
                deviation=deviation,
                by=request.user,
                version=d["version"],
                method=d["investigation_method"],
                findings=d["findings"],
                recurrence_risk=d["recurrence_risk"],
                related=[*d["related"], *hidden],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The investigation was saved."))
            return redirect("deviations:detail", pk=pk)
    return _render_detail(request, deviation, investigation_form=form)


@require_POST
def cause_add(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = access.get_for_user(request.user, Deviation.objects.select_related("unit"), pk, "handle")
    form = CauseForm(request.POST, auto_id="cause_%s")
    if form.is_valid():
        try:
            services.cause_add(
                deviation=deviation,
                by=request.user,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The cause was added."))
            return redirect("deviations:detail", pk=pk)
    return _render_detail(request, deviation, cause_form=form)


@require_POST
def cause_remove(request: HttpRequest, pk: int, cause_pk: int) -> HttpResponse:
    deviation = access.get_for_user(request.user, Deviation.objects.select_related("unit"), pk, "handle")
    cause = deviation.causes.filter(pk=cause_pk).first()
    if cause is None:
        raise Http404
    try:
        services.cause_remove(cause=cause, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The cause was removed."))
    return redirect("deviations:detail", pk=pk)


def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Handlers download any attachment; the reporter their own (not of a lex Sarah report)."""
    deviation = selectors.deviation_get_for_user(request.user, pk)
    if not can_handle(request.user, deviation) and deviation.is_lex_sarah:
        raise Http404
    attachment = deviation.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    readlog.log_read(request.user, deviation, ReadPurpose.ATTACHMENT)
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
