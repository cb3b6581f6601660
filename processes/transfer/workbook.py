"""The Excel form of the handbook format: the empty template and exports.

One workbook, the sheets named in reading.COLUMNS with a heading row each,
lists to choose from for kind, status and role, and an instructions sheet
in Swedish that also holds the unit the handbook belongs to. Text is stored
as text (a cell starting with "=" never becomes a formula).
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ledningssystem.models import Role
from ledningssystem.services import DomainError
from processes.transfer.reading import (
    COLUMNS,
    KIND_WORDS,
    SHEET_DOCUMENTS,
    SHEET_DUTIES,
    SHEET_FOCUS,
    SHEET_INSTRUCTIONS,
    SHEET_ROLES,
    STATUS_WORDS,
    UNIT_LABEL,
)

EXCEL_CELL_LIMIT = 32_767
VALIDATED_ROWS = 2000

INSTRUCTIONS = [
    "Så fyller du i mallen",
    "",
    "Mallen för över en befintlig handbok (fokusområden, ansvarsfördelning och rutiner) till ledningssystemet.",
    "Fyll i ett blad per del. Ändra inte rubrikraderna och inte bladens namn. Tomma rader hoppas över.",
    "Ladda upp filen under Rutiner › Flytta in handbok. Du ser först vad som läggs till och ändras; "
    "inget ändras förrän du bekräftar.",
    "",
    "Ansvarsfördelning: en rad per roll med vad rollen ansvarar för. Roll anges med sin identifierare "
    "(t.ex. enhetschef) eller sitt namn.",
    "Fokusområden: Nyckel är en stabil kortform med små bokstäver, siffror och bindestreck (t.ex. bemotande). "
    "Uppföljningsmetoder skrivs som koder åtskilda med kommatecken (t.ex. egenkontroll, brukarundersokning). "
    "Krav skrivs som regelverk/identifierare, t.ex. SOSFS 2011:9/4-1, ett per rad eller åtskilda med semikolon.",
    "Ansvar per fokusområde: en rad per fokusområde och roll.",
    "Rutiner: Typ är riktlinje, rutin, instruktion, policy eller plan. Status är utkast eller fastställd. "
    "En fastställd rutin får en fastställd version med beslutet (t.ex. SN 2024-01-17 § 7) och datumet i Fastställd. "
    "Ägare (enhet) och Gäller för anges med enhetens kod eller namn, flera åtskilda med semikolon. "
    "Datum skrivs ÅÅÅÅ-MM-DD. Identifierare kan lämnas tom för nya rutiner; den ges då vid importen. "
    "Text kan vara vanlig text (tom rad mellan stycken) eller enkel HTML.",
    "",
    "Samma fil kan läsas in igen: det som inte har ändrats lämnas orört.",
]


def _set(sheet: Any, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > EXCEL_CELL_LIMIT:
            raise DomainError(
                _(
                    "A text is longer than an Excel cell can hold (%(limit)s characters). "
                    "Export the handbook as YAML instead."
                )
                % {"limit": EXCEL_CELL_LIMIT}
            )
        cell.value = value
        cell.data_type = "s"  # text, never a formula
    elif isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = value


def _headings(sheet: Any, name: str) -> None:
    for column, (header, _field, required) in enumerate(COLUMNS[name], start=1):
        _set(sheet, 1, column, header)
        sheet.cell(row=1, column=column).font = Font(bold=required)
        sheet.column_dimensions[get_column_letter(column)].width = 40 if column > 1 else 24
    sheet.freeze_panes = "A2"


def _list_validation(sheet: Any, name: str, field: str, values: list[str], prompt: str) -> None:
    formula = '"' + ",".join(values) + '"'
    if len(formula) > 255:  # Excel's limit for a list written in the rule
        return
    column = next(i for i, (_h, f, _r) in enumerate(COLUMNS[name], start=1) if f == field)
    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = prompt
    validation.errorTitle = "Ogiltigt värde"
    validation.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
    sheet.add_data_validation(validation)


def _join(values: list[str], sep: str) -> str:
    return sep.join(values)


def handbook_workbook(data: dict[str, Any] | None = None) -> bytes:
    """The workbook for an export (``data`` from services.handbook_export), or the empty template."""
    data = data or {}
    book = Workbook()
    info = book.active
    info.title = SHEET_INSTRUCTIONS
    for row, line in enumerate(INSTRUCTIONS, start=1):
        _set(info, row, 1, line)
        info.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    info.cell(row=1, column=1).font = Font(bold=True, size=14)
    unit_row = len(INSTRUCTIONS) + 2
    _set(info, unit_row, 1, UNIT_LABEL)
    info.cell(row=unit_row, column=1).font = Font(bold=True)
    _set(info, unit_row, 2, data.get("unit", ""))
    info.column_dimensions["A"].width = 110
    info.column_dimensions["B"].width = 30

    roles = sorted(Role.objects.values_list("slug", flat=True))
    role_prompt = "Välj en roll ur listan."

    sheet = book.create_sheet(SHEET_ROLES)
    _headings(sheet, SHEET_ROLES)
    _list_validation(sheet, SHEET_ROLES, "role", roles, role_prompt)
    for row, rr in enumerate(data.get("role_responsibilities", []), start=2):
        _set(sheet, row, 1, rr["role"])
        _set(sheet, row, 2, rr["text"])

    focus = book.create_sheet(SHEET_FOCUS)
    _headings(focus, SHEET_FOCUS)
    duties = book.create_sheet(SHEET_DUTIES)
    _headings(duties, SHEET_DUTIES)
    _list_validation(duties, SHEET_DUTIES, "role", roles, role_prompt)
    duty_row = 2
    for row, area in enumerate(data.get("focus_areas", []), start=2):
        values = {
            **area,
            "methods": _join(area.get("methods", []), ", "),
            "requirements": _join(area.get("requirements", []), "\n"),
        }
        for column, (_h, name, _r) in enumerate(COLUMNS[SHEET_FOCUS], start=1):
            _set(focus, row, column, values.get(name, ""))
        for duty in area.get("responsibilities", []):
            _set(duties, duty_row, 1, area["key"])
            _set(duties, duty_row, 2, duty["role"])
            _set(duties, duty_row, 3, duty["text"])
            duty_row += 1

    docs = book.create_sheet(SHEET_DOCUMENTS)
    _headings(docs, SHEET_DOCUMENTS)
    _list_validation(docs, SHEET_DOCUMENTS, "kind", list(KIND_WORDS.values()), "Välj typ ur listan.")
    _list_validation(docs, SHEET_DOCUMENTS, "status", list(STATUS_WORDS.values()), "Välj utkast eller fastställd.")
    _list_validation(docs, SHEET_DOCUMENTS, "owner_role", roles, role_prompt)
    for row, doc in enumerate(data.get("documents", []), start=2):
        owner = doc.get("owner", {})
        values = {
            **doc,
            "owner_role": owner.get("role", ""),
            "owner_unit": owner.get("unit", ""),
            "applies_to": _join(doc.get("applies_to", []), "; "),
            "status": STATUS_WORDS.get(doc.get("status", ""), doc.get("status", "")),
            "requirements": _join(doc.get("requirements", []), "\n"),
            "focus_areas": _join(doc.get("focus_areas", []), ", "),
        }
        for column, (_h, name, _r) in enumerate(COLUMNS[SHEET_DOCUMENTS], start=1):
            _set(docs, row, column, values.get(name))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
