"""The handbook "Ledningssystem för systematiskt kvalitetsarbete" as a PDF.

``handbook_context(unit)`` gathers what the handbook of a unit holds, in a
fixed number of queries however many routines there are (the query-count
test lists them); ``build_handbook_pdf(unit, by=…)`` renders it. Only
approved content goes in: documents through their version in force, active
processes, focus areas and responsibilities, the unit's texts.

The chapters follow a municipal handbook: cover, contents, introduction and
purpose, legal basis (frameworks in use), definition of quality,
responsibilities per role, focus areas, the process and routine index, and
references. Other parts of the product add chapters through
``register_chapter`` (the annual calendar will, when it exists).

The background job of kind ``handbook`` builds the PDF and keeps it as a
``HandbookRendition``.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ledningssystem import pdf
from ledningssystem.history import save_tracked
from ledningssystem.jobs import JobHandler, JobResult, ProgressFn, register_job
from ledningssystem.models import BackgroundJob, Unit, User
from processes.models import Document, Process, ProcessStatus, VersionStatus
from reports.models import HandbookRendition, HandbookText, HandbookTextKey
from requirements.models import FocusArea, FocusAreaResponsibility, Framework, RoleResponsibility

JOB_KIND = "handbook"
TEMPLATE = "reports/handbook_pdf.html"
# PDF/A-2u: archival, with Unicode text that can be extracted and searched.
# WeasyPrint 66 offers no "a" (accessible) level of PDF/A, so the file is
# tagged as well (pdf_tags): the structure an "a" level asks for is there.
# Part 2 rather than 3 because the handbook embeds no files.
PDF_VARIANT = "pdf/a-2u"


# --- Texts --------------------------------------------------------------------

# Used when neither the unit nor a unit above it has written its own text.
DEFAULT_TEXTS: dict[str, str] = {
    HandbookTextKey.INTRODUCTION: (
        "Verksamheten ska bedriva ett systematiskt kvalitetsarbete. Det betyder att vi planerar, leder, "
        "kontrollerar, följer upp, utvärderar och förbättrar arbetet på ett sätt som går att beskriva och "
        "upprepa, och att vi dokumenterar hur det går till.\n\n"
        "Den här handboken beskriver ledningssystemet: vilka krav som styr verksamheten, hur ansvaret är "
        "fördelat, vilka fokusområden kvalitetsarbetet är uppdelat i och vilka processer och rutiner som "
        "gäller. Den tas fram ur samma uppgifter som används i det dagliga arbetet och visar bara fastställt "
        "innehåll.\n\n"
        "Alla medarbetare deltar i kvalitetsarbetet, bland annat genom att:\n"
        "- arbeta enligt de processer och rutiner som gäller\n"
        "- rapportera avvikelser, risker och förbättringsförslag\n"
        "- medverka i egenkontroller och uppföljningar"
    ),
    HandbookTextKey.PURPOSE: (
        "Ledningssystemet ska göra det tydligt vad vi gör, varför vi gör det och vad det leder till, så att "
        "de vi finns till för får insatser av god och jämn kvalitet.\n\n"
        "Det ska också ge stöd för att upptäcka brister i tid, lära av det som händer och visa nämnden och "
        "tillsynsmyndigheter hur verksamheten uppfyller de krav som gäller."
    ),
    HandbookTextKey.QUALITY_DEFINITION: (
        "God kvalitet innebär att verksamheten uppfyller de krav och mål som följer av lagar, föreskrifter "
        "och egna beslut, och att den enskilde får det stöd hen har rätt till på ett sätt som motsvarar "
        "rimliga förväntningar.\n\n"
        "Insatser av god kvalitet ska:\n"
        "- utgå från den enskildes behov, självbestämmande och integritet\n"
        "- vara samordnade och präglas av kontinuitet\n"
        "- bygga på bästa tillgängliga kunskap\n"
        "- vara tillgängliga, trygga och rättssäkra"
    ),
    HandbookTextKey.ADOPTION: "",
}

TEXT_KEYS = [key for key, _label in HandbookTextKey.choices]


@dataclass(frozen=True)
class Block:
    """A paragraph (``items`` empty) or a bulleted list (``text`` empty)."""

    text: str = ""
    items: tuple[str, ...] = ()


def text_blocks(text: str) -> list[Block]:
    """Plain text to blocks: blank lines separate paragraphs, lines starting with "- " or "• " are list items."""
    blocks: list[Block] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        paragraph: list[str] = []
        items: list[str] = []
        for line in lines:
            if line[:2] in {"- ", "• "}:
                if paragraph:
                    blocks.append(Block(text=" ".join(paragraph)))
                    paragraph = []
                items.append(line[2:].strip())
            else:
                if items:
                    blocks.append(Block(items=tuple(items)))
                    items = []
                paragraph.append(line)
        if paragraph:
            blocks.append(Block(text=" ".join(paragraph)))
        if items:
            blocks.append(Block(items=tuple(items)))
    return blocks


@dataclass
class ResolvedText:
    key: str
    label: str
    text: str
    source: HandbookText | None  # None: the product's default

    @property
    def is_default(self) -> bool:
        return self.source is None

    @property
    def blocks(self) -> list[Block]:
        return text_blocks(self.text)


def handbook_texts(unit: Unit) -> dict[str, ResolvedText]:
    """Each text key → the nearest text at the unit or above, or the default (one query)."""
    chain = [*unit.ancestor_paths, unit.path]
    found: dict[str, HandbookText] = {}
    for text in HandbookText.objects.filter(unit__path__in=chain).select_related("unit").order_by("unit__depth"):
        if text.text.strip():  # an emptied text hands over to the unit above
            found[text.key] = text  # deeper units come later and win
    labels = dict(HandbookTextKey.choices)
    return {
        key: ResolvedText(
            key=key,
            label=str(labels[key]),
            text=found[key].text if key in found else DEFAULT_TEXTS[key],
            source=found.get(key),
        )
        for key in TEXT_KEYS
    }


# --- Extra chapters -------------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    """A chapter another part of the product adds: a template included in the PDF with its own context."""

    anchor: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


ChapterProvider = Callable[[Unit], "Chapter | None"]
_CHAPTER_PROVIDERS: list[ChapterProvider] = []


def register_chapter(provider: ChapterProvider) -> None:
    """Add a chapter before the references, e.g. the annual calendar (årshjul).

    ``provider(unit)`` returns the chapter for the unit, or None to leave it
    out. It must read in a fixed number of queries, like the rest of the
    handbook. The annual calendar does not exist yet; when it does, its app
    registers its chapter here and the handbook shows it.
    """
    _CHAPTER_PROVIDERS.append(provider)


# --- What the handbook holds -------------------------------------------------------


@dataclass
class IndexRow:
    identifier: str
    title: str
    kind: str
    status: str
    owner: str
    approved_on: datetime.date | None
    decision_reference: str
    next_review_on: datetime.date | None
    is_overdue: bool


def _in_scope(unit: Unit, through: type[models.Model], owner_field: str) -> Exists:
    """Applies to the unit, a unit below it or a unit above it."""
    units = Q(unit__path__startswith=unit.path) | Q(unit__path__in=unit.ancestor_paths)
    return Exists(through.objects.filter(units, **{owner_field: OuterRef("pk")}))


def _documents_in_scope(unit: Unit) -> models.QuerySet[Document]:
    return Document.objects.filter(
        _in_scope(unit, Document.applies_to.through, "document_id"),
        current_version__isnull=False,
        current_version__status=VersionStatus.APPROVED,
    )


def _processes_in_scope(unit: Unit) -> models.QuerySet[Process]:
    return Process.objects.filter(
        _in_scope(unit, Process.applies_to.through, "process_id"), status=ProcessStatus.ACTIVE
    )


def _owner(role_name: str, unit_name: str) -> str:
    return f"{role_name}, {unit_name}"


def handbook_context(unit: Unit, *, today: datetime.date | None = None) -> dict[str, Any]:
    """Everything the handbook of ``unit`` shows, approved material only.

    Queries (fixed, whatever the number of routines, processes or focus areas):
    1 the unit and those above it, 2 texts, 3 role responsibilities,
    4 focus areas, 5 their follow-up methods, 6 their responsibilities,
    7 documents in force, 8 processes in use, 9 frameworks in use.
    Access is not checked here: callers decide who may produce the handbook.
    """
    day = today or timezone.localdate()
    chain = list(Unit.objects.filter(path__in=[*unit.ancestor_paths, unit.path]).order_by("depth"))
    organisation = chain[0] if chain else unit
    texts = handbook_texts(unit)
    chain_paths = [u.path for u in chain]

    nearest: dict[int, RoleResponsibility] = {}
    for responsibility in (
        RoleResponsibility.objects.filter(unit__path__in=chain_paths).select_related("role").order_by("unit__depth")
    ):
        nearest[responsibility.role_id] = responsibility  # the deepest definition wins
    role_responsibilities = [
        {"role": r.role.name, "blocks": text_blocks(r.text)}
        for r in sorted(nearest.values(), key=lambda r: (r.role.sort_order, r.role.name))
    ]

    areas = list(
        FocusArea.objects.filter(unit__path__in=chain_paths, is_active=True)
        .prefetch_related(
            Prefetch("follow_up_methods", to_attr="methods"),
            Prefetch(
                "responsibilities",
                queryset=FocusAreaResponsibility.objects.select_related("role").order_by(
                    "position", "role__sort_order"
                ),
                to_attr="duties",
            ),
        )
        .order_by("unit__depth", "position", "title")
    )
    focus_areas = [
        {
            "anchor": f"fokus-{area.pk}",
            "title": area.title,
            "description": text_blocks(area.description),
            "how": text_blocks(area.how),
            "follow_up": text_blocks(area.follow_up),
            "methods": [m.name for m in area.methods if m.is_active],
            "responsibilities": [{"role": d.role.name, "text": d.text} for d in area.duties],
        }
        for area in areas
    ]

    documents = (
        _documents_in_scope(unit)
        .select_related("current_version", "owner_role", "owner_unit")
        .only(
            "identifier",
            "kind",
            "next_review_on",
            "owner_role__name",
            "owner_unit__name",
            "current_version__title",
            "current_version__approved_at",
            "current_version__valid_from",
            "current_version__decision_reference",
            "current_version__status",
        )
        .order_by("identifier")
    )
    kinds = {value: str(label) for value, label in Document._meta.get_field("kind").choices}
    approved = str(VersionStatus.APPROVED.label)
    document_rows = []
    for d in documents:
        version = d.current_version
        approved_at = version.approved_at
        document_rows.append(
            IndexRow(
                identifier=d.identifier,
                title=version.title,
                kind=kinds.get(d.kind, d.kind),
                status=approved,
                owner=_owner(d.owner_role.name, d.owner_unit.name),
                approved_on=timezone.localdate(approved_at) if approved_at else version.valid_from,
                decision_reference=version.decision_reference,
                next_review_on=d.next_review_on,
                is_overdue=d.next_review_on is not None and d.next_review_on < day,
            )
        )

    in_use = str(ProcessStatus.ACTIVE.label)
    process_kind = _("Process")
    process_rows = [
        IndexRow(
            identifier=p.identifier,
            title=p.title,
            kind=process_kind,
            status=in_use,
            owner=_owner(p.owner_role.name, p.owner_unit.name),
            approved_on=None,
            decision_reference="",
            next_review_on=None,
            is_overdue=False,
        )
        for p in _processes_in_scope(unit)
        .select_related("owner_role", "owner_unit")
        .only("identifier", "title", "owner_role__name", "owner_unit__name")
        .order_by("identifier")
    ]

    area_ids = [area.pk for area in areas]
    linked = Q(requirement__framework=OuterRef("pk"), requirement__is_active=True)
    frameworks = list(
        Framework.objects.filter(
            Exists(FocusArea.requirements.through.objects.filter(linked, focusarea_id__in=area_ids))
            | Exists(
                Document.requirements.through.objects.filter(
                    linked, document_id__in=_documents_in_scope(unit).values("pk")
                )
            )
            | Exists(
                Process.requirements.through.objects.filter(
                    linked, process_id__in=_processes_in_scope(unit).values("pk")
                )
            )
        ).order_by("code")
    )

    chapters = [c for c in (provider(unit) for provider in _CHAPTER_PROVIDERS) if c is not None]
    title = _("Management system for systematic quality work")
    return {
        "title": title,
        "unit": unit,
        "organisation": organisation,
        "unit_path": " › ".join(u.name for u in chain),
        "texts": texts,
        "adoption": texts[HandbookTextKey.ADOPTION].text.strip(),
        "frameworks": frameworks,
        "role_responsibilities": role_responsibilities,
        "focus_areas": focus_areas,
        "processes": process_rows,
        "documents": document_rows,
        "overdue_count": sum(1 for row in document_rows if row.is_overdue),
        "chapters": chapters,
        "generated_on": day,
    }


def build_handbook_pdf(unit: Unit, *, by: User | None, pdfa: bool = True, progress: ProgressFn | None = None) -> bytes:
    """The handbook of ``unit`` as PDF bytes (PDF/A-2u and tagged unless ``pdfa`` is False).

    Pure: reads the database, writes nothing. Rendered in Swedish whatever
    the person's language, as the document it stands for.
    """
    with translation.override("sv"):
        context = handbook_context(unit)
        context["generated_by"] = by
        if progress:
            progress(20)
        return pdf.render_pdf(
            TEMPLATE,
            context,
            variant=PDF_VARIANT if pdfa else None,
            tags=pdfa,
            on_laid_out=(lambda _pages: progress(70)) if progress else None,
        )


# --- The background job -------------------------------------------------------------


def rendition_file_name(unit: Unit, day: datetime.date) -> str:
    return f"handbok-{slugify(unit.name) or unit.pk}-{day.isoformat()}.pdf"


def _page_count(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def handbook_rendition_create(
    *, unit: Unit, content: bytes, by: User, job: BackgroundJob | None, variant: str
) -> HandbookRendition:
    """Keep a produced handbook for good, with its checksum (history reason ``handbook.rendered``)."""
    name = rendition_file_name(unit, timezone.localdate())
    rendition = HandbookRendition(
        unit=unit,
        created_by=by,
        file_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        page_count=_page_count(content),
        pdf_variant=variant,
        job=job,
    )
    rendition.file.save(name, ContentFile(content), save=False)
    save_tracked(rendition, by=by, reason="handbook.rendered")
    return rendition


def run_handbook_job(job: BackgroundJob, progress: ProgressFn) -> JobResult:
    """Build the handbook of ``params["unit"]``; access is checked again as the job runs."""
    from reports.access_rules import may_generate_handbook

    unit = Unit.objects.get(pk=job.params["unit"])
    if not may_generate_handbook(job.created_by, unit):
        raise PermissionError("may no longer produce the handbook for this unit")
    progress(5)
    content = build_handbook_pdf(unit, by=job.created_by, progress=progress)
    progress(90)
    rendition = handbook_rendition_create(unit=unit, content=content, by=job.created_by, job=job, variant=PDF_VARIANT)
    job.params = {**job.params, "rendition": rendition.pk}
    BackgroundJob.objects.filter(pk=job.pk).update(params=job.params)
    return JobResult(filename=rendition.file_name, content=content)


register_job(JOB_KIND, JobHandler(label=lambda: _("Handbook (PDF)"), run=run_handbook_job))
