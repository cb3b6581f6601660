"""Moving a handbook in (upload → preview → confirm) and out (export, the empty template).

For people who maintain documents (``access_rules.may_transfer``); the
units offered are those where they hold ``manage_documents``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ledningssystem import access
from ledningssystem.services import DomainError
from ledningssystem.views.common import submit
from processes import access_rules
from processes.models import TransferDraft, TransferStatus
from processes.transfer import services
from processes.transfer.forms import ConfirmForm, ExportForm, UploadForm
from processes.transfer.reading import HandbookError
from processes.transfer.workbook import handbook_workbook

MAX_SHOWN_PROBLEMS = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_transfer(request: HttpRequest) -> None:
    if not access_rules.may_transfer(request.user):
        raise PermissionDenied


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _require_transfer(request)
    units = access_rules.creatable_owner_units(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, units=units)
    problems: list = []

    def save(data: dict) -> tuple[str, str]:
        upload = data["file"]
        try:
            draft, _plan = services.transfer_draft_create(
                by=request.user, unit=data["unit"], file_name=upload.name, data=upload.read()
            )
        except HandbookError as exc:
            problems.extend(exc.problems)
            raise DomainError(_("The file cannot be imported. Nothing has been changed."), field="file") from None
        return reverse("processes:transfer_preview", args=[draft.pk]), _(
            "The file has been checked. Look at the changes before you apply them."
        )

    if response := submit(request, form, save):
        return response
    return render(
        request,
        "processes/transfer/upload.html",
        {
            "form": form,
            "export_form": ExportForm(units=units, initial={"unit": units.order_by("path").first()}),
            "problems": problems[:MAX_SHOWN_PROBLEMS],
            "more_problems": max(0, len(problems) - MAX_SHOWN_PROBLEMS),
        },
    )


@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, pk: str) -> HttpResponse:
    _require_transfer(request)
    draft = access.get_for_user(request.user, TransferDraft.objects.select_related("unit"), pk, "change")
    form = ConfirmForm(request.POST or None, initial={"sha256": draft.sha256})
    url = reverse("processes:transfer_preview", args=[draft.pk])

    def save(data: dict) -> tuple[str, str]:
        try:
            plan = services.transfer_draft_confirm(draft=draft, by=request.user, sha256=data["sha256"])
        except HandbookError:
            raise DomainError(
                _("The file no longer fits the data (something it refers to has changed). Upload it again.")
            ) from None
        counts = plan.counts()
        return url, _(
            "The handbook was imported: %(added)s added, %(changed)s changed, %(unchanged)s unchanged."
        ) % counts

    if response := submit(request, form, save):
        return response
    draft.refresh_from_db()
    plan = None
    problems: list = []
    if draft.status == TransferStatus.PENDING:
        try:
            plan = services.transfer_draft_preview(draft)
        except HandbookError as exc:
            problems = exc.problems[:MAX_SHOWN_PROBLEMS]
    return render(
        request,
        "processes/transfer/preview.html",
        {"draft": draft, "plan": plan, "form": form, "problems": problems},
    )


@require_GET
def template(request: HttpRequest) -> HttpResponse:
    _require_transfer(request)
    return _download(handbook_workbook(), "handboksmall.xlsx", XLSX)


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    _require_transfer(request)
    units = access_rules.creatable_owner_units(request.user)
    form = ExportForm(request.GET, units=units)
    if not form.is_valid():
        raise Http404  # a unit outside the person's reach is as unknown as a missing one
    try:
        content, filename, content_type = services.export_bytes(
            form.cleaned_data["unit"], form.cleaned_data["format"], user=request.user
        )
    except DomainError as exc:
        return render(
            request,
            "processes/transfer/upload.html",
            {
                "form": UploadForm(units=units),
                "export_form": form,
                "export_error": exc.message,
                "problems": [],
                "more_problems": 0,
            },
            status=400,
        )
    return _download(content, filename, content_type)
