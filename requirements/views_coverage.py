"""The coverage matrix: the page, its Excel and PDF exports, and linking a routine to a requirement."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook

from ledningssystem import access
from ledningssystem.exports import row as xlsx_row
from ledningssystem.forms import already_submitted, remember_submission
from ledningssystem.jobs import job_start
from ledningssystem.services import DomainError
from processes.access_rules import coverage_units, may_change, may_create, may_see_coverage
from processes.models import OPEN_STATUSES, Document, DocumentVersion, Process, ProcessStatus
from requirements import coverage_export, mapping
from requirements.coverage import STATUS_LABELS, STATUSES, CoverageMatrix, coverage_matrix
from requirements.coverage_export import matrix_cells
from requirements.forms_focus import CoverageFilterForm, LinkForm, LinkSearchForm
from requirements.models import Framework, Requirement

ROWS_PER_PAGE = 100
LINK_CANDIDATES = 30

# Document and process pages are built in the processes app; link to them when they exist.
_DETAIL_URLS = {
    Document: ("processes:document_detail", "processes:document"),
    Process: ("processes:process_detail", "processes:process"),
}


def object_url(obj: Any) -> str | None:
    for name in _DETAIL_URLS.get(type(obj), ()):
        try:
            return reverse(name, args=[obj.pk])
        except NoReverseMatch:
            continue
    return None


def _filters(request: HttpRequest) -> tuple[CoverageFilterForm, Any, Framework | None, dict[str, Any]]:
    """The filter form, bound to the query or to defaults; 403 for those who may not read any matrix."""
    user = request.user
    if not may_see_coverage(user):
        raise PermissionDenied
    units = coverage_units(user).select_related("parent").order_by("path")
    first_unit = units.first()
    if first_unit is None:
        raise PermissionDenied
    framework = None
    if raw := request.GET.get("framework"):
        framework = Framework.objects.filter(pk=raw).first() if raw.isdigit() else None
    if framework is None:
        framework = Framework.objects.order_by("code").first()
    data = request.GET.copy()
    data.setdefault("unit", str(first_unit.pk))
    if framework is not None:
        data["framework"] = str(framework.pk)
    form = CoverageFilterForm(data, units=units, framework=framework)
    form.is_valid()
    # A unit outside the person's matrix scope is as unknown as a missing one;
    # any other bad filter is left out and said next to its field.
    if "unit" not in form.cleaned_data:
        raise Http404
    return form, units, framework, form.cleaned_data


def _matrix_for(request: HttpRequest) -> tuple[CoverageFilterForm, CoverageMatrix | None]:
    form, _units, framework, data = _filters(request)
    if framework is None or not data.get("unit"):
        return form, None
    unit = data["unit"]
    if not may_see_coverage(request.user, unit):
        raise PermissionDenied
    matrix = coverage_matrix(
        request.user,
        unit,
        framework,
        chapter=data.get("chapter"),
        kind=data.get("kind") or None,
        status=data.get("status") or None,
    )
    return form, matrix


def _filter_query(matrix: CoverageMatrix) -> str:
    params = {"unit": matrix.unit.pk, "framework": matrix.framework.pk}
    if matrix.chapter:
        params["chapter"] = matrix.chapter.pk
    if matrix.kind:
        params["kind"] = matrix.kind
    if matrix.status:
        params["status"] = matrix.status
    return urlencode(params)


def coverage(request: HttpRequest) -> HttpResponse:
    """The matrix for a chosen scope and framework, with filters, counts per status and a page of rows."""
    form, matrix = _matrix_for(request)
    page = None
    rows: list[Any] = []
    if matrix is not None:
        page = Paginator(matrix.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        for row in rows:
            for cell in row.routines:
                cell.url = object_url(cell.document)
                cell.may_unlink = may_change(request.user, cell.document)
            for cell in row.processes:
                cell.url = object_url(cell.process)
                cell.may_unlink = may_change(request.user, cell.process)
    query = _filter_query(matrix) if matrix else ""
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "requirements/coverage.html",
        {
            "form": form,
            "matrix": matrix,
            "page": page,
            "rows": rows,
            "query": query,
            "querystring": params.urlencode(),
            "status_counts": [(s, STATUS_LABELS[s], matrix.counts[s]) for s in STATUSES] if matrix else [],
            "may_link": may_create(request.user),
        },
    )


def _stamp() -> str:
    return timezone.localdate().isoformat()


def coverage_xlsx(request: HttpRequest) -> HttpResponse:
    """The same filtered matrix as an Excel workbook (only what the person may see)."""
    _form, matrix = _matrix_for(request)
    if matrix is None:
        raise Http404
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Coverage")[:31])
    sheet.append(xlsx_row(sheet, [_("Coverage matrix"), matrix.framework.code, matrix.unit.name, matrix.today]))
    sheet.append(
        xlsx_row(sheet, [f"{STATUS_LABELS[s]}: {matrix.counts[s]}" for s in STATUSES]),
    )
    headers = [
        _("Requirement reference"),
        _("Requirement"),
        _("Kind"),
        _("Routines"),
        _("Processes"),
        _("Follow-up method"),
        _("Responsible"),
        _("Status"),
    ]
    sheet.append(xlsx_row(sheet, headers))
    for row in matrix.rows:
        cells = matrix_cells(row)
        r = row.requirement
        sheet.append(
            xlsx_row(
                sheet,
                [
                    r.reference,
                    r.title,
                    r.get_kind_display(),
                    cells["routines"],
                    cells["processes"],
                    cells["methods"],
                    cells["roles"],
                    row.status_label,
                ],
            )
        )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"tackning-{_stamp()}.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def coverage_pdf(request: HttpRequest) -> HttpResponse:
    """Start the PDF of the same filtered matrix as a background job; its page shows progress and the download."""
    _form, matrix = _matrix_for(request)
    if matrix is None:
        raise Http404
    job = job_start(kind=coverage_export.JOB_KIND, by=request.user, params=coverage_export.params_for(matrix))
    return redirect("job_detail", pk=job.pk)


# --- Linking ---------------------------------------------------------------------


def _back(request: HttpRequest) -> str:
    """The matrix with the filters the person came from (only our own parameters go back into the address)."""
    safe = {k: v[:20] for k, v in request.GET.items() if k in {"unit", "framework", "chapter", "kind", "status"}}
    return f"{reverse('requirements:coverage')}?{urlencode(safe)}" if safe else reverse("requirements:coverage")


def _link_candidates(request: HttpRequest, requirement: Requirement, q: str) -> list[tuple[str, Any]]:
    """Routines and processes the person may change and that do not answer the requirement yet."""
    # As in the matrix: routines in force or being drafted, not withdrawn ones.
    open_version = Exists(DocumentVersion.objects.filter(document=OuterRef("pk"), status__in=OPEN_STATUSES))
    docs = (
        access.filter_for_user(request.user, Document.objects.all(), "change")
        .filter(Q(current_version__isnull=False) | open_version)
        .exclude(requirements=requirement)
        .select_related("owner_unit")
    )
    procs = (
        access.filter_for_user(request.user, Process.objects.exclude(status=ProcessStatus.RETIRED), "change")
        .exclude(requirements=requirement)
        .select_related("owner_unit")
    )
    if q:
        for word in q.split()[:5]:
            docs = docs.filter(Q(title__icontains=word) | Q(identifier__icontains=word))
            procs = procs.filter(Q(title__icontains=word) | Q(identifier__icontains=word))
    found = [("document", d) for d in docs.order_by("title", "pk")[:LINK_CANDIDATES]]
    found += [("process", p) for p in procs.order_by("title", "pk")[:LINK_CANDIDATES]]
    return found


@require_http_methods(["GET", "POST"])
def coverage_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a routine or process to link to a requirement ("Koppla rutin")."""
    if not may_see_coverage(request.user):
        raise PermissionDenied
    requirement = access.get_for_user(request.user, Requirement.objects.select_related("framework"), pk)
    search = LinkSearchForm(request.GET or None)
    q = search.cleaned_data.get("q", "") if search.is_valid() else ""
    form = LinkForm(request.POST or None)
    error = None
    if request.method == "POST" and (done := already_submitted(request, form)):
        messages.info(request, _("The form had already been sent; it was not saved twice."))
        return redirect(done)
    if request.method == "POST" and form.is_valid():
        kind, target_pk = form.cleaned_data["target"]
        model = Document if kind == "document" else Process
        target = access.get_for_user(request.user, model, target_pk, "change")
        try:
            mapping.requirement_link(requirement=requirement, target=target, by=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("%(target)s now answers %(requirement)s.")
                % {"target": target.title, "requirement": f"{requirement.reference} {requirement.title}"},
            )
            remember_submission(request, form, _back(request))
            return redirect(_back(request))
    elif request.method == "POST":
        error = _("Choose a routine or process from the list.")
    return render(
        request,
        "requirements/coverage_link.html",
        {
            "requirement": requirement,
            "candidates": _link_candidates(request, requirement, q),
            "search": search,
            "form": form,
            "error": error,
            "back": _back(request),
        },
    )


@require_POST
def coverage_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove the link between a routine or process and a requirement."""
    if not may_see_coverage(request.user):
        raise PermissionDenied
    requirement = access.get_for_user(request.user, Requirement, pk)
    form = LinkForm(request.POST)
    if done := already_submitted(request, form):
        messages.info(request, _("The form had already been sent; it was not saved twice."))
        return redirect(done)
    if not form.is_valid():
        messages.error(request, _("Choose a routine or process from the list."))
        return redirect(_back(request))
    kind, target_pk = form.cleaned_data["target"]
    model = Document if kind == "document" else Process
    target = access.get_for_user(request.user, model, target_pk, "change")
    try:
        mapping.requirement_unlink(requirement=requirement, target=target, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(target)s no longer answers %(requirement)s.")
            % {"target": target.title, "requirement": requirement.reference},
        )
        remember_submission(request, form, _back(request))
    return redirect(_back(request))
