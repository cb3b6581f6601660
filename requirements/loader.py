"""Read and check a framework file (the YAML format in docs/requirements-format.md).

``parse_catalogue(data)`` returns a ``ParsedCatalogue`` or raises
``CatalogueError`` listing every problem found, each with the line and the
field it concerns, in the person's language. Parsing never touches the
database except to read the known areas of application.

The file is read with ``yaml.compose`` (nodes with line marks) and walked
by hand: that gives line numbers, catches duplicate keys (which YAML would
silently overwrite) and refuses anchors/aliases, so a small file cannot
expand into a huge one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from requirements.models import Kind

MAX_FILE_BYTES = 2 * 1024 * 1024
FORMAT_VERSION = 1

FRAMEWORK_KEYS = {"code", "title", "issuer", "in_force_from", "source_url", "description", "version", "version_date"}
SECTION_KEYS = {"key", "reference", "title", "sections", "requirements"}
REQUIREMENT_KEYS = {"id", "reference", "title", "summary", "kind", "applies_to", "source_url", "verified", "note"}
TOP_KEYS = {"format", "framework", "sections", "requirements"}

# Field lengths, as in the models.
LIMITS = {
    "code": 50,
    "title": 300,
    "issuer": 200,
    "version": 200,
    "key": 100,
    "id": 100,
    "reference": 200,
    "source_url": 500,
}


@dataclass(frozen=True)
class Problem:
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Line %(line)s, %(field)s: %(message)s") % {
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


class CatalogueError(Exception):
    """The file cannot be imported; ``problems`` says every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ParsedFramework:
    code: str
    title: str
    issuer: str = ""
    in_force_from: datetime.date | None = None
    source_url: str = ""
    description: str = ""
    version_label: str = ""
    version_date: datetime.date | None = None


@dataclass
class ParsedSection:
    key: str
    reference: str
    title: str
    parent_key: str | None
    position: int


@dataclass
class ParsedRequirement:
    identifier: str
    reference: str
    title: str
    summary: str
    kind: str
    areas: list[str]
    source_url: str
    is_verified: bool
    note: str
    section_key: str | None
    position: int
    line: int


@dataclass
class ParsedCatalogue:
    framework: ParsedFramework
    sections: list[ParsedSection] = field(default_factory=list)
    requirements: list[ParsedRequirement] = field(default_factory=list)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class NodeReader:
    """Walks composed YAML nodes and collects every ``Problem`` with its line.

    Shared by the file formats that are read this way (frameworks here, the
    handbook transfer in processes/transfer): mappings with known fields
    and no duplicates, single values, text with length limits, dates, lists.
    """

    def __init__(self, limits: dict[str, int] | None = None) -> None:
        self.problems: list[Problem] = []
        self.limits = LIMITS if limits is None else limits
        self.constructor = yaml.constructor.SafeConstructor()
        self.seen_nodes: set[int] = set()
        self.requirement_ids: dict[str, int] = {}
        self.section_keys: dict[str, int] = {}
        self.result_sections: list[ParsedSection] = []
        self.result_requirements: list[ParsedRequirement] = []

    def error(self, node: yaml.Node | None, path: str, message: str) -> None:
        self.problems.append(Problem(_line(node) if node is not None else None, path, message))

    def visit(self, node: yaml.Node, path: str) -> bool:
        # Aliases make compose() hand out the same node twice.
        if id(node) in self.seen_nodes:
            self.error(node, path, _("anchors and aliases (& and *) are not allowed."))
            return False
        self.seen_nodes.add(id(node))
        return True

    def mapping(self, node: yaml.Node, path: str, allowed: set[str]) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        if not self.visit(node, path):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.error(node, path, _("expected a mapping of fields (key: value)."))
            return None
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.error(key_node, path, _("a field name must be text."))
                continue
            if key in result:
                self.error(key_node, f"{path}.{key}" if path else key, _("the field appears twice."))
                continue
            if key not in allowed:
                self.error(
                    key_node,
                    f"{path}.{key}" if path else key,
                    _("unknown field. Allowed here: %(fields)s.") % {"fields": ", ".join(sorted(allowed))},
                )
                continue
            result[key] = (key_node, value_node)
        return result

    def scalar(self, node: yaml.Node, path: str) -> Any:
        if not self.visit(node, path):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, path, _("expected a single value, not a list or a mapping."))
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            self.error(node, path, _("the value cannot be read (%(error)s).") % {"error": exc})
            return None

    def text(
        self, fields: dict[str, tuple[yaml.Node, yaml.Node]], owner: yaml.Node, path: str, key: str, required: bool
    ) -> str:
        full = f"{path}.{key}" if path else key
        if key not in fields:
            if required:
                self.error(owner, full, _("the field is missing."))
            return ""
        value = self.scalar(fields[key][1], full)
        if value is None or value == "":
            if required:
                self.error(fields[key][1], full, _("the field must not be empty."))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float | datetime.date):
            self.error(fields[key][1], full, _("expected text."))
            return ""
        result = str(value).strip()
        limit = self.limits.get(key)
        if limit and len(result) > limit:
            self.error(
                fields[key][1],
                full,
                _("at most %(limit)s characters (this has %(n)s).") % {"limit": limit, "n": len(result)},
            )
        return result

    def date(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], path: str, key: str) -> datetime.date | None:
        if key not in fields:
            return None
        full = f"{path}.{key}" if path else key
        value = self.scalar(fields[key][1], full)
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value.strip())
            except ValueError:
                value = None
        if not isinstance(value, datetime.date):
            self.error(fields[key][1], full, _("expected a date written as YYYY-MM-DD."))
            return None
        return value

    def url(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], owner: yaml.Node, path: str, required: bool) -> str:
        value = self.text(fields, owner, path, "source_url", required)
        if value:
            try:
                URLValidator(schemes=["https", "http"])(value)
            except ValidationError:
                self.error(fields["source_url"][1], f"{path}.source_url", _("expected a web address (https://…)."))
                return ""
        return value

    def sequence(self, node: yaml.Node, path: str) -> list[yaml.Node]:
        if not self.visit(node, path):
            return []
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, path, _("expected a list (lines starting with -)."))
            return []
        return list(node.value)


