"""Moving a handbook in: check a file against the database, preview, apply; and export.

The rules (also in docs/handbook-format.md):

* A file belongs to one unit. Focus areas and role responsibilities are
  defined at that unit; documents are owned at that unit or below it and
  apply to units at or below it. The person importing holds
  ``manage_documents`` there (``access_rules.creatable_owner_units``).
* Focus areas are matched by key, role responsibilities by role, documents
  by identifier (or, without one, by owner unit and title). What the file
  does not mention is left as it is: an import adds and updates, it never
  deletes — except the responsibilities inside a focus area the file
  describes, which the file lists in full.
* A document marked approved gets an approved version with the decision
  reference, approved by the importer, unless the version in force already
  has that text: a changed text on an approved routine becomes a new
  approved version (the decision was taken outside the system) and the old
  one is superseded. A document marked draft updates its open draft, or
  starts one when the text differs from the version in force; an import
  never withdraws an approval.
* Optional metadata left out (decision reference, dates, review interval)
  keeps its current value.
* Everything is checked first; one problem and nothing changes. The
  preview lists what is added, changed and unchanged; confirming applies it
  in one transaction and refuses if the file or the data it touches changed
  since the preview.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nh3
import yaml
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledningssystem import access
from ledningssystem.history import save_tracked
from ledningssystem.models import Role, Unit
from ledningssystem.services import DomainError
from processes import access_rules
from processes.models import (
    OPEN_STATUSES,
    Document,
    DocumentKind,
    DocumentVersion,
    TransferDraft,
    TransferFormat,
    TransferStatus,
    VersionStatus,
)
from processes.transfer.reading import (
    APPROVED,
    DRAFT,
    FORMAT_VERSION,
    KIND_WORDS,
    HandbookError,
    Item,
    RawHandbook,
    TransferProblem,
    Where,
    read_file,
)
from requirements.models import FocusArea, FocusAreaResponsibility, FollowUpMethod, Requirement, RoleResponsibility

# --- Document text ------------------------------------------------------------------

# A conservative whitelist. processes/richtext.py (written on another branch)
# is meant to be the one sanitiser: the integrator should point this at it.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3", "h4",
    "a", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
_LOOKS_LIKE_HTML = re.compile(
    r"</?(p|br|ul|ol|li|h[1-6]|strong|em|b|i|u|a|table|div|span|blockquote)"
    r"""(\s+[a-z-]+=("[^"]*"|'[^']*'))*\s*/?>""",
    re.I,
)


