"""A large, deterministic quality management system for benchmarks and query-count tests.

``build(n_requirements=500, n_documents=3000, seed=1)`` creates, under a new
top unit (a committee with an administration, sections and units):

* a framework with chapters, sections and ``n_requirements`` requirements
  (binding regulations and general advice alternating);
* focus areas at the administration with follow-up methods, per-role
  responsibilities and links to the requirements (every requirement belongs
  to one focus area);
* role responsibilities (the "Ansvarsfördelning") for the built-in roles;
* ``n_documents`` controlled documents applying to the units: most with an
  approved version in force (some past their review date, some with a new
  draft on top), the rest drafts only;
* processes (mostly in use, a few drafts) with ordered activities whose
  governing routines are drawn from the documents.

Rows are bulk-created (no history rows: this is generated data, not work a
person did) and the same ``seed`` gives the same content. It runs on an
empty database or beside the demo: names and identifiers carry a tag that is
free in the database, so a second call builds a second, separate
organisation. Django must be set up by the caller (tests, ``bench/*.py``).

    from bench.qms_data import build
    top = build(n_requirements=500, n_documents=3000)
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from ledningssystem import services
from ledningssystem.builtin_roles import ensure_builtin_roles
from ledningssystem.models import Role, Unit, User
from ledningssystem.models.organisation import UnitKind
from processes.models import (
    Document,
    DocumentKind,
    DocumentVersion,
    Process,
    ProcessActivity,
    ProcessStatus,
    VersionStatus,
)
from requirements.models import (
    FocusArea,
    FocusAreaResponsibility,
    FollowUpMethod,
    Framework,
    Kind,
    Requirement,
    RoleResponsibility,
    Section,
)

BATCH = 2000
CHAPTERS = 10
SECTIONS_PER_CHAPTER = 4
SECTION_UNITS = 4
UNITS_PER_SECTION = 5

FOCUS_AREAS = [
    ("bemotande", "Bemötande"),
    ("samverkan", "Samverkan"),
    ("personal-kompetens", "Personal och kompetensförsörjning"),
    ("uppfoljning", "Uppföljning, utvärdering och egenkontroll"),
    ("tillganglighet", "Tillgänglighet"),
    ("avvikelser", "Avvikelser, fel och brister"),
    ("synpunkter", "Synpunkter och klagomål"),
    ("dokumentation", "Handläggning och dokumentation"),
    ("varor-tjanster", "Varor, tjänster och teknik"),
    ("riskanalyser", "Riskanalyser"),
    ("insatser", "Kvalitetssäkring av insatser"),
    ("delaktighet", "Delaktighet och inflytande"),
]

FOLLOW_UP_METHODS = [
    ("egenkontroll", "Egenkontroll"),
    ("brukarundersokning", "Brukarundersökning"),
    ("internkontroll", "Internkontroll"),
    ("kvalitetsberattelse", "Kvalitetsberättelse"),
]

RESPONSIBLE_ROLES = ["namnd", "forvaltningschef", "sektionschef", "enhetschef", "kvalitetssamordnare", "medarbetare"]
OWNER_ROLES = ["enhetschef", "sektionschef", "kvalitetssamordnare", "forvaltningschef"]
DOCUMENT_KINDS = [DocumentKind.ROUTINE] * 6 + [
    DocumentKind.GUIDELINE,
    DocumentKind.INSTRUCTION,
    DocumentKind.POLICY,
    DocumentKind.PLAN,
]
TOPICS = [
    "Avvikelsehantering",
    "Bemötande av brukare",
    "Genomförandeplan",
    "Synpunkter och klagomål",
    "Lex Sarah",
    "Läkemedelshantering",
    "Introduktion av nyanställda",
    "Dokumentation i journal",
    "Samverkan med regionen",
    "Riskanalys inför förändring",
    "Brandskydd",
    "Nyckelhantering",
    "Delegering",
    "Sekretess och tystnadsplikt",
    "Egenkontroll",
]

# Shares of the documents, by position modulo 20: drafts only, in force with an open draft, overdue.
DRAFT_ONLY = {3, 13}
WITH_NEW_DRAFT = {7}
OVERDUE = {5, 11}


def _free_tag(seed: int) -> str:
    """A tag for names and identifiers not yet used in this database ("Q1", then "Q1B", "Q1C" …)."""
    base = f"Q{seed}"
    suffix = ""
    n = 1
    while Framework.objects.filter(code=f"BENCH {base}{suffix}").exists():
        n += 1
        suffix = chr(ord("A") + n - 1)
    return f"{base}{suffix}"


def _author() -> User:
    user, _created = User.objects.get_or_create(
        username="qms-bench", defaults={"first_name": "Generator", "last_name": "Bench", "is_active": False}
    )
    return user


def _units(tag: str) -> tuple[Unit, Unit, list[Unit]]:
    top = services.unit_create(parent=None, name=f"Nämnd {tag}", kind=UnitKind.COMMITTEE, by=None)
    administration = services.unit_create(parent=top, name=f"Förvaltning {tag}", kind=UnitKind.ADMINISTRATION, by=None)
    below: list[Unit] = []
    for s in range(1, SECTION_UNITS + 1):
        section = services.unit_create(parent=administration, name=f"Sektion {s}", kind=UnitKind.SECTION, by=None)
        below.append(section)
        below.extend(
            services.unit_create(parent=section, name=f"Enhet {s}.{u}", kind=UnitKind.UNIT, by=None)
            for u in range(1, UNITS_PER_SECTION + 1)
        )
    return top, administration, below


def _framework(tag: str, n_requirements: int, rng: random.Random) -> list[Requirement]:
    framework = Framework.objects.create(
        code=f"BENCH {tag}",
        title=f"Genererat regelverk {tag} om systematiskt kvalitetsarbete",
        issuer="Benchmarkmyndigheten",
        in_force_from=datetime.date(2020, 1, 1),
        source_url="https://example.org/regelverk",
        version_label="1",
    )
    chapters = Section.objects.bulk_create(
        Section(framework=framework, key=f"kap{c}", reference=f"{c} kap.", title=f"Kapitel {c}", position=c * 100)
        for c in range(1, CHAPTERS + 1)
    )
    sections = Section.objects.bulk_create(
        Section(
            framework=framework,
            parent=chapter,
            key=f"kap{c}-{s}",
            reference=f"{c} kap. {s} §",
            title=f"Avsnitt {c}.{s}",
            position=c * 100 + s,
        )
        for c, chapter in enumerate(chapters, start=1)
        for s in range(1, SECTIONS_PER_CHAPTER + 1)
    )
    requirements = [
        Requirement(
            framework=framework,
            section=sections[i % len(sections)],
            identifier=f"{tag}-K{i + 1:04}",
            reference=f"{i % CHAPTERS + 1} kap. {i // CHAPTERS + 1} §",
            title=f"Krav {i + 1}: {rng.choice(TOPICS).lower()}",
            summary="Verksamheten ska ha rutiner som säkerställer att kravet uppfylls och följs upp.",
            kind=Kind.REGULATION if i % 3 else Kind.GENERAL_ADVICE,
            source_url="https://example.org/regelverk",
            is_verified=bool(i % 7),
            position=i,
        )
        for i in range(n_requirements)
    ]
    return Requirement.objects.bulk_create(requirements, batch_size=BATCH)


def _focus_areas(
    tag: str, administration: Unit, requirements: list[Requirement], roles: dict[str, Role]
) -> list[FocusArea]:
    methods = []
    for position, (code, name) in enumerate(FOLLOW_UP_METHODS):
        method, _created = FollowUpMethod.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": position}
        )
        methods.append(method)
    areas = FocusArea.objects.bulk_create(
        FocusArea(
            unit=administration,
            key=key,
            title=f"{title} ({tag})",
            description=f"Vad verksamheten vill uppnå inom området {title.lower()}.",
            how="Rutiner och processer ska beskriva arbetssätt, ansvar och dokumentation.",
            follow_up="Följs upp genom egenkontroll och sammanställs i kvalitetsberättelsen.",
            position=position,
        )
        for position, (key, title) in enumerate(FOCUS_AREAS)
    )
    FocusArea.follow_up_methods.through.objects.bulk_create(
        FocusArea.follow_up_methods.through(focusarea_id=area.pk, followupmethod_id=methods[j].pk)
        for i, area in enumerate(areas)
        for j in range(len(methods))
        if (i + j) % 2 == 0
    )
    FocusArea.requirements.through.objects.bulk_create(
        (
            FocusArea.requirements.through(focusarea_id=areas[i % len(areas)].pk, requirement_id=r.pk)
            for i, r in enumerate(requirements)
        ),
        batch_size=BATCH,
    )
    FocusAreaResponsibility.objects.bulk_create(
        FocusAreaResponsibility(
            focus_area=area,
            role=roles[slug],
            text=f"{roles[slug].name} ansvarar för sin del av området.",
            position=position,
        )
        for area in areas
        for position, slug in enumerate(RESPONSIBLE_ROLES[1:5])
    )
    RoleResponsibility.objects.bulk_create(
        RoleResponsibility(
            unit=administration,
            role=roles[slug],
            text=f"{roles[slug].name} ansvarar för att det systematiska kvalitetsarbetet bedrivs.\n\n"
            "Ansvaret omfattar planering, genomförande och uppföljning.",
        )
        for slug in RESPONSIBLE_ROLES
    )
    return areas


def _documents(
    tag: str,
    n_documents: int,
    units: list[Unit],
    requirements: list[Requirement],
    areas: list[FocusArea],
    roles: dict[str, Role],
    author: User,
    rng: random.Random,
) -> list[Document]:
    today = timezone.localdate()
    now = timezone.now()
    documents = []
    for i in range(n_documents):
        state = i % 20
        in_force = state not in DRAFT_ONLY
        if not in_force:
            next_review = None
        elif state in OVERDUE:
            next_review = today - datetime.timedelta(days=1 + i % 90)
        else:
            next_review = today + datetime.timedelta(days=30 + i % 300)
        owner_unit = units[i % len(units)]
        documents.append(
            Document(
                identifier=f"{tag}-RUT-{i + 1:05}",
                kind=DOCUMENT_KINDS[i % len(DOCUMENT_KINDS)],
                title=f"{rng.choice(TOPICS)} – rutin {i + 1}",
                owner_role=roles[OWNER_ROLES[i % len(OWNER_ROLES)]],
                owner_unit=owner_unit,
                review_interval_months=12,
                next_review_on=next_review,
                created_by=author,
                created_at=now,
            )
        )
    documents = Document.objects.bulk_create(documents, batch_size=BATCH)

    versions = []
    for i, document in enumerate(documents):
        state = i % 20
        approved_at = now - datetime.timedelta(days=30 + i % 600)
        if state in DRAFT_ONLY:
            versions.append(
                DocumentVersion(
                    document=document,
                    number=1,
                    status=VersionStatus.DRAFT,
                    title=document.title,
                    body="<p>Utkast.</p>",
                    created_by=author,
                    created_at=now,
                )
            )
            continue
        versions.append(
            DocumentVersion(
                document=document,
                number=1,
                status=VersionStatus.APPROVED,
                title=document.title,
                body="<p>Så här går det till.</p><ul><li>Steg ett</li><li>Steg två</li></ul>",
                created_by=author,
                created_at=approved_at,
                submitted_at=approved_at,
                approved_by=author,
                approved_at=approved_at,
                decision_reference=f"SN {approved_at.date().isoformat()} § {i % 90 + 1}" if i % 4 == 0 else "",
                valid_from=approved_at.date(),
            )
        )
        if state in WITH_NEW_DRAFT:
            versions.append(
                DocumentVersion(
                    document=document,
                    number=2,
                    status=VersionStatus.DRAFT,
                    title=f"{document.title} (ny version, utkast)",
                    body="<p>Ändrat utkast.</p>",
                    created_by=author,
                    created_at=now,
                )
            )
    versions = DocumentVersion.objects.bulk_create(versions, batch_size=BATCH)
    in_force = {v.document_id: v for v in versions if v.status == VersionStatus.APPROVED}
    for document in documents:
        document.current_version = in_force.get(document.pk)
    Document.objects.bulk_update(
        [d for d in documents if d.current_version is not None], ["current_version"], batch_size=BATCH
    )

    # Most apply to their owner unit; every fifth to a section, every fiftieth to the whole administration.
    applies = Document.applies_to.through
    rows = []
    for i, document in enumerate(documents):
        targets = {document.owner_unit_id}
        if i % 5 == 0:
            targets.add(units[(i // 5) % len(units)].pk)
        if i % 50 == 0:
            targets.add(units[0].parent_id)
        rows.extend(applies(document_id=document.pk, unit_id=u) for u in sorted(targets))
    applies.objects.bulk_create(rows, batch_size=BATCH)
    Document.requirements.through.objects.bulk_create(
        (
            Document.requirements.through(
                document_id=d.pk, requirement_id=requirements[(i * 7 + k) % len(requirements)].pk
            )
            for i, d in enumerate(documents)
            for k in range(1 + i % 3)
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    Document.focus_areas.through.objects.bulk_create(
        (
            Document.focus_areas.through(document_id=d.pk, focusarea_id=areas[i % len(areas)].pk)
            for i, d in enumerate(documents)
        ),
        batch_size=BATCH,
    )
    return documents


def _processes(
    tag: str,
    n_processes: int,
    administration: Unit,
    units: list[Unit],
    documents: list[Document],
    requirements: list[Requirement],
    areas: list[FocusArea],
    roles: dict[str, Role],
    author: User,
) -> list[Process]:
    processes = Process.objects.bulk_create(
        Process(
            identifier=f"{tag}-PR-{i + 1:04}",
            title=f"Process {i + 1}: {TOPICS[i % len(TOPICS)].lower()}",
            purpose="Att arbetet sker likadant varje gång och att ansvaret är tydligt.",
            status=ProcessStatus.DRAFT if i % 10 == 9 else ProcessStatus.ACTIVE,
            owner_role=roles[OWNER_ROLES[i % len(OWNER_ROLES)]],
            owner_unit=administration if i % 3 == 0 else units[i % len(units)],
            created_by=author,
        )
        for i in range(n_processes)
    )
    Process.applies_to.through.objects.bulk_create(
        Process.applies_to.through(
            process_id=p.pk, unit_id=(administration if i % 3 == 0 else units[i % len(units)]).pk
        )
        for i, p in enumerate(processes)
    )
    Process.requirements.through.objects.bulk_create(
        Process.requirements.through(process_id=p.pk, requirement_id=requirements[(i * 11) % len(requirements)].pk)
        for i, p in enumerate(processes)
    )
    Process.focus_areas.through.objects.bulk_create(
        Process.focus_areas.through(process_id=p.pk, focusarea_id=areas[i % len(areas)].pk)
        for i, p in enumerate(processes)
    )
    activities = ProcessActivity.objects.bulk_create(
        (
            ProcessActivity(
                process=p,
                position=k,
                title=f"Aktivitet {k}",
                description="Vad som görs i detta steg.",
                responsible_role=roles[RESPONSIBLE_ROLES[1 + (i + k) % 5]],
                needs_collaboration=k == 3,
                collaboration_with="Regionen" if k == 3 else "",
            )
            for i, p in enumerate(processes)
            for k in range(1, 6)
        ),
        batch_size=BATCH,
    )
    if documents:
        ProcessActivity.routines.through.objects.bulk_create(
            (
                ProcessActivity.routines.through(
                    processactivity_id=a.pk, document_id=documents[(i * 13) % len(documents)].pk
                )
                for i, a in enumerate(activities)
            ),
            batch_size=BATCH,
        )
    return processes


def build(n_requirements: int = 500, n_documents: int = 3000, seed: int = 1) -> Unit:
    """Create the organisation and its quality management system; return the top unit (a committee).

    The administration below it (``top.get_children()[0]``) holds the focus
    areas and role responsibilities; documents apply to its sections and units.
    """
    if n_requirements < 1:
        raise ValueError("n_requirements must be at least 1")
    rng = random.Random(seed)
    ensure_builtin_roles()
    roles = {r.slug: r for r in Role.objects.filter(slug__in=set(RESPONSIBLE_ROLES + OWNER_ROLES))}
    with transaction.atomic():
        tag = _free_tag(seed)
        author = _author()
        top, administration, units = _units(tag)
        requirements = _framework(tag, n_requirements, rng)
        areas = _focus_areas(tag, administration, requirements, roles)
        documents = _documents(tag, n_documents, units, requirements, areas, roles, author, rng)
        _processes(
            tag, max(3, n_documents // 100), administration, units, documents, requirements, areas, roles, author
        )
    return Unit.objects.get(pk=top.pk)  # fresh: the tree bookkeeping (numchild) changed below it
