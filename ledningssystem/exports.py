"""The organisation as an Excel workbook, limited to what the person sees."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ledningssystem import access
from ledningssystem.jobs import JobHandler, JobResult, ProgressFn, register_job
from ledningssystem.models import BackgroundJob, RoleAssignment


def organisation_workbook(job: BackgroundJob, progress: ProgressFn) -> JobResult:
    person = job.created_by
    book = Workbook(write_only=True)
    units = book.create_sheet(_("Units"))
    header = [_("Level"), _("Name"), _("Kind"), _("Code"), _("Active"), _("Above")]
    units.append(header)
    parent_names: dict[str, str] = {}
    for unit in access.units_for_user(person, access.VIEW_UNIT).order_by("path").iterator(chunk_size=1000):
        parent_names[unit.path] = unit.name
        units.append(
            [
                unit.depth,
                unit.name,
                unit.get_kind_display(),
                unit.code,
                _("Yes") if unit.is_active else _("No"),
                parent_names.get(unit.path[: -unit.steplen], ""),
            ]
        )
    progress(50)
    if access.has_capability(person, access.VIEW_ASSIGNMENTS):
        sheet = book.create_sheet(_("Roles"))
        sheet.append([_("Person"), _("User name"), _("Role"), _("Unit"), _("From"), _("To")])
        rows = access.filter_for_user(person, RoleAssignment.objects.all()).select_related("person", "role", "unit")
        for a in rows.order_by("unit__path", "role__sort_order", "person__last_name").iterator(chunk_size=1000):
            sheet.append([str(a.person), a.person.username, a.role.name, a.unit.name, a.start_date, a.end_date])
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = timezone.localdate().isoformat()
    return JobResult(filename=f"organisation-{stamp}.xlsx", content=buffer.getvalue())


register_job(
    "organisation_export", JobHandler(label=lambda: _("Organisation export (Excel)"), run=organisation_workbook)
)
