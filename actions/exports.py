"""The action list as CSV (streamed) and Excel (a background job).

Both hold exactly what the filtered list shows, through the same selector;
the Excel job checks the person's access again when it runs.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from actions import selectors
from actions.models import ActionStatus, EffectResult
from ledningssystem import access
from ledningssystem.exports import Column, csv_response, xlsx_bytes
from ledningssystem.jobs import JobHandler, JobResult, ProgressFn, job_start, register_job
from ledningssystem.models import BackgroundJob

JOB_KIND = "action_export"
WHOSE = ("mine", "scope")
SHOW = ("open", "overdue", "effect", "all")


def action_columns() -> list[Column]:
    # Labels translated once, not per row.
    statuses = {value: str(label) for value, label in ActionStatus.choices}
    effects = {value: str(label) for value, label in EffectResult.choices}
    return [
        Column(gettext_lazy("Action"), lambda a: a.title),
        Column(gettext_lazy("Unit"), lambda a: a.unit.name),
        Column(gettext_lazy("Owner"), lambda a: a.owner.get_full_name() or a.owner.get_username()),
        Column(gettext_lazy("Due date"), lambda a: a.due_date),
        Column(gettext_lazy("Status"), lambda a: statuses.get(a.status, a.status)),
        Column(gettext_lazy("Done"), lambda a: a.completed_at if a.status == ActionStatus.DONE else None),
        Column(gettext_lazy("Follow up the effect on"), lambda a: a.effect_planned_on),
        Column(gettext_lazy("Effect"), lambda a: effects.get(a.effect_result, "")),
    ]


def may_see_scope(user: Any) -> bool:
    """Handlers may list the actions in their units, not only their own."""
    return access.has_capability(user, access.HANDLE_DEVIATIONS) or access.has_capability(user, access.HANDLE_LEX_SARAH)


def filters_for(user: Any, data: Any) -> tuple[str, str]:
    """The list's filters from a querystring (the list and its exports alike); unknown values fall back."""
    whose = data.get("whose") if data.get("whose") in WHOSE else "mine"
    if whose == "scope" and not may_see_scope(user):
        whose = "mine"
    show = data.get("show") if data.get("show") in SHOW else "open"
    return whose, show


def _filename(extension: str) -> str:
    return f"{_('actions')}-{timezone.localdate().isoformat()}.{extension}"


def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    whose, show = filters_for(request.user, request.GET)
    rows = selectors.action_list_for_user(request.user, whose=whose, show=show)
    return csv_response(rows, action_columns(), _filename("csv"))


@require_POST
def export_excel(request: HttpRequest) -> HttpResponse:
    whose, show = filters_for(request.user, request.GET)
    job = job_start(kind=JOB_KIND, by=request.user, params={"whose": whose, "show": show})
    return redirect("job_detail", pk=job.pk)


def action_workbook(job: BackgroundJob, progress: ProgressFn) -> JobResult:
    user = job.created_by
    whose, show = filters_for(user, job.params)
    rows = selectors.action_list_for_user(user, whose=whose, show=show)
    total = max(rows.count(), 1)
    done = 0

    def on_chunk(chunk: list[Any]) -> None:
        nonlocal done
        done += len(chunk)
        progress(min(95, done * 100 // total))

    content = xlsx_bytes(rows, action_columns(), sheet_title=_("Actions"), on_chunk=on_chunk)
    return JobResult(filename=_filename("xlsx"), content=content)


register_job(JOB_KIND, JobHandler(label=lambda: _("Actions (Excel)"), run=action_workbook))
