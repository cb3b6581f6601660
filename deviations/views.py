"""Deviation screens: report, receipt, my reports, inbox, one deviation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from actions.forms import SourceActionForm
from actions.models import Action
from actions.services import action_create, owner_candidates
from deviations import legal, selectors, services
from deviations.access_rules import can_handle, may_use_inbox
from deviations.deadlines import deadlines_for
from deviations.forms import (
    AssessmentForm,
    AssignForm,
    CauseForm,
    DeviationSettingsForm,
    EntryForm,
    InboxForm,
    InvestigationForm,
    IvoForm,
    LearningForm,
    ProtectiveMeasuresForm,
    ReportForm,
    TransitionForm,
)
from deviations.models import ClientIdentity, Deviation, DeviationSettings, RequiredContent, Status
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
    page = paginate(request, selectors.deviation_list_for_user(request.user, form.filters()), cap=INBOX_COUNT_CAP)
    return render(
        request,
        "deviations/inbox.html",
        {
            "form": form,
            "page": page,
            "late": selectors.late_among(list(page.object_list)),
            "querystring": querystring_without_page(request),
        },
    )


# Past this many rows the inbox says "more than" instead of counting them all.
INBOX_COUNT_CAP = 10_000


# Transition name → (service, target status, needs a text, button label)
TRANSITIONS = {
    "receive": (services.deviation_receive, Status.RECEIVED, False),
    "investigate": (services.deviation_start_investigation, Status.INVESTIGATING, False),
    "close": (services.deviation_close, Status.CLOSED, True),
    "close-without-action": (services.deviation_close_without_action, Status.CLOSED_NO_ACTION, True),
    "reopen": (services.deviation_reopen, Status.INVESTIGATING, True),
    "act": (services.deviation_start_actions, Status.ACTING, False),
    "follow-up": (services.deviation_start_follow_up, Status.FOLLOW_UP, False),
    "resume-actions": (services.deviation_start_actions, Status.ACTING, False),
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
        if name == "act" and deviation.status != Status.INVESTIGATING:
            continue
        if name == "resume-actions" and deviation.status != Status.FOLLOW_UP:
            continue
        names.append(name)
    return names


def _handler_candidates(deviation: Deviation) -> Any:
    """Who may handle the deviation: the capability held at its unit or above."""
    capability = access.HANDLE_LEX_SARAH if deviation.is_lex_sarah else access.HANDLE_DEVIATIONS
    holders = access.capability_holders(capability, deviation.unit).values("person_id")
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
    actions = list(
        Action.objects.for_source(deviation).select_related("owner").prefetch_related("causes").order_by("pk")
    )
    causes = list(deviation.causes.select_related("category"))
    can_investigate = deviation.status in services.INVESTIGATING_STATUSES
    settings_row = DeviationSettings.current()
    context: dict[str, Any] = {
        "actions": actions,
        "action_form": forms.get("action_form")
        or (
            SourceActionForm(
                owners=owner_candidates(deviation.unit),
                causes=deviation.causes.select_related("category"),
                auto_id="action_%s",
            )
            if can_investigate
            else None
        ),
        "deadlines": deadlines_for(deviation, settings_row),
        "learning_form": forms.get("learning_form")
        or LearningForm(initial={"version": deviation.version, "learning": deviation.learning}, auto_id="learning_%s"),
        "close_requires_finished_actions": settings_row.close_requires_finished_actions,
    }
    if deviation.is_lex_sarah:
        context.update(_lex_context(request, deviation, forms))
    return render(
        request,
        "deviations/detail.html",
        {
            **context,
            "deviation": deviation,
            "identity": ClientIdentity.objects.filter(deviation=deviation).first(),
            "transitions": _available_transitions(deviation),
            "assign_form": AssignForm(
                initial={"version": deviation.version, "handler": deviation.handler_id},
                candidates=_handler_candidates(deviation),
                auto_id="assign_%s",
            ),
            "can_investigate": can_investigate,
            "investigation_form": investigation_form,
            "cause_form": forms.get("cause_form") or CauseForm(auto_id="cause_%s"),
            "transition_error": forms.get("transition_error"),
            "causes": causes,
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


@require_POST
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new action on the deviation, addressing one or more of its causes."""
    deviation = access.get_for_user(request.user, Deviation.objects.select_related("unit"), pk, "handle")
    form = SourceActionForm(
        request.POST,
        owners=owner_candidates(deviation.unit),
        causes=deviation.causes.select_related("category"),
        auto_id="action_%s",
    )

    def save(d: dict[str, Any]) -> tuple[str, str]:
        action_create(
            source=deviation,
            by=request.user,
            title=d["title"],
            description=d["description"],
            owner=d["owner"],
            unit=deviation.unit,
            due_date=d["due_date"],
            effect_planned_on=d["effect_planned_on"],
            effect_measure=d["effect_measure"],
            causes=list(d["causes"]),
        )
        return reverse("deviations:detail", args=[pk]) + "#actions-heading", _("The action was added.")

    if response := submit(request, form, save):
        return response
    return _render_detail(request, deviation, action_form=form)