def sanitize_body(text: str) -> str:
    """Safe HTML for a document's text: HTML is cleaned, plain text becomes paragraphs."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _LOOKS_LIKE_HTML.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
        text = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


# --- Canonical form: what the export writes and the preview compares -----------------


def unit_label(unit: Unit) -> str:
    return unit.code or unit.name


def requirement_ref(requirement: Requirement) -> str:
    return f"{requirement.framework.code}/{requirement.identifier}"


def role_responsibility_snapshot(rr: RoleResponsibility) -> dict[str, Any]:
    return {"role": rr.role.slug, "text": rr.text}


def focus_area_snapshot(area: FocusArea) -> dict[str, Any]:
    duties = sorted(area.responsibilities.all(), key=lambda d: (d.position, d.role.sort_order, d.pk))
    return {
        "key": area.key,
        "title": area.title,
        "description": area.description,
        "how": area.how,
        "follow_up": area.follow_up,
        "methods": sorted(m.code for m in area.follow_up_methods.all()),
        "requirements": sorted(requirement_ref(r) for r in area.requirements.all()),
        "responsibilities": [{"role": d.role.slug, "text": d.text} for d in duties],
    }


def content_version(document: Document) -> DocumentVersion | None:
    """The version an export writes: the one in force, else the open draft (needs ``open_versions``)."""
    if document.current_version_id:
        return document.current_version
    return document.open_versions[0] if document.open_versions else None


def _approved_on(version: DocumentVersion) -> datetime.date | None:
    if version.valid_from:
        return version.valid_from
    return timezone.localdate(version.approved_at) if version.approved_at else None


def document_snapshot(document: Document, version: DocumentVersion | None) -> dict[str, Any]:
    approved = version is not None and version.status == VersionStatus.APPROVED
    return {
        "identifier": document.identifier,
        "kind": KIND_WORDS.get(document.kind, document.kind),
        "title": version.title if version else document.title,
        "owner": {"role": document.owner_role.slug, "unit": unit_label(document.owner_unit)},
        "applies_to": sorted(unit_label(u) for u in document.applies_to.all()),
        "review_interval_months": document.review_interval_months,
        "status": APPROVED if approved else DRAFT,
        "decision_reference": version.decision_reference if approved and version else "",
        "approved_on": _approved_on(version) if approved and version else None,
        "next_review_on": document.next_review_on,
        "requirements": sorted(requirement_ref(r) for r in document.requirements.all()),
        "focus_areas": sorted(a.key for a in document.focus_areas.all()),
        "body": version.body if version else "",
    }


def _documents_query() -> Any:
    return Document.objects.select_related("owner_role", "owner_unit", "current_version").prefetch_related(
        Prefetch("applies_to", queryset=Unit.objects.order_by("path")),
        Prefetch("requirements", queryset=Requirement.objects.select_related("framework")),
        "focus_areas",
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.filter(status__in=OPEN_STATUSES).order_by("-number"),
            to_attr="open_versions",
        ),
    )


def _focus_areas_query() -> Any:
    return FocusArea.objects.prefetch_related(
        "follow_up_methods",
        Prefetch("requirements", queryset=Requirement.objects.select_related("framework")),
        Prefetch("responsibilities", queryset=FocusAreaResponsibility.objects.select_related("role")),
    )


# --- The preview ----------------------------------------------------------------------

FIELD_LABELS = {
    "role": gettext_lazy("role"),
    "text": gettext_lazy("responsible for"),
    "title": gettext_lazy("title"),
    "description": gettext_lazy("description"),
    "how": gettext_lazy("how"),
    "follow_up": gettext_lazy("follow-up"),
    "methods": gettext_lazy("follow-up methods"),
    "requirements": gettext_lazy("requirements"),
    "responsibilities": gettext_lazy("responsibilities"),
    "is_active": gettext_lazy("active"),
    "kind": gettext_lazy("kind"),
    "owner": gettext_lazy("owner"),
    "applies_to": gettext_lazy("applies to"),
    "review_interval_months": gettext_lazy("review interval (months)"),
    "status": gettext_lazy("status"),
    "decision_reference": gettext_lazy("decision reference"),
    "approved_on": gettext_lazy("approved"),
    "next_review_on": gettext_lazy("next review"),
    "focus_areas": gettext_lazy("focus areas"),
    "body": gettext_lazy("text"),
}


def _display(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return f"{value.get('role')} – {value.get('unit')}"
    if isinstance(value, list):
        return "; ".join(f"{v['role']}: {v['text'][:60]}" if isinstance(v, dict) else str(v) for v in value)
    text = strip_tags(str(value)).strip()
    return text if len(text) <= 160 else text[:157] + "…"


@dataclass
class Change:
    field: str
    old: Any
    new: Any

    @property
    def label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))

    @property
    def old_display(self) -> str:
        return _display(self.old)

    @property
    def new_display(self) -> str:
        return _display(self.new)


ADDED, CHANGED, UNCHANGED = "added", "changed", "unchanged"


@dataclass
class Entry:
    """One item of the file and what applying it does."""

    key: str
    title: str
    state: str
    changes: list[Change] = field(default_factory=list)
    note: str = ""
    # Filled by the planner, read by the applier.
    item: Item | None = None
    current: Any = None
    wanted: dict[str, Any] = field(default_factory=dict)


@dataclass
class Section:
    name: str
    entries: list[Entry] = field(default_factory=list)

    def _of(self, state: str) -> list[Entry]:
        return [e for e in self.entries if e.state == state]

    @property
    def added(self) -> list[Entry]:
        return self._of(ADDED)

    @property
    def changed(self) -> list[Entry]:
        return self._of(CHANGED)

    @property
    def unchanged(self) -> list[Entry]:
        return self._of(UNCHANGED)


@dataclass
class HandbookPlan:
    unit: Unit
    role_responsibilities: Section
    focus_areas: Section
    documents: Section
    fingerprint: str

    @property
    def sections(self) -> list[Section]:
        return [self.role_responsibilities, self.focus_areas, self.documents]

    @property
    def has_changes(self) -> bool:
        return any(s.added or s.changed for s in self.sections)

    def counts(self) -> dict[str, int]:
        return {
            ADDED: sum(len(s.added) for s in self.sections),
            CHANGED: sum(len(s.changed) for s in self.sections),
            UNCHANGED: sum(len(s.unchanged) for s in self.sections),
        }


def _compare(old: dict[str, Any] | None, new: dict[str, Any], fields: list[str]) -> list[Change]:
    if old is None:
        return []
    return [Change(f, old.get(f), new.get(f)) for f in fields if old.get(f) != new.get(f)]


class _Planner:
    """Resolves a file's references against the database and works out the changes."""

    def __init__(self, raw: RawHandbook, *, by: Any, unit: Unit | None) -> None:
        self.raw = raw
        self.by = by
        self.problems: list[TransferProblem] = []
        self.unit = self._file_unit(unit)

    def fail(self, where: Where | None, message: str) -> None:
        self.problems.append(TransferProblem(where, message))

    # --- references ----------------------------------------------------------------

    def _file_unit(self, chosen: Unit | None) -> Unit | None:
        raw = self.raw
        unit = chosen
        if raw.unit:
            named = self._lookup_units([raw.unit]).get(raw.unit)
            if isinstance(named, str):
                self.fail(raw.unit_at, named)
                return None
            if chosen is not None and named.pk != chosen.pk:
                self.fail(
                    raw.unit_at,
                    _('the file is for the unit "%(file)s" but you chose "%(chosen)s".')
                    % {"file": named.name, "chosen": chosen.name},
                )
                return None
            unit = named
        if unit is None:
            self.fail(None, _("Name the unit the handbook belongs to (unit: in the file, or choose it)."))
            return None
        if self.by is not None and not access_rules.creatable_owner_units(self.by).filter(pk=unit.pk).exists():
            self.fail(
                raw.unit_at,
                _('You may not maintain the handbook of "%(unit)s".') % {"unit": unit.name},
            )
            return None
        return unit

    def _lookup_units(self, refs: list[str]) -> dict[str, Unit | str]:
        """Each reference → the unit (by code, else by name), or the reason it is not one."""
        found = list(Unit.objects.filter(Q(code__in=refs) | Q(name__in=refs)))
        result: dict[str, Unit | str] = {}
        for ref in refs:
            by_code = [u for u in found if u.code == ref]
            candidates = by_code or [u for u in found if u.name == ref]
            if not candidates:
                result[ref] = _('unknown unit "%(unit)s"; give its code or exact name.') % {"unit": ref}
            elif len(candidates) > 1:
                result[ref] = _('several units are called "%(unit)s"; give the unit\'s code instead.') % {"unit": ref}
            elif not candidates[0].is_active:
                result[ref] = _('the unit "%(unit)s" is no longer active.') % {"unit": ref}
            else:
                result[ref] = candidates[0]
        return result

    def _below(self, unit: Unit) -> bool:
        return self.unit is not None and unit.path.startswith(self.unit.path)

    def resolve(self) -> None:
        raw = self.raw
        role_refs: set[str] = set()
        unit_refs: set[str] = set()
        methods: set[str] = set()
        req_refs: set[str] = set()
        for rr in raw.role_responsibilities:
            role_refs.add(rr["role"])
        for area in raw.focus_areas:
            methods.update(area["methods"])
            req_refs.update(area["requirements"])
            role_refs.update(d["role"] for d in area["responsibilities"])
        for doc in raw.documents:
            role_refs.add(doc["owner_role"])
            if doc["owner_unit"]:
                unit_refs.add(doc["owner_unit"])
            unit_refs.update(doc["applies_to"])
            req_refs.update(doc["requirements"])
        roles = list(Role.objects.all())
        self.roles_by_slug = {r.slug: r for r in roles}
        self.roles_by_name = {r.name.lower(): r for r in roles}
        self.units = self._lookup_units(sorted(unit_refs - {""}))
        self.methods = {m.code: m for m in FollowUpMethod.objects.filter(code__in=methods)}
        pairs = {}
        for ref in req_refs:
            code, _sep, identifier = ref.partition("/")
            pairs[ref] = (code.strip(), identifier.strip())
        self.requirement_pairs = pairs
        found = Requirement.objects.filter(
            framework__code__in={c for c, _i in pairs.values()}, identifier__in={i for _c, i in pairs.values()}
        ).select_related("framework")
        self.requirements = {(r.framework.code, r.identifier): r for r in found}

    def role(self, ref: str, where: Where) -> Role | None:
        if not ref:
            return None
        role = self.roles_by_slug.get(ref) or self.roles_by_name.get(ref.lower())
        if role is None:
            self.fail(
                where,
                _('unknown role "%(role)s". Use one of: %(roles)s.')
                % {"role": ref, "roles": ", ".join(sorted(self.roles_by_slug))},
            )
        return role

    def unit_ref(self, ref: str, where: Where) -> Unit | None:
        found = self.units.get(ref)
        if isinstance(found, str):
            self.fail(where, found)
            return None
        if found is not None and not self._below(found):
            self.fail(
                where,
                _('the unit "%(unit)s" is not "%(file)s" or a unit below it.')
                % {"unit": ref, "file": self.unit.name if self.unit else ""},
            )
            return None
        return found

    def requirement_list(self, refs: list[str], where: Where) -> list[Requirement]:
        result = []
        for ref in refs:
            code, identifier = self.requirement_pairs[ref]
            if not code or not identifier:
                self.fail(
                    where,
                    _(
                        'write a requirement as "<framework code>/<identifier>", '
                        'e.g. "SOSFS 2011:9/%(example)s", not "%(ref)s".'
                    )
                    % {"example": "4-1", "ref": ref},
                )
                continue
            requirement = self.requirements.get((code, identifier))
            if requirement is None:
                self.fail(where, _('unknown requirement "%(ref)s".') % {"ref": ref})
            else:
                result.append(requirement)
        return result

    def method_list(self, codes: list[str], where: Where) -> list[FollowUpMethod]:
        result = []
        for code in codes:
            method = self.methods.get(code)
            if method is None:
                known = FollowUpMethod.objects.filter(is_active=True).values_list("code", flat=True)
                self.fail(
                    where,
                    _('unknown follow-up method "%(code)s". Use one of: %(codes)s.')
                    % {"code": code, "codes": ", ".join(known)},
                )
            else:
                result.append(method)
        return result

    # --- the three sections --------------------------------------------------------

    def plan_role_responsibilities(self) -> Section:
        section = Section("role_responsibilities")
        items = [(item, self.role(item["role"], item.loc("role"))) for item in self.raw.role_responsibilities]
        existing = {
            rr.role_id: rr
            for rr in RoleResponsibility.objects.filter(
                unit=self.unit, role__in=[r for _i, r in items if r is not None]
            ).select_related("role")
        }
        for item, role in items:
            if role is None:
                continue
            current = existing.get(role.pk)
            wanted = {"role": role.slug, "text": item["text"]}
            old = role_responsibility_snapshot(current) if current else None
            entry = Entry(role.slug, role.name, ADDED if current is None else UNCHANGED, item=item, current=current)
            entry.wanted = {"role": role, "text": item["text"], "snapshot": old}
            entry.changes = _compare(old, wanted, ["text"])
            if entry.changes:
                entry.state = CHANGED
            section.entries.append(entry)
        return section

    def plan_focus_areas(self) -> Section:
        section = Section("focus_areas")
        existing = {
            a.key: a
            for a in _focus_areas_query().filter(unit=self.unit, key__in=[i["key"] for i in self.raw.focus_areas])
        }
        for item in self.raw.focus_areas:
            methods = self.method_list(item["methods"], item.loc("methods"))
            requirements = self.requirement_list(item["requirements"], item.loc("requirements"))
            duties = [(d, self.role(d["role"], d.loc("role"))) for d in item["responsibilities"]]
            current = existing.get(item["key"])
            wanted = {
                "key": item["key"],
                "title": item["title"],
                "description": item["description"],
                "how": item["how"],
                "follow_up": item["follow_up"],
                "methods": sorted(m.code for m in methods),
                "requirements": sorted(requirement_ref(r) for r in requirements),
                "responsibilities": [{"role": r.slug, "text": d["text"]} for d, r in duties if r is not None],
            }
            old = focus_area_snapshot(current) if current else None
            entry = Entry(
                item["key"], item["title"], ADDED if current is None else UNCHANGED, item=item, current=current
            )
            entry.changes = _compare(
                old, wanted, ["title", "description", "how", "follow_up", "methods", "requirements", "responsibilities"]
            )
            if current is not None and not current.is_active:
                entry.changes.append(Change("is_active", False, True))
            if entry.changes:
                entry.state = CHANGED
            entry.wanted = wanted | {
                "methods_objs": methods,
                "requirement_objs": requirements,
                "duty_objs": [(r, d["text"]) for d, r in duties if r is not None],
                "snapshot": old,
            }
            section.entries.append(entry)
        return section

    def plan_documents(self) -> Section:
        section = Section("documents")
        raw_docs = self.raw.documents
        by_id = {
            d.identifier: d
            for d in _documents_query().filter(identifier__in=[i["identifier"] for i in raw_docs if i["identifier"]])
        }
        untitled = [i for i in raw_docs if not i["identifier"]]
        by_title: dict[tuple[int, str], list[Document]] = {}
        if untitled:
            for d in _documents_query().filter(
                owner_unit__path__startswith=self.unit.path, title__in=[i["title"] for i in untitled]
            ):
                by_title.setdefault((d.owner_unit_id, d.title), []).append(d)
        file_keys = {a["key"] for a in self.raw.focus_areas}
        wanted_keys = {k for i in raw_docs for k in i["focus_areas"]}
        known_keys = set(file_keys)
        for area in FocusArea.objects.filter(
            unit__path__in=[*self.unit.ancestor_paths, self.unit.path], key__in=wanted_keys - file_keys
        ):
            known_keys.add(area.key)
        today = timezone.localdate()
        for item in raw_docs:
            owner_role = self.role(item["owner_role"], item.loc("owner_role"))
            owner_unit = self.unit_ref(item["owner_unit"], item.loc("owner_unit")) if item["owner_unit"] else self.unit
            applies = [u for ref in item["applies_to"] if (u := self.unit_ref(ref, item.loc("applies_to")))]
            if not item["applies_to"] and owner_unit is not None:
                applies = [owner_unit]
            requirements = self.requirement_list(item["requirements"], item.loc("requirements"))
            for key in item["focus_areas"]:
                if key not in known_keys:
                    self.fail(
                        item.loc("focus_areas"),
                        _('unknown focus area "%(key)s": it is neither in the file nor defined for the unit or above.')
                        % {"key": key},
                    )
            current: Document | None = None
            if item["identifier"]:
                current = by_id.get(item["identifier"])
            elif owner_unit is not None:
                matches = by_title.get((owner_unit.pk, item["title"]), [])
                if len(matches) > 1:
                    self.fail(
                        item.loc("title"),
                        _('several documents of this unit are called "%(title)s"; give the identifier.')
                        % {"title": item["title"]},
                    )
                current = matches[0] if len(matches) == 1 else None
            if current is not None and not self._below(current.owner_unit):
                if self.by is None or access.can(self.by, current, "view"):
                    message = _('the document %(id)s belongs to "%(unit)s", outside "%(file)s".') % {
                        "id": current.identifier,
                        "unit": current.owner_unit.name,
                        "file": self.unit.name,
                    }
                else:  # say no more about a document the person may not see
                    message = _('the identifier "%(id)s" is already used by another document; choose another.') % {
                        "id": current.identifier
                    }
                self.fail(item.loc("identifier"), message)
                continue
            if owner_role is None or owner_unit is None:
                continue
            section.entries.append(
                self._document_entry(item, current, owner_role, owner_unit, applies, requirements, today)
            )
        return section

    def _document_entry(
        self,
        item: Item,
        current: Document | None,
        owner_role: Role,
        owner_unit: Unit,
        applies: list[Unit],
        requirements: list[Requirement],
        today: datetime.date,
    ) -> Entry:
        status = item["status"]
        open_version = current.open_versions[0] if current is not None and current.open_versions else None
        in_force = current.current_version if current is not None and current.current_version_id else None
        # What the file is compared with: for an approved document the version
        # in force; for a draft the open version, else the version in force.
        base = in_force if status == APPROVED else (open_version or in_force)
        old = document_snapshot(current, base) if current is not None else None
        interval = item["review_interval_months"] or (old["review_interval_months"] if old else 12)
        wanted = {
            "identifier": current.identifier if current else item["identifier"],
            "kind": KIND_WORDS.get(DocumentKind(item["kind"]), item["kind"]) if item["kind"] else "",
            "title": item["title"],
            "owner": {"role": owner_role.slug, "unit": unit_label(owner_unit)},
            "applies_to": sorted(unit_label(u) for u in applies),
            "review_interval_months": interval,
            "status": status,
            "decision_reference": item["decision_reference"],
            "approved_on": item["approved_on"],
            "next_review_on": item["next_review_on"],
            "requirements": sorted(requirement_ref(r) for r in requirements),
            "focus_areas": sorted(item["focus_areas"]),
            "body": sanitize_body(item["body"]),
        }
        if status == APPROVED:
            # Left out: keep what the version in force says.
            if not item["decision_reference"] and old and old["status"] == APPROVED:
                wanted["decision_reference"] = old["decision_reference"]
            if item["approved_on"] is None:
                wanted["approved_on"] = old["approved_on"] if old and old["status"] == APPROVED else today
        else:
            wanted["decision_reference"], wanted["approved_on"] = "", None
        content_fields = ["title", "body", "status", "decision_reference", "approved_on"]
        new_version = status == APPROVED and (
            in_force is None or any(old is None or old[f] != wanted[f] for f in content_fields)
        )
        if wanted["next_review_on"] is None:
            if new_version:
                wanted["next_review_on"] = wanted["approved_on"] + relativedelta(months=interval)
            else:
                wanted["next_review_on"] = old["next_review_on"] if old else None
        entry = Entry(wanted["identifier"] or "", item["title"], ADDED if current is None else UNCHANGED, item=item)
        entry.current = current
        if old is not None and status == DRAFT and open_version is None and in_force is not None:
            old = old | {"status": DRAFT, "decision_reference": "", "approved_on": None}  # never un-approves
        entry.changes = _compare(
            old,
            wanted,
            [
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
            ],
        )
        if entry.changes:
            entry.state = CHANGED
        text_changed = old is None or old["title"] != wanted["title"] or old["body"] != wanted["body"]
        if (
            current is not None
            and status == DRAFT
            and open_version is not None
            and text_changed
            and open_version.status == VersionStatus.IN_REVIEW
        ):
            self.fail(
                item.loc("body"),
                _("the document %(id)s has a version in review; finish the review before importing a new text.")
                % {"id": current.identifier},
            )
        if current is not None and new_version:
            entry.note = _("A new approved version replaces the one in force.")
        elif current is not None and status == DRAFT and text_changed:
            entry.note = _("The draft gets the new text.") if open_version else _("A new draft is started.")
        entry.wanted = wanted | {
            "kind_value": item["kind"],
            "owner_role": owner_role,
            "owner_unit": owner_unit,
            "applies_objs": applies,
            "requirement_objs": requirements,
            "new_version": new_version,
            "text_changed": text_changed,
            "open_version": open_version,
            "snapshot": old,
        }
        return entry

    def fingerprint(self, sections: list[Section]) -> str:
        """The data the file touches as it is now: a different value at confirmation means it changed."""
        state = []
        for section in sections:
            for entry in section.entries:
                extra = None
                if isinstance(entry.current, Document):
                    doc = entry.current
                    extra = [doc.version, doc.current_version_id, [(v.pk, v.lock_version) for v in doc.open_versions]]
                state.append([section.name, entry.key, entry.wanted.get("snapshot"), extra])
        return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def handbook_plan(raw: RawHandbook, *, by: Any, unit: Unit | None = None) -> HandbookPlan:
    """Check the items of a file against the database and say what applying them would do.

    Reads only. ``by`` is the person importing (None: the command line
    without a person, which skips the scope check); ``unit`` the unit chosen
    on the upload page. Raises ``HandbookError`` with every problem found.
    """
    planner = _Planner(raw, by=by, unit=unit)
    if planner.unit is None:
        raise HandbookError(planner.problems)
    planner.resolve()
    sections = [planner.plan_role_responsibilities(), planner.plan_focus_areas(), planner.plan_documents()]
    if planner.problems:
        raise HandbookError(planner.problems)
    return HandbookPlan(planner.unit, *sections, fingerprint=planner.fingerprint(sections))


