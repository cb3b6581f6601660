"""The handbook pages: choose a unit, edit its texts, produce the PDF, follow the job, download.

Access is decided in reports/access_rules.py; these views only ask it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ledningssystem import access
from ledningssystem.jobs import job_start
from ledningssystem.models import BackgroundJob, Unit
from ledningssystem.views.common import paginate, submit
from reports import services
from reports.access_rules import (
    generatable_units,
    handbook_units,
    may_edit_handbook_texts,
    may_generate_handbook,
)
from reports.forms import HandbookStartForm, HandbookTextForm, HandbookUnitForm
from reports.handbook import JOB_KIND, handbook_texts
from reports.models import HandbookRendition, HandbookText, HandbookTextKey

RENDITIONS_PER_PAGE = 20


def _default_unit(request: HttpRequest, units: Any) -> Unit | None:
    """The highest unit the person may produce the handbook for, else the unit where their view scope starts."""
    unit = generatable_units(request.user).order_by("path").first()
    if unit is not None:
        return unit
    paths = access.scope_paths(request.user, access.VIEW_UNIT)
    return units.filter(path__in=paths).order_by("path").first()


def _handbook_page(
    request: HttpRequest, unit: Unit | None, unit_form: HandbookUnitForm, start_form: HandbookStartForm | None = None
) -> HttpResponse:
    context: dict[str, Any] = {"unit_form": unit_form, "unit": unit}
    if unit is not None:
        renditions = access.filter_for_user(
            request.user, HandbookRendition.objects.filter(unit=unit).select_related("created_by")
        )
        context.update(
            {
                "texts": list(handbook_texts(unit).values()),
                "may_edit_texts": may_edit_handbook_texts(request.user, unit),
                "may_generate": may_generate_handbook(request.user, unit),
                "start_form": start_form
                or HandbookStartForm(initial={"unit": unit.pk}, units=generatable_units(request.user)),
                "page": paginate(request, renditions.order_by("-created_at", "-pk"), RENDITIONS_PER_PAGE),
            }
        )
    return render(request, "reports/handbook.html", context)


def handbook(request: HttpRequest) -> HttpResponse:
    """The handbook of a unit in the person's scope: its texts, the button that produces it, the PDFs made so far."""
    units = handbook_units(request.user).select_related("parent").order_by("path")
    if not units.exists():
        raise PermissionDenied
    unit_form = HandbookUnitForm(request.GET if "unit" in request.GET else None, units=units)
    if unit_form.is_bound:
        unit = unit_form.cleaned_data["unit"] if unit_form.is_valid() else None
    else:
        unit = _default_unit(request, units)
        unit_form = HandbookUnitForm(initial={"unit": unit.pk if unit else None}, units=units)
    return _handbook_page(request, unit, unit_form)


@require_POST
def handbook_start(request: HttpRequest) -> HttpResponse:
    """Queue the background job that produces the handbook of the chosen unit."""
    units = generatable_units(request.user)
    if not may_generate_handbook(request.user):
        raise PermissionDenied
    form = HandbookStartForm(request.POST, units=units)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        job = job_start(kind=JOB_KIND, by=request.user, params={"unit": data["unit"].pk})
        return reverse("reports:handbook_job", args=[job.pk]), _("The handbook is being produced.")

    if response := submit(request, form, save):
        return response
    # Not valid: the unit is unknown or out of the person's reach. Show the page with the error.
    readable = handbook_units(request.user).select_related("parent").order_by("path")
    unit = _default_unit(request, readable)
    unit_form = HandbookUnitForm(initial={"unit": unit.pk if unit else None}, units=readable)
    return _handbook_page(request, unit, unit_form, start_form=form)


def handbook_job(request: HttpRequest, pk: str) -> HttpResponse:
    """Progress of a handbook job started by the person; the page polls itself while it runs."""
    job = access.get_for_user(request.user, BackgroundJob, pk)
    if job.kind != JOB_KIND:
        raise Http404
    rendition = HandbookRendition.objects.filter(job=job).select_related("unit").first()
    unit = rendition.unit if rendition else Unit.objects.filter(pk=job.params.get("unit")).first()
    template = "reports/_handbook_job_status.html" if request.htmx else "reports/handbook_job.html"
    return render(
        request,
        template,
        {
            "job": job,
            "unit": unit,
            "rendition": rendition,
            # A job that has not moved for a quarter of an hour will not: stop polling.
            "is_stuck": not job.is_finished and job.created_at < timezone.now() - timezone.timedelta(minutes=15),
        },
    )


def handbook_download(request: HttpRequest, pk: int) -> FileResponse:
    """A kept handbook PDF, for everyone whose view scope holds its unit."""
    rendition = access.get_for_user(request.user, HandbookRendition.objects.select_related("unit"), pk)
    try:
        handle = rendition.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=rendition.file_name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


def handbook_text_list(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = get_object_or_404(handbook_units(request.user).select_related("parent"), pk=unit_pk)
    return render(
        request,
        "reports/handbook_texts.html",
        {
            "unit": unit,
            "texts": list(handbook_texts(unit).values()),
            "may_edit_texts": may_edit_handbook_texts(request.user, unit),
        },
    )


def handbook_text_edit(request: HttpRequest, unit_pk: int, key: str) -> HttpResponse:
    unit = get_object_or_404(handbook_units(request.user), pk=unit_pk)
    if key not in HandbookTextKey.values:
        raise Http404
    if not may_edit_handbook_texts(request.user, unit):
        raise PermissionDenied
    resolved = handbook_texts(unit)[key]
    own = HandbookText.objects.filter(unit=unit, key=key).first()
    initial = {"text": resolved.text}
    if own is not None:
        initial["version"] = own.version
    form = HandbookTextForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        back = reverse("reports:handbook_texts", args=[unit.pk])
        if own is None and data["text"].strip() == resolved.text.strip():
            # Saved as it was: the unit keeps following the text above it (or the standard text).
            return back, _("Nothing was changed; the unit still uses the text above it.")
        services.handbook_text_save(unit=unit, key=key, text=data["text"], version=data["version"], by=request.user)
        return back, _("The text has been saved.")

    if response := submit(request, form, save):
        return response
    return render(
        request,
        "reports/handbook_text_form.html",
        {"form": form, "unit": unit, "resolved": resolved, "own": own, "label": resolved.label},
    )