# --- Lex Sarah ---------------------------------------------------------------


def _lex_context(request: HttpRequest, deviation: Deviation, forms: dict[str, Any]) -> dict[str, Any]:
    entries = list(deviation.entries.select_related("author"))
    covered = {entry.topic for entry in entries}
    on = timezone.localdate(deviation.occurred_at)
    return {
        "entries": entries,
        "required_content": [(value, label, value in covered) for value, label in RequiredContent.choices],
        "protective_form": forms.get("protective_form")
        or ProtectiveMeasuresForm(
            initial={"version": deviation.version, "protective_measures": deviation.protective_measures},
            auto_id="protective_%s",
        ),
        "entry_form": forms.get("entry_form")
        or EntryForm(
            initial={"documented_on": timezone.localdate(), "author_title": _default_title(request.user, deviation)},
            auto_id="entry_%s",
        ),
        "assessment_form": forms.get("assessment_form")
        or AssessmentForm(
            initial={
                "version": deviation.version,
                "assessment": deviation.assessment,
                "assessment_reason": deviation.assessment_reason,
            },
            auto_id="assessment_%s",
        ),
        "ivo_form": forms.get("ivo_form")
        or IvoForm(
            initial={
                "version": deviation.version,
                "notified_on": deviation.ivo_notified_on or timezone.localdate(),
                "reference": deviation.ivo_reference,
                "decided_by": deviation.ivo_decided_by_id or request.user.pk,
            },
            candidates=_handler_candidates(deviation),
            auto_id="ivo_%s",
        ),
        "legal_references": legal.references_on(on, ["report-duty", "investigate", "notify-ivo", "documentation"]),
    }


def _default_title(user: User, deviation: Deviation) -> str:
    """The person's role at or above the unit, as a starting point for 'your title'."""
    ancestors = [*deviation.unit.ancestor_paths, deviation.unit.path]
    assignment = (
        RoleAssignment.objects.active()
        .filter(person=user, unit__path__in=ancestors)
        .select_related("role")
        .order_by("-unit__depth")
        .first()
    )
    return assignment.role.name if assignment else ""


def _lex_step(
    request: HttpRequest,
    pk: int,
    form_class: Any,
    form_key: str,
    call: Any,
    message: str,
    **form_kwargs: Any,
) -> HttpResponse:
    deviation = access.get_for_user(request.user, Deviation.objects.select_related("unit"), pk, "handle")
    if not deviation.is_lex_sarah:
        raise Http404
    if "candidates" in form_kwargs and form_kwargs["candidates"] is None:
        form_kwargs["candidates"] = _handler_candidates(deviation)
    form = form_class(request.POST, auto_id=f"{form_key.removesuffix('_form')}_%s", **form_kwargs)
    if form.is_valid():
        try:
            call(deviation, form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, message)
            return redirect(reverse("deviations:detail", args=[pk]) + "#lex-sarah-heading")
    current = selectors.deviation_get_for_user(request.user, pk)
    return _render_detail(request, current, **{form_key: form})


