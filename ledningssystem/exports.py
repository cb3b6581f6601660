"""Lists as CSV and Excel files, and the organisation workbook.

Any list can be exported with a queryset already limited by the access
module, a list of ``Column`` definitions and a file name:

    csv_response(rows, columns, "avvikelser-2026-11-24.csv", on_chunk=log)
    xlsx_bytes(rows, columns, sheet_title="Avvikelser", on_chunk=log)

Both read the queryset in chunks (``iterator(chunk_size=...)``), so memory
stays constant and the queries do not grow per row; ``on_chunk`` gets each
chunk before it is written (the read log uses it, one INSERT per chunk).
CSV is for Swedish Excel: UTF-8 with a byte order mark, ``;`` between
fields, local dates (Europe/Stockholm), and text that could start a formula
prefixed with an apostrophe. In workbooks text is stored as text, never as
a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ledningssystem import access
from ledningssystem.jobs import JobHandler, JobResult, ProgressFn, register_job
from ledningssystem.models import BackgroundJob, RoleAssignment

EXPORT_CHUNK_SIZE = 2000
# Excel's limit is 1,048,576 rows a sheet; the rest goes on further sheets.
XLSX_MAX_ROWS = 1_048_575
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading and how a row gives its value.

    ``value`` returns plain Python values (text, bool, date, datetime, number,
    None); the writers format them. It must not query the database: put what
    it needs in the queryset (``select_related``, annotations).
    """

    header: Any
    value: Callable[[Any], Any]


def iter_chunks(rows: models.QuerySet[Any], chunk_size: int | None = None) -> Iterator[list[Any]]:
    """``rows`` in lists of at most ``chunk_size``, read with one cursor."""
    chunk_size = chunk_size or EXPORT_CHUNK_SIZE
    batch: list[Any] = []
    for obj in rows.iterator(chunk_size=chunk_size):
        batch.append(obj)
        if len(batch) >= chunk_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def csv_cell(value: Any) -> str:
    """One value as CSV text in Swedish format, safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        text = "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    rows: models.QuerySet[Any],
    columns: Sequence[Column],
    *,
    on_chunk: Callable[[list[Any]], Any] | None = None,
    chunk_size: int | None = None,
) -> Iterator[str]:
    """The CSV text, a heading line then one piece per chunk of rows."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([str(c.header) for c in columns])
    for batch in iter_chunks(rows, chunk_size):
        if on_chunk:
            on_chunk(batch)
        yield "".join(writer.writerow([csv_cell(c.value(obj)) for c in columns]) for obj in batch)


def csv_response(
    rows: models.QuerySet[Any],
    columns: Sequence[Column],
    filename: str,
    *,
    on_chunk: Callable[[list[Any]], Any] | None = None,
    chunk_size: int | None = None,
) -> StreamingHttpResponse:
    """Stream ``rows`` as a CSV download; nothing is read until the client reads."""
    language = translation.get_language()

    def content() -> Iterator[bytes]:
        # The body is produced after the view has returned: keep its language.
        with translation.override(language):
            for piece in csv_lines(rows, columns, on_chunk=on_chunk, chunk_size=chunk_size):
                yield piece.encode("utf-8")

    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def row(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[WriteOnlyCell]:
    """Cells that show exactly what was typed.

    Text is always text (a name starting with "=" must not become a formula)
    and characters Excel cannot store are dropped; dates are plain dates,
    times are local (Excel has no time zones), yes/no is words.
    """
    cells = []
    for value in values:
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
        elif isinstance(value, datetime.datetime):
            cell = WriteOnlyCell(sheet, value=_local(value).replace(tzinfo=None))
            cell.number_format = "yyyy-mm-dd hh:mm"
        else:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
        cells.append(cell)
    return cells


def xlsx_bytes(
    rows: models.QuerySet[Any],
    columns: Sequence[Column],
    *,
    sheet_title: str,
    on_chunk: Callable[[list[Any]], Any] | None = None,
    chunk_size: int | None = None,
) -> bytes:
    """``rows`` as an Excel workbook (write-only: rows are not kept in memory)."""
    book = Workbook(write_only=True)
    headers = [str(c.header) for c in columns]
    sheet = book.create_sheet(sheet_title[:31])
    sheet.append(row(sheet, headers))
    written = sheets = 0
    for batch in iter_chunks(rows, chunk_size):
        if on_chunk:
            on_chunk(batch)
        for obj in batch:
            if written == XLSX_MAX_ROWS:
                sheets += 1
                sheet = book.create_sheet(f"{sheet_title[:27]} {sheets + 1}")
                sheet.append(row(sheet, headers))
                written = 0
            sheet.append(row(sheet, [c.value(obj) for c in columns]))
            written += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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