class _Reader(NodeReader):
    def __init__(self, areas: set[str]) -> None:
        super().__init__()
        self.areas = areas
        self.position = 0

    def framework(self, node: yaml.Node) -> ParsedFramework | None:
        fields = self.mapping(node, "framework", FRAMEWORK_KEYS)
        if fields is None:
            return None
        return ParsedFramework(
            code=self.text(fields, node, "framework", "code", True),
            title=self.text(fields, node, "framework", "title", True),
            issuer=self.text(fields, node, "framework", "issuer", False),
            in_force_from=self.date(fields, "framework", "in_force_from"),
            source_url=self.url(fields, node, "framework", True),
            description=self.text(fields, node, "framework", "description", False),
            version_label=self.text(fields, node, "framework", "version", False),
            version_date=self.date(fields, "framework", "version_date"),
        )

    def sections(self, node: yaml.Node, path: str, parent_key: str | None) -> None:
        for i, item in enumerate(self.sequence(node, path)):
            here = f"{path}[{i + 1}]"
            fields = self.mapping(item, here, SECTION_KEYS)
            if fields is None:
                continue
            key = self.text(fields, item, here, "key", True)
            title = self.text(fields, item, here, "title", True)
            reference = self.text(fields, item, here, "reference", False)
            if key:
                if key in self.section_keys:
                    self.error(
                        fields["key"][1],
                        f"{here}.key",
                        _('the key "%(key)s" is already used on line %(line)s.')
                        % {"key": key, "line": self.section_keys[key]},
                    )
                else:
                    self.section_keys[key] = _line(fields["key"][1])
                    self.position += 1
                    self.result_sections.append(ParsedSection(key, reference, title, parent_key, self.position))
            if "sections" in fields:
                self.sections(fields["sections"][1], f"{here}.sections", key or None)
            if "requirements" in fields:
                self.requirements(fields["requirements"][1], f"{here}.requirements", key or None)

    def requirements(self, node: yaml.Node, path: str, section_key: str | None) -> None:
        for i, item in enumerate(self.sequence(node, path)):
            here = f"{path}[{i + 1}]"
            fields = self.mapping(item, here, REQUIREMENT_KEYS)
            if fields is None:
                continue
            identifier = self.text(fields, item, here, "id", True)
            kind = self.text(fields, item, here, "kind", True)
            if kind and kind not in Kind.values:
                self.error(
                    fields["kind"][1],
                    f"{here}.kind",
                    _('unknown kind "%(kind)s". Use one of: %(kinds)s.')
                    % {"kind": kind, "kinds": ", ".join(Kind.values)},
                )
            areas = self.area_list(fields, item, here)
            verified = False
            if "verified" not in fields:
                self.error(item, f"{here}.verified", _("the field is missing (true or false)."))
            else:
                value = self.scalar(fields["verified"][1], f"{here}.verified")
                if isinstance(value, bool):
                    verified = value
                elif value is not None:
                    self.error(fields["verified"][1], f"{here}.verified", _("expected true or false."))
            parsed = ParsedRequirement(
                identifier=identifier,
                reference=self.text(fields, item, here, "reference", True),
                title=self.text(fields, item, here, "title", True),
                summary=self.text(fields, item, here, "summary", True),
                kind=kind,
                areas=areas,
                source_url=self.url(fields, item, here, True),
                is_verified=verified,
                note=self.text(fields, item, here, "note", False),
                section_key=section_key,
                position=0,
                line=_line(item),
            )
            if identifier:
                if identifier in self.requirement_ids:
                    self.error(
                        fields["id"][1],
                        f"{here}.id",
                        _('the identifier "%(id)s" is already used on line %(line)s.')
                        % {"id": identifier, "line": self.requirement_ids[identifier]},
                    )
                    continue
                self.requirement_ids[identifier] = _line(fields["id"][1])
            self.position += 1
            parsed.position = self.position
            self.result_requirements.append(parsed)

    def area_list(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], owner: yaml.Node, path: str) -> list[str]:
        full = f"{path}.applies_to"
        if "applies_to" not in fields:
            self.error(owner, full, _("the field is missing."))
            return []
        result: list[str] = []
        items = self.sequence(fields["applies_to"][1], full)
        if not items and not self.problems_at(fields["applies_to"][1]):
            self.error(fields["applies_to"][1], full, _("name at least one area of application."))
        for item in items:
            value = self.scalar(item, full)
            if value is None:
                continue
            code = str(value).strip()
            if code not in self.areas:
                self.error(
                    item,
                    full,
                    _('unknown area of application "%(area)s". Use one of: %(areas)s.')
                    % {"area": code, "areas": ", ".join(sorted(self.areas))},
                )
            elif code not in result:
                result.append(code)
        return result

    def problems_at(self, node: yaml.Node) -> bool:
        return any(p.line == _line(node) for p in self.problems)


