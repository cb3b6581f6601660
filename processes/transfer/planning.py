"""Checking a handbook file against the database and working out what importing it would do (the preview)."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledningssystem import access
from ledningssystem.models import Role, Unit
from processes import access_rules
from processes.models import (
    Document,
    DocumentKind,
    VersionStatus,
)
from processes.transfer.canonical import (
    document_snapshot,
    documents_query,
    focus_area_snapshot,
    focus_areas_query,
    requirement_ref,
    role_responsibility_snapshot,
    sanitize_body,
    unit_label,
)
from processes.transfer.reading import (
    APPROVED,
    DRAFT,
    KIND_WORDS,
    HandbookError,
    Item,
    RawHandbook,
    TransferProblem,
    Where,
)
from requirements.models import FocusArea, FollowUpMethod, Requirement, RoleResponsibility

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
            for a in focus_areas_query().filter(unit=self.unit, key__in=[i["key"] for i in self.raw.focus_areas])
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
            for d in documents_query().filter(identifier__in=[i["identifier"] for i in raw_docs if i["identifier"]])
        }
        untitled = [i for i in raw_docs if not i["identifier"]]
        by_title: dict[tuple[int, str], list[Document]] = {}
        if untitled:
            for d in documents_query().filter(
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
