"""Reading a handbook file (YAML or the Excel template) into plain items.

Nothing here touches the database: values are checked for shape and type
(text, dates, whole numbers, known kinds and statuses, duplicates), and
every item remembers where each value came from so that the checks
against the database (services.py) can name the line, or the sheet, row
and column, too. Problems are collected, not raised one by one: the person
sees everything wrong with the file at once.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.text import slugify
from django.utils.translation import gettext as _

from processes.models import DocumentKind
from requirements.loader import CatalogueError, NodeReader, compose, decode_file

MAX_FILE_BYTES = 5 * 1024 * 1024
# A workbook is compressed: its parts may hold at most this much once unpacked.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 2000  # per list or sheet
FORMAT_VERSION = 1

# Field lengths, as in the models.
LIMITS = {
    "key": 100,
    "title": 300,
    "focus_title": 200,
    "identifier": 50,
    "decision_reference": 200,
    "role": 100,
    "unit": 200,
}

KIND_ALIASES = {
    "riktlinje": DocumentKind.GUIDELINE,
    "rutin": DocumentKind.ROUTINE,
    "instruktion": DocumentKind.INSTRUCTION,
    "policy": DocumentKind.POLICY,
    "plan": DocumentKind.PLAN,
    **{k.value: k for k in DocumentKind},
}
# The Swedish word each kind is written with in exports.
KIND_WORDS = {
    DocumentKind.GUIDELINE: "riktlinje",
    DocumentKind.ROUTINE: "rutin",
    DocumentKind.INSTRUCTION: "instruktion",
    DocumentKind.POLICY: "policy",
    DocumentKind.PLAN: "plan",
}
DRAFT, APPROVED = "draft", "approved"
STATUS_ALIASES = {
    "draft": DRAFT,
    "utkast": DRAFT,
    "approved": APPROVED,
    "fastställd": APPROVED,
    "faststalld": APPROVED,
    "godkänd": APPROVED,
}
STATUS_WORDS = {DRAFT: "utkast", APPROVED: "fastställd"}

TOP_KEYS = {"format", "unit", "role_responsibilities", "focus_areas", "documents"}
ROLE_KEYS = {"role", "text"}
FOCUS_KEYS = {"key", "title", "description", "how", "follow_up", "methods", "requirements", "responsibilities"}
DOCUMENT_KEYS = {
    "identifier",
    "kind",
    "title",
    "owner",
    "applies_to",
    "review_interval_months",
    "status",
    "decision_reference",
    "approved_on",
    "next_review_on",
    "requirements",
    "focus_areas",
    "body",
}
OWNER_KEYS = {"role", "unit"}


@dataclass(frozen=True)
class Where:
    """Where a value is in the file: a YAML line and path, or a sheet, row and column."""

    line: int | None = None
    path: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""


@dataclass(frozen=True)
class TransferProblem:
    where: Where | None
    message: str

    def __str__(self) -> str:
        w = self.where
        if w is None:
            return self.message
        if w.sheet:
            if w.row is None:
                return _('Sheet "%(sheet)s": %(message)s') % {"sheet": w.sheet, "message": self.message}
            if not w.column:
                return _('Sheet "%(sheet)s", row %(row)s: %(message)s') % {
                    "sheet": w.sheet,
                    "row": w.row,
                    "message": self.message,
                }
            return _('Sheet "%(sheet)s", row %(row)s, column %(column)s (%(header)s): %(message)s') % {
                "sheet": w.sheet,
                "row": w.row,
                "column": w.column,
                "header": w.header,
                "message": self.message,
            }
        if w.line is None:
            return f"{w.path}: {self.message}" if w.path else self.message
        return _("Line %(line)s, %(field)s: %(message)s") % {"line": w.line, "field": w.path, "message": self.message}


class HandbookError(Exception):
    """The file cannot be imported; ``problems`` says every reason. Nothing has been changed."""

    def __init__(self, problems: list[TransferProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Item:
    """One entry of a list in the file: its values, and where each came from."""

    values: dict[str, Any]
    where: Where
    at: dict[str, Where] = field(default_factory=dict)

    def loc(self, name: str) -> Where:
        return self.at.get(name, self.where)

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)


@dataclass
class RawHandbook:
    unit: str = ""
    unit_at: Where | None = None
    role_responsibilities: list[Item] = field(default_factory=list)
    focus_areas: list[Item] = field(default_factory=list)
    documents: list[Item] = field(default_factory=list)


# --- Checks shared by both formats -------------------------------------------------


class _Checks:
    """Value checks whose problems land in ``self.problems`` with a ``Where``."""

    def __init__(self) -> None:
        self.issues: list[TransferProblem] = []

    def fail(self, where: Where | None, message: str) -> None:
        self.issues.append(TransferProblem(where, message))

    def text_value(self, value: Any, where: Where, *, limit: int | None = None, required: bool = False) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(where, _("the field must not be empty."))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float | datetime.date):
            self.fail(where, _("expected text."))
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        result = str(value).strip()
        if limit and len(result) > limit:
            self.fail(where, _("at most %(limit)s characters (this has %(n)s).") % {"limit": limit, "n": len(result)})
        return result

    def date_value(self, value: Any, where: Where) -> datetime.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(where, _("expected a date written as YYYY-MM-DD."))
        return None

    def months_value(self, value: Any, where: Where) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 120:
            self.fail(where, _("expected a whole number of months from 1 to 120."))
            return None
        return value

    def kind_value(self, value: str, where: Where) -> str:
        if not value:
            return ""  # reported as an empty required field
        kind = KIND_ALIASES.get(value.lower())
        if kind is None:
            self.fail(
                where,
                _('unknown kind "%(kind)s". Use one of: %(kinds)s.')
                % {"kind": value, "kinds": ", ".join(KIND_WORDS.values())},
            )
            return ""
        return str(kind)

    def status_value(self, value: str, where: Where) -> str:
        if not value:
            return DRAFT
        status = STATUS_ALIASES.get(value.lower())
        if status is None:
            self.fail(
                where,
                _('unknown status "%(status)s". Use draft or approved (utkast or fastställd).') % {"status": value},
            )
            return DRAFT
        return status

    def key_value(self, value: str, where: Where) -> str:
        if value and slugify(value) != value:
            self.fail(
                where,
                _('"%(key)s" is not a valid key: use lower-case letters a–z, digits and hyphens, e.g. "%(slug)s".')
                % {"key": value, "slug": slugify(value) or "bemotande"},
            )
        return value

    def check_duplicates(self, items: list[Item], name: str, label: str) -> None:
        seen: dict[str, Where] = {}
        for item in items:
            value = item[name]
            if not value:
                continue
            if value in seen:
                self.fail(
                    item.loc(name),
                    _('%(label)s "%(value)s" appears more than once (first at %(first)s).')
                    % {"label": label, "value": value, "first": _short(seen[value])},
                )
            else:
                seen[value] = item.loc(name)


def _short(where: Where) -> str:
    if where.sheet:
        return _("row %(row)s") % {"row": where.row}
    return _("line %(line)s") % {"line": where.line}


def _check_all(checks: _Checks, raw: RawHandbook) -> None:
    """Duplicates across the whole file (both formats)."""
    checks.check_duplicates(raw.role_responsibilities, "role", _("The role"))
    checks.check_duplicates(raw.focus_areas, "key", _("The focus area key"))
    checks.check_duplicates(raw.documents, "identifier", _("The identifier"))
    for area in raw.focus_areas:
        checks.check_duplicates(area["responsibilities"] or [], "role", _("The role"))


# --- YAML ---------------------------------------------------------------------------


class _YamlReader(NodeReader, _Checks):
    def __init__(self) -> None:
        NodeReader.__init__(self, limits={})
        _Checks.__init__(self)

    def at(self, node: yaml.Node, path: str) -> Where:
        return Where(line=node.start_mark.line + 1, path=path)

    def field(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], name: str, path: str) -> tuple[Any, Where | None]:
        if name not in fields:
            return None, None
        node = fields[name][1]
        full = f"{path}.{name}"
        return self.scalar(node, full), self.at(node, full)

    def texts(
        self, fields: dict[str, tuple[yaml.Node, yaml.Node]], owner: yaml.Node, path: str, item: Item, spec: dict
    ) -> None:
        for name, (required, limit) in spec.items():
            value, where = self.field(fields, name, path)
            if where is None:
                if required:
                    self.fail(self.at(owner, f"{path}.{name}"), _("the field is missing."))
                item.values[name] = ""
                continue
            item.at[name] = where
            item.values[name] = self.text_value(value, where, limit=limit, required=required)

    def string_list(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], name: str, path: str, item: Item) -> None:
        result: list[str] = []
        item.values[name] = result
        if name not in fields:
            return
        node = fields[name][1]
        full = f"{path}.{name}"
        item.at[name] = self.at(node, full)
        entries = self.sequence(node, full)
        if len(entries) > MAX_ROWS:
            self.fail(self.at(node, full), _("too many entries (at most %(n)s).") % {"n": MAX_ROWS})
            return
        for entry in entries:
            value = self.scalar(entry, full)
            text = self.text_value(value, self.at(entry, full), limit=300)
            if text and text not in result:
                result.append(text)

    def items(self, top: dict, name: str) -> list[tuple[yaml.Node, str]]:
        if name not in top:
            return []
        node = top[name][1]
        entries = self.sequence(node, name)
        if len(entries) > MAX_ROWS:
            self.fail(self.at(node, name), _("too many entries (at most %(n)s).") % {"n": MAX_ROWS})
            return []
        return [(entry, f"{name}[{i + 1}]") for i, entry in enumerate(entries)]

    def role_text(self, node: yaml.Node, path: str) -> Item | None:
        fields = self.mapping(node, path, ROLE_KEYS)
        if fields is None:
            return None
        item = Item({}, self.at(node, path))
        self.texts(fields, node, path, item, {"role": (True, LIMITS["role"]), "text": (True, None)})
        return item

    def focus_area(self, node: yaml.Node, path: str) -> Item | None:
        fields = self.mapping(node, path, FOCUS_KEYS)
        if fields is None:
            return None
        item = Item({}, self.at(node, path))
        self.texts(
            fields,
            node,
            path,
            item,
            {
                "key": (True, LIMITS["key"]),
                "title": (True, LIMITS["focus_title"]),
                "description": (False, None),
                "how": (False, None),
                "follow_up": (False, None),
            },
        )
        self.key_value(item["key"], item.loc("key"))
        self.string_list(fields, "methods", path, item)
        self.string_list(fields, "requirements", path, item)
        responsibilities: list[Item] = []
        if "responsibilities" in fields:
            for i, entry in enumerate(self.sequence(fields["responsibilities"][1], f"{path}.responsibilities")):
                duty = self.role_text(entry, f"{path}.responsibilities[{i + 1}]")
                if duty is not None:
                    responsibilities.append(duty)
        item.values["responsibilities"] = responsibilities
        return item

    def document(self, node: yaml.Node, path: str) -> Item | None:
        fields = self.mapping(node, path, DOCUMENT_KEYS)
        if fields is None:
            return None
        item = Item({}, self.at(node, path))
        self.texts(
            fields,
            node,
            path,
            item,
            {
                "identifier": (False, LIMITS["identifier"]),
                "kind": (True, None),
                "title": (True, LIMITS["title"]),
                "status": (False, None),
                "decision_reference": (False, LIMITS["decision_reference"]),
                "body": (False, None),
            },
        )
        item.values["kind"] = self.kind_value(item["kind"], item.loc("kind"))
        item.values["status"] = self.status_value(item["status"], item.loc("status"))
        for name in ("approved_on", "next_review_on"):
            value, where = self.field(fields, name, path)
            item.values[name] = self.date_value(value, where) if where else None
            if where:
                item.at[name] = where
        value, where = self.field(fields, "review_interval_months", path)
        item.values["review_interval_months"] = self.months_value(value, where) if where else None
        if where:
            item.at["review_interval_months"] = where
        self.string_list(fields, "applies_to", path, item)
        self.string_list(fields, "requirements", path, item)
        self.string_list(fields, "focus_areas", path, item)
        item.values["owner_role"] = ""
        item.values["owner_unit"] = ""
        if "owner" not in fields:
            self.fail(self.at(node, f"{path}.owner"), _("the field is missing."))
        else:
            owner_node = fields["owner"][1]
            owner = self.mapping(owner_node, f"{path}.owner", OWNER_KEYS)
            if owner is not None:
                sub = Item({}, self.at(owner_node, f"{path}.owner"))
                self.texts(
                    owner, owner_node, f"{path}.owner", sub, {"role": (True, LIMITS["role"]), "unit": (False, 200)}
                )
                item.values["owner_role"], item.values["owner_unit"] = sub["role"], sub["unit"]
                item.at["owner_role"], item.at["owner_unit"] = sub.loc("role"), sub.loc("unit")
        return item


def _merge_problems(reader: _YamlReader) -> list[TransferProblem]:
    """The node reader's problems (line, field) and the value checks', in file order."""
    merged = [TransferProblem(Where(line=p.line, path=p.field), p.message) for p in reader.problems]
    merged += reader.issues
    return sorted(merged, key=lambda p: (p.where.line or 0) if p.where else 0)


def read_yaml(data: bytes | str) -> RawHandbook:
    """The items of a YAML handbook file, or ``HandbookError`` with every problem."""
    try:
        text = decode_file(data, MAX_FILE_BYTES)
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            decode_file(text.encode("utf-8"), MAX_FILE_BYTES)
        root = compose(text)
    except CatalogueError as exc:
        raise HandbookError(
            [TransferProblem(Where(line=p.line, path=p.field), p.message) for p in exc.problems]
        ) from None
    if root is None:
        raise HandbookError([TransferProblem(None, _("The file is empty."))])
    reader = _YamlReader()
    top = reader.mapping(root, "", TOP_KEYS)
    if top is None:
        raise HandbookError(_merge_problems(reader))
    raw = RawHandbook()
    if "format" not in top:
        reader.fail(reader.at(root, "format"), _("the field is missing (format: %(v)s).") % {"v": FORMAT_VERSION})
    elif reader.scalar(top["format"][1], "format") != FORMAT_VERSION:
        reader.fail(
            reader.at(top["format"][1], "format"),
            _("unknown format version; this version reads format %(v)s.") % {"v": FORMAT_VERSION},
        )
    if "unit" in top:
        raw.unit_at = reader.at(top["unit"][1], "unit")
        raw.unit = reader.text_value(reader.scalar(top["unit"][1], "unit"), raw.unit_at, limit=LIMITS["unit"])
    for node, path in reader.items(top, "role_responsibilities"):
        if (item := reader.role_text(node, path)) is not None:
            raw.role_responsibilities.append(item)
    for node, path in reader.items(top, "focus_areas"):
        if (item := reader.focus_area(node, path)) is not None:
            raw.focus_areas.append(item)
    for node, path in reader.items(top, "documents"):
        if (item := reader.document(node, path)) is not None:
            raw.documents.append(item)
    _check_all(reader, raw)
    if (
        not reader.problems
        and not reader.issues
        and not (raw.role_responsibilities or raw.focus_areas or raw.documents)
    ):
        reader.fail(None, _("The file holds no role responsibilities, focus areas or documents."))
    if reader.problems or reader.issues:
        raise HandbookError(_merge_problems(reader))
    return raw


# --- Excel ----------------------------------------------------------------------------

SHEET_INSTRUCTIONS = "Instruktioner"
SHEET_ROLES = "Ansvarsfördelning"
SHEET_FOCUS = "Fokusområden"
SHEET_DUTIES = "Ansvar per fokusområde"
SHEET_DOCUMENTS = "Rutiner"
UNIT_LABEL = "Enhet (kod eller namn)"

# Sheet → [(header, field, required column)]; the order is the template's.
COLUMNS: dict[str, list[tuple[str, str, bool]]] = {
    SHEET_ROLES: [("Roll", "role", True), ("Ansvar", "text", True)],
    SHEET_FOCUS: [
        ("Nyckel", "key", True),
        ("Rubrik", "title", True),
        ("Beskrivning", "description", False),
        ("Hur", "how", False),
        ("Uppföljning", "follow_up", False),
        ("Uppföljningsmetoder", "methods", False),
        ("Krav", "requirements", False),
    ],
    SHEET_DUTIES: [("Fokusområde (nyckel)", "focus_area", True), ("Roll", "role", True), ("Ansvar", "text", True)],
    SHEET_DOCUMENTS: [
        ("Identifierare", "identifier", False),
        ("Typ", "kind", True),
        ("Rubrik", "title", True),
        ("Ägare (roll)", "owner_role", True),
        ("Ägare (enhet)", "owner_unit", False),
        ("Gäller för", "applies_to", False),
        ("Revideringsintervall (månader)", "review_interval_months", False),
        ("Status", "status", False),
        ("Beslut", "decision_reference", False),
        ("Fastställd", "approved_on", False),
        ("Nästa revidering", "next_review_on", False),
        ("Krav", "requirements", False),
        ("Fokusområden", "focus_areas", False),
        ("Text", "body", False),
    ],
}
LIST_FIELDS = {"methods", "requirements", "applies_to", "focus_areas"}
_SPLIT = re.compile(r"[;\n]+")
_SPLIT_CODES = re.compile(r"[;,\n\s]+")


def _split(value: str, name: str) -> list[str]:
    pattern = _SPLIT_CODES if name in {"methods", "focus_areas"} else _SPLIT
    result: list[str] = []
    for part in pattern.split(value):
        part = part.strip()
        if part and part not in result:
            result.append(part)
    return result


class _ExcelReader(_Checks):
    def __init__(self) -> None:
        super().__init__()

    def rows(self, sheet: Any, name: str) -> list[Item]:
        spec = COLUMNS[name]
        iterator = sheet.iter_rows(values_only=True)
        header_row = next(iterator, None)
        positions: dict[str, tuple[int, str]] = {}
        wanted = {header.lower(): (header, f) for header, f, _req in spec}
        for index, cell in enumerate(header_row or []):
            if isinstance(cell, str) and cell.strip().lower() in wanted:
                header, f = wanted[cell.strip().lower()]
                positions[f] = (index, header)
        missing = [header for header, f, req in spec if req and f not in positions]
        if missing:
            self.fail(
                Where(sheet=name),
                _("the heading row lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)},
            )
            return []
        items: list[Item] = []
        for row_number, values in enumerate(iterator, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            if len(items) >= MAX_ROWS:
                self.fail(Where(sheet=name), _("too many rows (at most %(n)s).") % {"n": MAX_ROWS})
                break
            item = Item({}, Where(sheet=name, row=row_number))
            for f, (index, header) in positions.items():
                from openpyxl.utils import get_column_letter

                where = Where(sheet=name, row=row_number, column=get_column_letter(index + 1), header=header)
                item.at[f] = where
                item.values[f] = values[index] if index < len(values) else None
            items.append(item)
        return items

    def clean(self, item: Item, spec: dict[str, tuple[bool, int | None]]) -> None:
        for name, (required, limit) in spec.items():
            value = item.values.get(name)
            where = item.loc(name)
            if name in LIST_FIELDS:
                text = self.text_value(value, where)
                item.values[name] = _split(text, name)
            else:
                item.values[name] = self.text_value(value, where, limit=limit, required=required)


def _open_workbook(data: bytes) -> Any:
    from openpyxl import load_workbook

    not_xlsx = HandbookError([TransferProblem(None, _("The file is not an Excel workbook (.xlsx)."))])
    if not data.startswith(b"PK\x03\x04"):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > 500 or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                raise HandbookError(
                    [TransferProblem(None, _("The workbook is too large once unpacked; split it into smaller files."))]
                )
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except HandbookError:
        raise
    except Exception:
        raise not_xlsx from None


def read_xlsx(data: bytes) -> RawHandbook:
    """The items of a workbook made from the template, or ``HandbookError`` with every problem."""
    if len(data) > MAX_FILE_BYTES:
        raise HandbookError(
            [
                TransferProblem(
                    None,
                    _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                    % {"size": round(len(data) / 1024 / 1024, 1), "limit": MAX_FILE_BYTES // 1024 // 1024},
                )
            ]
        )
    book = _open_workbook(data)
    reader = _ExcelReader()
    raw = RawHandbook()
    try:
        missing = [name for name in COLUMNS if name not in book.sheetnames]
        if missing:
            raise HandbookError(
                [
                    TransferProblem(
                        None,
                        _("The workbook lacks the sheets: %(sheets)s. Start from the template.")
                        % {"sheets": ", ".join(missing)},
                    )
                ]
            )
        if SHEET_INSTRUCTIONS in book.sheetnames:
            for row_number, values in enumerate(
                book[SHEET_INSTRUCTIONS].iter_rows(max_row=40, max_col=2, values_only=True), start=1
            ):
                label = values[0] if values else None
                if isinstance(label, str) and label.strip().lower().startswith("enhet"):
                    raw.unit_at = Where(sheet=SHEET_INSTRUCTIONS, row=row_number, column="B", header=label.strip())
                    value = values[1] if len(values) > 1 else None
                    raw.unit = reader.text_value(value, raw.unit_at, limit=LIMITS["unit"])
                    break
        for item in reader.rows(book[SHEET_ROLES], SHEET_ROLES):
            reader.clean(item, {"role": (True, LIMITS["role"]), "text": (True, None)})
            raw.role_responsibilities.append(item)
        for item in reader.rows(book[SHEET_FOCUS], SHEET_FOCUS):
            reader.clean(
                item,
                {
                    "key": (True, LIMITS["key"]),
                    "title": (True, LIMITS["focus_title"]),
                    "description": (False, None),
                    "how": (False, None),
                    "follow_up": (False, None),
                    "methods": (False, None),
                    "requirements": (False, None),
                },
            )
            reader.key_value(item["key"], item.loc("key"))
            item.values["responsibilities"] = []
            raw.focus_areas.append(item)
        by_key = {a["key"]: a for a in raw.focus_areas if a["key"]}
        for item in reader.rows(book[SHEET_DUTIES], SHEET_DUTIES):
            reader.clean(
                item, {"focus_area": (True, LIMITS["key"]), "role": (True, LIMITS["role"]), "text": (True, None)}
            )
            key = item["focus_area"]
            if key and key not in by_key:
                reader.fail(
                    item.loc("focus_area"),
                    _('no focus area with the key "%(key)s" on the sheet "%(sheet)s".')
                    % {"key": key, "sheet": SHEET_FOCUS},
                )
            elif key:
                by_key[key].values["responsibilities"].append(item)
        for item in reader.rows(book[SHEET_DOCUMENTS], SHEET_DOCUMENTS):
            interval = item.values.get("review_interval_months")
            approved_on = item.values.get("approved_on")
            next_review = item.values.get("next_review_on")
            reader.clean(
                item,
                {
                    "identifier": (False, LIMITS["identifier"]),
                    "kind": (True, None),
                    "title": (True, LIMITS["title"]),
                    "owner_role": (True, LIMITS["role"]),
                    "owner_unit": (False, LIMITS["unit"]),
                    "applies_to": (False, None),
                    "status": (False, None),
                    "decision_reference": (False, LIMITS["decision_reference"]),
                    "requirements": (False, None),
                    "focus_areas": (False, None),
                    "body": (False, None),
                },
            )
            item.values["kind"] = reader.kind_value(item["kind"], item.loc("kind"))
            item.values["status"] = reader.status_value(item["status"], item.loc("status"))
            item.values["review_interval_months"] = reader.months_value(interval, item.loc("review_interval_months"))
            item.values["approved_on"] = reader.date_value(approved_on, item.loc("approved_on"))
            item.values["next_review_on"] = reader.date_value(next_review, item.loc("next_review_on"))
            raw.documents.append(item)
    finally:
        book.close()
    _check_all(reader, raw)
    if not reader.issues and not (raw.role_responsibilities or raw.focus_areas or raw.documents):
        reader.fail(None, _("The file holds no role responsibilities, focus areas or documents."))
    if reader.issues:
        raise HandbookError(reader.issues)
    return raw


def read_file(data: bytes, file_name: str = "") -> tuple[RawHandbook, str]:
    """Read either format: a workbook by its first bytes, anything else as YAML. Returns (items, format)."""
    if data.startswith(b"PK\x03\x04") or file_name.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(data), "xlsx"
    return read_yaml(data), "yaml"