def decode_file(data: bytes | str, limit: int = MAX_FILE_BYTES) -> str:
    if isinstance(data, str):
        return data
    if len(data) > limit:
        raise CatalogueError([_too_large(len(data), limit)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueError(
            [Problem(None, "", _("The file is not UTF-8 text (byte %(pos)s).") % {"pos": exc.start})]
        ) from None


def _too_large(size: int, limit: int = MAX_FILE_BYTES) -> Problem:
    return Problem(
        None,
        "",
        _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
        % {"size": round(size / 1024 / 1024, 1), "limit": limit // 1024 // 1024},
    )


def compose(text: str) -> yaml.Node | None:
    """The document's node tree (with line marks), or ``CatalogueError`` for text that is not YAML."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CatalogueError(
            [Problem(line, "YAML", _("the file is not valid YAML (%(problem)s).") % {"problem": exc.problem or exc})]
        ) from None
    except yaml.YAMLError as exc:
        raise CatalogueError(
            [Problem(None, "YAML", _("the file is not valid YAML (%(problem)s).") % {"problem": exc})]
        ) from None


def parse_catalogue(data: bytes | str, areas: Iterable[str] | None = None) -> ParsedCatalogue:
    """Check a framework file and return what it holds, or raise ``CatalogueError``.

    ``areas`` are the known area-of-application codes; by default those in
    the database.
    """
    text = decode_file(data)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise CatalogueError([_too_large(len(text.encode("utf-8")))])
    if areas is None:
        from requirements.models import ApplicationArea

        areas = ApplicationArea.objects.values_list("code", flat=True)
    reader = _Reader(set(areas))
    root = compose(text)
    if root is None:
        raise CatalogueError([Problem(None, "", _("The file is empty."))])
    top = reader.mapping(root, "", TOP_KEYS)
    if top is None:
        raise CatalogueError(reader.problems)
    if "format" not in top:
        reader.error(root, "format", _("the field is missing (format: %(version)s).") % {"version": FORMAT_VERSION})
    else:
        version = reader.scalar(top["format"][1], "format")
        if version != FORMAT_VERSION:
            reader.error(
                top["format"][1],
                "format",
                _("unknown format version; this version reads format %(version)s.") % {"version": FORMAT_VERSION},
            )
    framework = None
    if "framework" not in top:
        reader.error(root, "framework", _("the field is missing."))
    else:
        framework = reader.framework(top["framework"][1])
    if "sections" in top:
        reader.sections(top["sections"][1], "sections", None)
    if "requirements" in top:
        reader.requirements(top["requirements"][1], "requirements", None)
    if not reader.problems and not reader.result_requirements:
        reader.error(root, "requirements", _("the file holds no requirements."))
    if reader.problems or framework is None:
        raise CatalogueError(reader.problems)
    return ParsedCatalogue(framework, reader.result_sections, reader.result_requirements)
