"""The organisation as an Excel workbook, limited to what the person sees."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ledningssystem import access
from ledningssystem.jobs import JobHandler, JobResult, ProgressFn, register_job
from ledningssystem.models import BackgroundJob, RoleAssignment


def row(sheet: WriteOnlyWorksheet, values: list[Any]) -> list[WriteOnlyCell]:
    """Cells that show exactly what was typed.

    Text is always text (a name starting with "=" must not become a formula)
    and characters Excel cannot store are dropped; dates are plain dates.
    """
    cells = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
        else:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
        cells.append(cell)
    return cells


def organisation_workbook(job: BackgroundJob, progress: ProgressFn) -> JobResult:
    person = job.created_by
    book = Workbook(write_only=True)
    units = book.create_sheet(_("Units"))
    units.append(row(units, [_("Level"), _("Name"), _("Kind"), _("Code"), _("Active"), _("Above")]))
    parent_names: dict[str, str] = {}
    for unit in access.units_for_user(person, access.VIEW_UNIT).order_by("path").iterator(chunk_size=1000):
        parent_names[unit.path] = unit.name
        units.append(
            row(
                units,
                [
                    unit.depth,
                    unit.name,
                    unit.get_kind_display(),
                    unit.code,
                    _("Yes") if unit.is_active else _("No"),
                    parent_names.get(unit.path[: -unit.steplen], ""),
                ],
            )
        )
    progress(50)
    if access.has_capability(person, access.VIEW_ASSIGNMENTS):
        sheet = book.create_sheet(_("Roles"))
        sheet.append(row(sheet, [_("Person"), _("User name"), _("Role"), _("Unit"), _("From"), _("To")]))
        holders = access.filter_for_user(person, RoleAssignment.objects.current_or_future()).select_related(
            "person", "role", "unit"
        )
        for a in holders.order_by("unit__path", "role__sort_order", "person__last_name").iterator(chunk_size=1000):
            sheet.append(
                row(
                    sheet,
                    [
                        str(a.person),
                        a.person.username,
                        a.role.name,
                        a.unit.name,
                        a.start_date,
                        a.end_date,
                    ],
                )
            )
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = timezone.localdate().isoformat()
    return JobResult(filename=f"organisation-{stamp}.xlsx", content=buffer.getvalue())


register_job(
    "organisation_export", JobHandler(label=lambda: _("Organisation export (Excel)"), run=organisation_workbook)
)