# --- Applying --------------------------------------------------------------------------

_KIND_PREFIX = {
    DocumentKind.GUIDELINE: "RIK",
    DocumentKind.ROUTINE: "RUT",
    DocumentKind.INSTRUCTION: "INS",
    DocumentKind.POLICY: "POL",
    DocumentKind.PLAN: "PLA",
}


def _next_identifier(kind: str, taken: set[str]) -> str:
    """The next free "RUT-0001"-style identifier for a kind (the integrator may swap in the documents service's)."""
    prefix = _KIND_PREFIX.get(DocumentKind(kind), "DOK")
    numbers = [
        int(m.group(1))
        for ident in [
            *Document.objects.filter(identifier__startswith=f"{prefix}-").values_list("identifier", flat=True),
            *taken,
        ]
        if (m := re.fullmatch(rf"{prefix}-(\d+)", ident))
    ]
    identifier = f"{prefix}-{max(numbers, default=0) + 1:04d}"
    taken.add(identifier)
    return identifier


def _apply_role_responsibilities(plan: HandbookPlan, by: Any) -> None:
    for entry in plan.role_responsibilities.entries:
        if entry.state == UNCHANGED:
            continue
        rr = entry.current or RoleResponsibility(unit=plan.unit, role=entry.wanted["role"])
        if rr.pk:
            rr.version += 1
        rr.text = entry.wanted["text"]
        save_tracked(rr, by=by, reason="responsibility.imported")


