"""The coverage matrix as a PDF, made by a background job.

A large matrix (500 requirements, thousands of routines) is hundreds of
pages, which takes WeasyPrint longer than a page view should. The job
checks access again when it runs, as the person who started it, and builds
the same filtered matrix the page shows.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ledningssystem import pdf
from ledningssystem.jobs import JobHandler, JobResult, ProgressFn, register_job
from ledningssystem.models import BackgroundJob
from processes.access_rules import coverage_units, may_see_coverage
from requirements.coverage import STATUS_LABELS, STATUSES, CoverageMatrix, coverage_matrix
from requirements.models import Framework, Section

JOB_KIND = "coverage_pdf"


def matrix_cells(row: Any) -> dict[str, str]:
    """A row's cells as plain text (one item a line), as the exports show them."""
    routines = [
        f"{c.document.identifier} {c.document.title}"
        + (f" ({_('draft')})" if c.is_draft else "")
        + (f" ({_('review overdue')})" if c.is_overdue else "")
        for c in row.routines
    ]
    processes = [c.process.title + (f" ({_('draft')})" if c.is_draft else "") for c in row.processes]
    if row.hidden_drafts:
        routines.append(
            ngettext("%(n)s draft you cannot see", "%(n)s drafts you cannot see", row.hidden_drafts)
            % {"n": row.hidden_drafts}
        )
    return {
        "routines": "\n".join(routines),
        "processes": "\n".join(processes),
        "methods": "\n".join(m.name for m in row.methods),
        "roles": "\n".join(r.name for r in row.roles),
    }


def render_matrix_pdf(matrix: CoverageMatrix, by: Any) -> bytes:
    """Landscape A4 with "Sida X av Y"; a print stylesheet without a CSS framework."""
    return pdf.render_pdf(
        "requirements/coverage_pdf.html",
        {
            "matrix": matrix,
            "rows": [(row, matrix_cells(row)) for row in matrix.rows],
            "status_counts": [(STATUS_LABELS[s], matrix.counts[s]) for s in STATUSES],
            "status_label": STATUS_LABELS.get(matrix.status, ""),
            "generated_by": by,
            "generated_at": timezone.localtime(),
        },
    )


def params_for(matrix: CoverageMatrix) -> dict[str, Any]:
    return {
        "unit": matrix.unit.pk,
        "framework": matrix.framework.pk,
        "chapter": matrix.chapter.pk if matrix.chapter else None,
        "kind": matrix.kind,
        "status": matrix.status,
    }


def run(job: BackgroundJob, progress: ProgressFn) -> JobResult:
    person = job.created_by
    params = job.params or {}
    unit = coverage_units(person).filter(pk=params.get("unit")).first()
    if unit is None or not may_see_coverage(person, unit):
        raise PermissionDenied  # the person's roles changed since they asked
    framework = Framework.objects.get(pk=params.get("framework"))
    chapter = Section.objects.filter(pk=params.get("chapter"), framework=framework).first()
    matrix = coverage_matrix(
        person, unit, framework, chapter=chapter, kind=params.get("kind"), status=params.get("status")
    )
    progress(20)
    content = render_matrix_pdf(matrix, person)
    return JobResult(filename=f"tackning-{timezone.localdate().isoformat()}.pdf", content=content)


register_job(JOB_KIND, JobHandler(label=lambda: _("Coverage matrix (PDF)"), run=run))
