"""What a handbook file holds: safe document text, the canonical form of each item, and the export.

The canonical form (``*_snapshot``) is what an export writes and what the
preview compares a file with, so that an export read back in is unchanged.
"""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import yaml
from django.db.models import Prefetch
from django.utils import timezone

from ledningssystem import access
from ledningssystem.models import Unit
from processes import access_rules, richtext
from processes.models import (
    OPEN_STATUSES,
    Document,
    DocumentVersion,
    TransferFormat,
    VersionStatus,
)
from processes.transfer.reading import (
    APPROVED,
    DRAFT,
    FORMAT_VERSION,
    KIND_WORDS,
)
from requirements.models import FocusArea, FocusAreaResponsibility, Requirement, RoleResponsibility

# --- Document text ------------------------------------------------------------------

# A conservative whitelist. processes/richtext.py (written on another branch)
# is meant to be the one sanitiser: the integrator should point this at it.
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
    # The same whitelist as text written in the editor (processes/richtext.py).
    return richtext.sanitise(text).strip()


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


def documents_query() -> Any:
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


def focus_areas_query() -> Any:
    return FocusArea.objects.prefetch_related(
        "follow_up_methods",
        Prefetch("requirements", queryset=Requirement.objects.select_related("framework")),
        Prefetch("responsibilities", queryset=FocusAreaResponsibility.objects.select_related("role")),
    )


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
    areas = visible(focus_areas_query().filter(unit=unit, is_active=True)).order_by("position", "title", "pk")
    documents = visible(documents_query().filter(owner_unit__path__startswith=unit.path)).order_by("identifier")
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