def _apply_focus_areas(plan: HandbookPlan, by: Any) -> dict[str, FocusArea]:
    created: dict[str, FocusArea] = {}
    next_position = (FocusArea.objects.filter(unit=plan.unit).aggregate(m=Max("position"))["m"] or 0) + 1
    for entry in plan.focus_areas.entries:
        if entry.state == UNCHANGED:
            continue
        w = entry.wanted
        area = entry.current
        if area is None:
            area = FocusArea(unit=plan.unit, key=w["key"], position=next_position)
            next_position += 1
            reason = "focusarea.imported"
        else:
            area.version += 1
            reason = "focusarea.imported"
        area.title, area.description, area.how, area.follow_up = w["title"], w["description"], w["how"], w["follow_up"]
        area.is_active = True
        save_tracked(area, by=by, reason=reason)
        area.follow_up_methods.set(w["methods_objs"])
        area.requirements.set(w["requirement_objs"])
        existing = {d.role_id: d for d in FocusAreaResponsibility.objects.filter(focus_area=area)}
        keep = set()
        for position, (role, text) in enumerate(w["duty_objs"], start=1):
            duty = existing.get(role.pk) or FocusAreaResponsibility(focus_area=area, role=role)
            keep.add(role.pk)
            if duty.pk is None or duty.text != text or duty.position != position:
                duty.text, duty.position = text, position
                save_tracked(duty, by=by, reason="responsibility.imported")
        for role_id, duty in existing.items():
            if role_id not in keep:
                duty._history_user = by if getattr(by, "is_authenticated", False) else None
                duty._change_reason = "responsibility.imported"
                duty.delete()
        created[area.key] = area
    return created


