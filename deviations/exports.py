"""The deviation inbox as CSV (streamed) and Excel (a background job).

Both export exactly what the inbox lists for the same querystring: the same
form builds the filters and the same selector limits the rows to what the
person handles. Invalid filters export nothing. The free text ("what
happened") is left out on purpose: it often names clients and staff, and a
file on a desktop is outside every access check; whoever needs it opens the
case. The client's identity, a restricted field, is included only when the
person asks for it and only on rows they may handle. Every sensitive row
exported is written to the read log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from deviations import selectors
from deviations.access_rules import can_handle, may_use_inbox, with_sensitivity
from deviations.forms import ExportForm, InboxForm
from deviations.models import ClientIdentity, Consequence, Deviation, Status
from ledningssystem import access, readlog
from ledningssystem.exports import Column, csv_response, xlsx_bytes
from ledningssystem.jobs import JobHandler, JobResult, ProgressFn, job_start, register_job
from ledningssystem.models import BackgroundJob, ReadPurpose, User

JOB_KIND = "deviation_export"


def _identity(user: User, deviation: Deviation) -> str:
    if not can_handle(user, deviation):  # decided on loaded data: no query
        return ""
    try:
        return deviation.client_identity.identity  # joined by deviation_export_rows
    except ClientIdentity.DoesNotExist:
        return ""


def deviation_columns(user: User, *, include_identity: bool) -> list[Column]:
    # Labels translated once: get_FOO_display() per row costs more than the rest of the row.
    consequences = {value: str(label) for value, label in Consequence.choices}
    statuses = {value: str(label) for value, label in Status.choices}
    columns = [
        Column(gettext_lazy("Reference"), lambda d: d.reference),
        Column(gettext_lazy("Reported"), lambda d: d.reported_at),
        Column(gettext_lazy("Unit"), lambda d: d.unit.name),
        Column(gettext_lazy("Category"), lambda d: d.category.name),
        Column(gettext_lazy("Estimated consequence"), lambda d: consequences.get(d.consequence, d.consequence)),
        Column(gettext_lazy("Status"), lambda d: statuses.get(d.status, d.status)),
        Column(gettext_lazy("Lex Sarah"), lambda d: d.is_lex_sarah),
        Column(gettext_lazy("Handler"), lambda d: str(d.handler) if d.handler else ""),
        Column(gettext_lazy("When it happened"), lambda d: d.occurred_at),
        Column(gettext_lazy("Closed"), lambda d: d.closed_at),
    ]
    if include_identity:
        columns.append(Column(gettext_lazy("Client identity"), lambda d: _identity(user, d)))
    return columns


def deviation_export_rows(
    user: User, filters: selectors.InboxFilter, *, include_identity: bool
) -> models.QuerySet[Deviation]:
    """The inbox's rows for ``filters``, with what the read log (and, when asked,
    the identity column) needs joined into the same query."""
    rows = with_sensitivity(selectors.deviation_list_for_user(user, filters))
    return rows.select_related("client_identity") if include_identity else rows


def _inbox_form(user: User, data: Any) -> InboxForm:
    units = access.units_for_user(user).filter(is_active=True).order_by("path")
    return InboxForm(data, units=units)


def _log_chunk(user: User) -> Any:
    return lambda chunk: readlog.log_reads(user, chunk, ReadPurpose.EXPORTED)


def _filename(extension: str) -> str:
    return f"{_('deviations')}-{timezone.localdate().isoformat()}.{extension}"


def _checked(request: HttpRequest) -> tuple[InboxForm, bool] | HttpResponse:
    """The valid inbox filters and the export options, or the way back to the inbox."""
    if not may_use_inbox(request.user):
        raise PermissionDenied
    form = _inbox_form(request.user, request.GET)
    if request.GET and not form.is_valid():
        # No file: the inbox shows the bad filter at its field.
        messages.error(request, _("Nothing was exported: correct the filters marked below and try again."))
        query = request.GET.urlencode()
        return redirect(reverse("deviations:inbox") + (f"?{query}" if query else ""))
    options = ExportForm(request.POST)
    include_identity = options.is_valid() and options.cleaned_data["include_identity"]
    return form, include_identity


@require_POST
def export_csv(request: HttpRequest) -> HttpResponse:
    """The inbox as it is filtered now, streamed as CSV for Excel."""
    checked = _checked(request)
    if isinstance(checked, HttpResponse):
        return checked
    form, include_identity = checked
    user = request.user
    rows = deviation_export_rows(user, form.filters(), include_identity=include_identity)
    return csv_response(
        rows,
        deviation_columns(user, include_identity=include_identity),
        _filename("csv"),
        on_chunk=_log_chunk(user),
    )


@require_POST
def export_excel(request: HttpRequest) -> HttpResponse:
    """Start the Excel export as a background job; the person downloads it from the job page."""
    checked = _checked(request)
    if isinstance(checked, HttpResponse):
        return checked
    _form, include_identity = checked
    filters = {key: request.GET.getlist(key) for key in request.GET if key != "page"}
    job = job_start(kind=JOB_KIND, by=request.user, params={"filters": filters, "include_identity": include_identity})
    return redirect("job_detail", pk=job.pk)


def deviation_workbook(job: BackgroundJob, progress: ProgressFn) -> JobResult:
    """Run by the worker as the person who started it, with their access as it is now."""
    user = job.created_by
    if not may_use_inbox(user):
        raise PermissionDenied
    form = _inbox_form(user, MultiValueDict(job.params.get("filters", {})))
    if job.params.get("filters") and not form.is_valid():
        raise ValueError("invalid filters")  # checked when started; a unit may have been removed since
    include_identity = bool(job.params.get("include_identity"))
    rows = deviation_export_rows(user, form.filters(), include_identity=include_identity)
    total = max(rows.count(), 1)
    done = 0

    def on_chunk(chunk: list[Deviation]) -> None:
        nonlocal done
        readlog.log_reads(user, chunk, ReadPurpose.EXPORTED)
        done += len(chunk)
        progress(min(95, done * 100 // total))

    content = xlsx_bytes(
        rows,
        deviation_columns(user, include_identity=include_identity),
        sheet_title=_("Deviations"),
        on_chunk=on_chunk,
    )
    return JobResult(filename=_filename("xlsx"), content=content)


register_job(JOB_KIND, JobHandler(label=lambda: _("Deviations (Excel)"), run=deviation_workbook))