@require_POST
def lex_protective(request: HttpRequest, pk: int) -> HttpResponse:
    return _lex_step(
        request,
        pk,
        ProtectiveMeasuresForm,
        "protective_form",
        lambda d, c: services.lex_record_protective_measures(
            deviation=d, by=request.user, version=c["version"], text=c["protective_measures"]
        ),
        _("The protective measures were saved."),
    )


@require_POST
def lex_entry(request: HttpRequest, pk: int) -> HttpResponse:
    return _lex_step(
        request,
        pk,
        EntryForm,
        "entry_form",
        lambda d, c: services.lex_add_entry(
            deviation=d,
            by=request.user,
            documented_on=c["documented_on"],
            topic=c["topic"],
            kind=c["kind"],
            source=c["source"],
            text=c["text"],
            author_title=c["author_title"],
        ),
        _("The entry was added to the investigation."),
    )


@require_POST
def lex_assess(request: HttpRequest, pk: int) -> HttpResponse:
    return _lex_step(
        request,
        pk,
        AssessmentForm,
        "assessment_form",
        lambda d, c: services.lex_assess(
            deviation=d,
            by=request.user,
            version=c["version"],
            assessment=c["assessment"],
            reason=c["assessment_reason"],
        ),
        _("The assessment was saved."),
    )


@require_POST
def lex_ivo(request: HttpRequest, pk: int) -> HttpResponse:
    return _lex_step(
        request,
        pk,
        IvoForm,
        "ivo_form",
        lambda d, c: services.lex_record_ivo_notification(
            deviation=d,
            by=request.user,
            version=c["version"],
            notified_on=c["notified_on"],
            reference=c["reference"],
            decided_by=c["decided_by"],
        ),
        _("The notification to IVO was recorded."),
        candidates=None,
    )


@require_POST
def learning(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = access.get_for_user(request.user, Deviation.objects.select_related("unit"), pk, "handle")
    form = LearningForm(request.POST, auto_id="learning_%s")
    if form.is_valid():
        try:
            services.deviation_record_learning(
                deviation=deviation,
                by=request.user,
                version=form.cleaned_data["version"],
                text=form.cleaned_data["learning"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("What we learn was saved."))
            return redirect("deviations:detail", pk=pk)
    current = selectors.deviation_get_for_user(request.user, pk)
    return _render_detail(request, current, learning_form=form)


def ivo_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """'Underlag för anmälan till IVO': what IVO's form asks for and the investigation so far."""
    from deviations import ivo

    deviation = access.get_for_user(
        request.user, Deviation.objects.select_related("unit", "category", "handler", "assessed_by"), pk, "handle"
    )
    if not deviation.is_lex_sarah:
        raise Http404
    pdf = ivo.render(deviation, by=request.user)
    readlog.log_read(request.user, deviation, ReadPurpose.PDF)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="underlag-ivo-{deviation.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    """The organisation's deadlines and closing rule; for system administrators."""
    if not access.is_system_admin(request.user):
        raise PermissionDenied
    current = DeviationSettings.current()
    initial = {
        "version": current.version,
        "close_requires_finished_actions": current.close_requires_finished_actions,
        "receive_within_days": current.receive_within_days,
        "investigation_start_days": current.investigation_start_days,
        "ivo_notification_days": current.ivo_notification_days,
        "action_due_soon_days": current.action_due_soon_days,
    }
    form = DeviationSettingsForm(request.POST or None, initial=initial)

    def save(d: dict[str, Any]) -> tuple[str, str]:
        services.settings_update(by=request.user, version=d["version"], values=d)
        return reverse("deviations:settings"), _("The settings were saved.")

    if response := submit(request, form, save):
        return response
    return render(request, "deviations/settings.html", {"form": form, "settings": current})