def _apply_documents(plan: HandbookPlan, by: Any, areas: dict[str, FocusArea]) -> None:
    now = timezone.now()
    taken: set[str] = set()
    keys = {k for e in plan.documents.entries for k in e.wanted["focus_areas"]}
    # The nearest definition of a key wins: the file's unit first, then the units above.
    paths = [*plan.unit.ancestor_paths, plan.unit.path]
    by_key: dict[str, FocusArea] = {}
    for area in FocusArea.objects.filter(unit__path__in=paths, key__in=keys).order_by("unit__depth"):
        by_key[area.key] = area
    by_key.update({k: a for k, a in areas.items() if k in keys})
    for entry in plan.documents.entries:
        if entry.state == UNCHANGED:
            continue
        w = entry.wanted
        doc: Document | None = entry.current
        is_new = doc is None
        if doc is None:
            identifier = w["identifier"] or _next_identifier(w["kind_value"], taken)
            doc = Document(identifier=identifier, created_by=by, title=w["title"])
        else:
            doc.version += 1
        doc.kind = w["kind_value"]
        doc.owner_role, doc.owner_unit = w["owner_role"], w["owner_unit"]
        doc.review_interval_months = w["review_interval_months"]
        doc.next_review_on = w["next_review_on"]
        if is_new or w["new_version"]:
            doc.title = w["title"]
        save_tracked(doc, by=by, reason="document.imported")
        doc.applies_to.set(w["applies_objs"])
        doc.requirements.set(w["requirement_objs"])
        doc.focus_areas.set([by_key[k] for k in w["focus_areas"] if k in by_key])
        next_number = 1 if is_new else (doc.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        if w["new_version"]:
            old = doc.current_version if doc.current_version_id else None
            if old is not None:
                old.status = VersionStatus.SUPERSEDED
                old.ended_at = now
                replacing = w["open_version"].number if w["open_version"] else next_number
                old.end_reason = _("Replaced by version %(n)s on import.") % {"n": replacing}
                old.lock_version += 1
                save_tracked(old, by=by, reason="document.superseded")
            # An open draft or review becomes the approved version; otherwise a new one is made.
            version = w["open_version"] or DocumentVersion(
                document=doc, number=next_number, created_by=by, change_note=_("Imported from a handbook file.")
            )
            if version.pk:
                version.lock_version += 1
            version.status = VersionStatus.APPROVED
            version.title, version.body = w["title"], w["body"]
            version.approved_by, version.approved_at = by, now
            version.decision_reference, version.valid_from = w["decision_reference"], w["approved_on"]
            save_tracked(version, by=by, reason="document.imported")
            doc.current_version = version
            doc.title = w["title"]
            save_tracked(doc, by=by, reason="document.approved")
        elif w["status"] == DRAFT and w["text_changed"]:
            version = w["open_version"] or DocumentVersion(
                document=doc, number=next_number, created_by=by, change_note=_("Imported from a handbook file.")
            )
            if version.pk:
                version.lock_version += 1
            version.title, version.body = w["title"], w["body"]
            save_tracked(version, by=by, reason="document.imported")
            if is_new or doc.current_version_id is None:
                doc.title = w["title"]
                save_tracked(doc, by=by, reason="document.imported")


@transaction.atomic
def handbook_apply(*, raw: RawHandbook, by: Any, unit: Unit | None = None, expected: str | None = None) -> HandbookPlan:
    """Apply the items of a file in one transaction; returns the plan that was applied.

    ``expected`` is the fingerprint the preview showed: if the data the file
    touches changed since, ``DomainError`` and nothing changes. Importing
    the same file again changes nothing, not even the history.
    """
    # One import per unit at a time (the lock is taken before the plan that is applied is made).
    target = unit or handbook_plan(raw, by=by).unit
    Unit.objects.select_for_update().filter(pk=target.pk).first()
    plan = handbook_plan(raw, by=by, unit=unit)
    if expected is not None and plan.fingerprint != expected:
        raise DomainError(
            _("The handbook has changed since the preview was made. Upload the file again to see the changes.")
        )
    if not plan.has_changes:
        return plan
    _apply_role_responsibilities(plan, by)
    areas = _apply_focus_areas(plan, by)
    _apply_documents(plan, by, areas)
    return plan


# --- Upload, preview, confirm --------------------------------------------------------


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def transfer_draft_create(*, by: Any, unit: Unit, file_name: str, data: bytes) -> tuple[TransferDraft, HandbookPlan]:
    """Check an uploaded file and keep it for the confirmation. Raises ``HandbookError``; saves nothing then."""
    raw, file_format = read_file(data, file_name)
    plan = handbook_plan(raw, by=by, unit=unit)
    draft = TransferDraft(
        created_by=by,
        unit=plan.unit,
        file_name=file_name[:255],
        file_format=file_format,
        content=data,
        sha256=file_sha256(data),
        state_sha256=plan.fingerprint,
    )
    save_tracked(draft, by=by, reason="transfer.previewed")
    return draft, plan


def transfer_draft_preview(draft: TransferDraft) -> HandbookPlan:
    """The plan for a kept upload as it would be applied now."""
    raw, _format = read_file(bytes(draft.content), draft.file_name)
    return handbook_plan(raw, by=draft.created_by, unit=draft.unit)


@transaction.atomic
def transfer_draft_confirm(*, draft: TransferDraft, by: Any, sha256: str) -> HandbookPlan:
    """Apply a previewed upload exactly as previewed.

    Refuses (``DomainError``, nothing changed) when the upload was already
    used, when ``sha256`` is not the stored file's, or when the data the
    file touches changed since the preview. Permission: the caller checked
    ``access.get_for_user(by, TransferDraft, pk, "change")``.
    """
    draft = TransferDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.status != TransferStatus.PENDING:
        raise DomainError(_("This upload has already been applied or discarded."))
    data = bytes(draft.content)
    if sha256 != draft.sha256 or file_sha256(data) != draft.sha256:
        raise DomainError(_("The file is not the one in the preview. Upload it again."))
    raw, _format = read_file(data, draft.file_name)
    plan = handbook_apply(raw=raw, by=by, unit=draft.unit, expected=draft.state_sha256)
    draft.status = TransferStatus.APPLIED
    draft.applied_at = timezone.now()
    draft.result = plan.counts()
    save_tracked(draft, by=by, reason="transfer.confirmed")
    return plan


# --- Export ------------------------------------------------------------------------------


def handbook_export(unit: Unit, *, user: Any = None) -> dict[str, Any]:
    """A unit's handbook in the file format (a dict ready for YAML or the workbook).

    Focus areas and role responsibilities defined at the unit; documents
    owned at the unit or below, with their version in force, else their
    open draft (withdrawn documents are left out). With ``user``, only what
    that person may see (the access module's ``view``); without, everything
    (the command line).
    """

    def visible(qs: Any) -> Any:
        return access.filter_for_user(user, qs, "view") if user is not None else qs

    role_resps = (
        visible(RoleResponsibility.objects.filter(unit=unit))
        .select_related("role")
        .order_by("role__sort_order", "role__name")
    )
    areas = visible(_focus_areas_query().filter(unit=unit, is_active=True)).order_by("position", "title", "pk")
    documents = visible(_documents_query().filter(owner_unit__path__startswith=unit.path)).order_by("identifier")
    result: dict[str, Any] = {"format": FORMAT_VERSION, "unit": unit_label(unit)}
    result["role_responsibilities"] = [role_responsibility_snapshot(rr) for rr in role_resps]
    result["focus_areas"] = [_compact(focus_area_snapshot(a)) for a in areas]
    docs = []
    for document in documents:
        version = content_version(document)
        if version is None:
            continue
        hidden_draft = user is not None and version.status not in access_rules.READER_VERSION_STATUSES
        if hidden_draft and not access.can(user, version, "view"):
            continue
        docs.append(_compact(document_snapshot(document, version)))
    result["documents"] = docs
    return result


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty optional values so the file stays readable."""
    keep = {"key", "title", "identifier", "kind", "owner", "status", "role", "text"}
    return {k: v for k, v in data.items() if k in keep or v not in ("", None, [])}


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def handbook_yaml(data: dict[str, Any]) -> str:
    header = "# Handbok för ledningssystemet – format beskrivet i docs/handbook-format.md\n"
    return header + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


ExportWriter = Callable[[dict[str, Any]], bytes]


def export_bytes(unit: Unit, file_format: str, *, user: Any = None) -> tuple[bytes, str, str]:
    """(content, file name, content type) of a unit's handbook in ``file_format`` (yaml or xlsx)."""
    from processes.transfer.workbook import handbook_workbook

    data = handbook_export(unit, user=user)
    stamp = timezone.localdate().isoformat()
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", unit_label(unit)).strip("-") or "enhet"
    if file_format == TransferFormat.XLSX:
        return (
            handbook_workbook(data),
            f"handbok-{name}-{stamp}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return handbook_yaml(data).encode("utf-8"), f"handbok-{name}-{stamp}.yaml", "application/x-yaml; charset=utf-8"
