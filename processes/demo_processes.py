"""Demo processes for Åby kommun, and one read request so Min sida has something to read.

Called by ``load_demo`` after the frameworks, focus areas and demo routines
(``processes.demo_documents``) are in place: ``load(units, people)`` with
units by name and people by username. Routines, requirements and focus
areas are looked up and skipped when missing, so this runs on its own too.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ledningssystem import access
from ledningssystem.models import Role, Unit, User
from processes import process_services, reading
from processes.models import Document, ProcessStatus, ReadRequest
from requirements.models import FocusArea, Requirement

# Activity: (title, description, responsible role slug, words that find governing routines by title,
#            collaboration with whom or "")
PROCESSES: list[dict[str, Any]] = [
    {
        "identifier": "PR-01",
        "title": "Hantering av avvikelser och lex Sarah",
        "purpose": (
            "Att brister och risker i verksamheten fångas upp tidigt, att den enskilde skyddas direkt och att "
            "orsakerna utreds och åtgärdas så att samma sak inte händer igen."
        ),
        "owner": ("kvalitetssamordnare", "Socialförvaltningen"),
        "applies_to": ["Äldreomsorg", "Funktionsstöd", "Individ- och familjeomsorg"],
        "requirements": [("SOSFS 2011:9", ["5:4", "5:5", "5:6", "5:7"]), ("SOSFS 2011:5", ["1:2", "5:dokumentation"])],
        "focus_areas": ["avvikelser", "riskanalyser"],
        "status": ProcessStatus.ACTIVE,
        "activities": [
            (
                "Upptäcka och rapportera",
                "Den som ser en brist eller risk gör det som behövs för brukarens säkerhet och rapporterar samma "
                "dag. Missförhållanden enligt lex Sarah rapporteras genast.",
                "medarbetare",
                ["avvikelse", "lex sarah"],
                "",
            ),
            (
                "Ta emot och göra en första bedömning",
                "Enhetschefen tar emot rapporten, ser till att brukaren är skyddad och bedömer om det kan vara "
                "ett missförhållande.",
                "enhetschef",
                ["lex sarah"],
                "",
            ),
            (
                "Utreda orsaker",
                "Vad hände, varför, och vad i arbetssätt, bemanning eller rutiner bidrog? Berörd personal och "
                "vid behov brukaren tillfrågas.",
                "enhetschef",
                ["avvikelse"],
                "Regionens primärvård när händelsen rör läkemedel eller hälso- och sjukvårdsinsatser",
            ),
            (
                "Besluta och genomföra åtgärder",
                "Åtgärder med ansvarig och datum, och hur effekten ska följas upp.",
                "enhetschef",
                [],
                "",
            ),
            (
                "Anmäla allvarliga missförhållanden",
                "Ett allvarligt missförhållande eller en påtaglig risk för ett sådant anmäls till IVO så snart "
                "som möjligt, även innan utredningen är klar.",
                "forvaltningschef",
                ["lex sarah"],
                "Inspektionen för vård och omsorg (IVO)",
            ),
            (
                "Sammanställa och lära",
                "Avvikelserna sammanställs varje kvartal för att hitta mönster; resultatet går till "
                "ledningsgruppen och kvalitetsberättelsen.",
                "kvalitetssamordnare",
                [],
                "",
            ),
        ],
    },
    {
        "identifier": "PR-02",
        "title": "Från ansökan till beslut – ekonomiskt bistånd",
        "purpose": (
            "Att den som söker ekonomiskt bistånd får en rättssäker och snabb handläggning, ett begripligt "
            "beslut och stöd mot egen försörjning."
        ),
        "owner": ("sektionschef", "Individ- och familjeomsorg"),
        "applies_to": ["Ekonomiskt bistånd"],
        "requirements": [("SOSFS 2011:9", ["4:2", "4:3", "4:4"])],
        "focus_areas": ["handlaggning-dokumentation", "tillganglighet"],
        "status": ProcessStatus.ACTIVE,
        "activities": [
            (
                "Ta emot ansökan",
                "Ansökan tas emot digitalt eller på papper; den sökande får besked om vad som saknas.",
                "medarbetare",
                ["ekonomiskt bistånd"],
                "",
            ),
            (
                "Utreda behov och rätt till bistånd",
                "Inkomster, kostnader och den sökandes planering mot egen försörjning kartläggs.",
                "medarbetare",
                ["dokumentation"],
                "Försäkringskassan och Arbetsförmedlingen om ersättningar och planering",
            ),
            ("Fatta beslut", "Beslut enligt delegationsordningen, skriftligt och motiverat.", "enhetschef", [], ""),
            (
                "Underrätta och informera om överklagande",
                "Den sökande får beslutet med hänvisning till hur man överklagar.",
                "medarbetare",
                [],
                "",
            ),
            (
                "Betala ut och följa upp planeringen",
                "Utbetalning och uppföljning av planeringen vid nästa ansökan.",
                "medarbetare",
                [],
                "",
            ),
        ],
    },
    {
        "identifier": "PR-03",
        "title": "Inflyttning på särskilt boende",
        "purpose": (
            "Att den som flyttar in känner sig välkommen och trygg, att läkemedel och vårdinsatser följer med "
            "utan avbrott och att genomförandeplanen bygger på personens egna önskemål."
        ),
        "owner": ("enhetschef", "Särskilt boende Björken"),
        "applies_to": ["Särskilt boende Björken"],
        "requirements": [("SOSFS 2011:9", ["4:3", "4:5", "4:6"])],
        "focus_areas": ["samverkan", "bemotande"],
        "status": ProcessStatus.ACTIVE,
        "activities": [
            (
                "Planera inflyttningen",
                "Enhetschefen tar emot beslutet, utser kontaktperson och bokar ett första samtal med den "
                "enskilde och närstående.",
                "enhetschef",
                ["inflyttning"],
                "Biståndshandläggaren som fattat beslutet",
            ),
            (
                "Ta emot och föra över läkemedelslistan",
                "Aktuell läkemedelslista och ordinationer finns på plats dagen för inflyttning.",
                "medarbetare",
                ["läkemedel"],
                "Regionen (vårdcentral och, vid utskrivning, sjukhuset)",
            ),
            (
                "Upprätta genomförandeplan",
                "Kontaktpersonen skriver planen tillsammans med den enskilde inom två veckor.",
                "medarbetare",
                ["genomförandeplan", "dokumentation"],
                "",
            ),
            (
                "Följa upp efter sex veckor",
                "Samtal om hur det har blivit; planen justeras.",
                "enhetschef",
                [],
                "",
            ),
        ],
    },
    {
        "identifier": "PR-04",
        "title": "Antagning till Komvux",
        "purpose": "Att den som söker komvux får vägledning, ett snabbt besked och en studieplan som håller.",
        "owner": ("enhetschef", "Komvux Åby"),
        "applies_to": ["Vuxenutbildning"],
        "requirements": [("Skollagen (2010:800) – komvux", ["syv-tillgang", "syv-kartlaggning", "syv-studieplan"])],
        "focus_areas": ["studie-yrkesvagledning"],
        "status": ProcessStatus.DRAFT,
        "activities": [
            ("Ta emot ansökan", "Ansökningar tas emot löpande via webben.", "medarbetare", [], ""),
            (
                "Vägleda den sökande",
                "Studie- och yrkesvägledaren kartlägger tidigare utbildning och mål.",
                "medarbetare",
                [],
                "Arbetsförmedlingen när studierna ingår i en planering mot arbete",
            ),
            ("Besluta om antagning", "Rektor beslutar om antagning och prioritering.", "enhetschef", [], ""),
            (
                "Upprätta individuell studieplan",
                "Planen upprättas med eleven och följs upp varje kurs.",
                "medarbetare",
                [],
                "",
            ),
        ],
    },
]


def _routines(words: list[str]) -> list[Document]:
    if not words:
        return []
    condition = Q(pk__in=[])
    for word in words:
        condition |= Q(title__icontains=word)
    return list(Document.objects.filter(condition).order_by("title")[:3])


def _requirements(wanted: list[tuple[str, list[str]]]) -> list[Requirement]:
    found: list[Requirement] = []
    for code, identifiers in wanted:
        found += list(Requirement.objects.filter(framework__code=code, identifier__in=identifiers))
    return found


def load(units: dict[str, Unit], people: dict[str, User]) -> None:
    author = people.get("kvalitetssamordnare")
    if author is None:
        return
    roles = {r.slug: r for r in Role.objects.all()}
    for spec in PROCESSES:
        role_slug, unit_name = spec["owner"]
        if unit_name not in units or any(name not in units for name in spec["applies_to"]):
            continue
        focus_areas = FocusArea.objects.filter(key__in=spec["focus_areas"])
        process = process_services.process_create(
            by=author,
            identifier=spec["identifier"],
            title=spec["title"],
            purpose=spec["purpose"],
            owner_role=roles[role_slug],
            owner_unit=units[unit_name],
            applies_to=[units[name] for name in spec["applies_to"]],
            requirements=_requirements(spec["requirements"]),
            focus_areas=focus_areas,
        )
        for title, description, responsible, words, with_whom in spec["activities"]:
            process_services.activity_add(
                process=process,
                by=author,
                version=None,
                title=title,
                description=description,
                responsible_role=roles.get(responsible),
                routines=_routines(words),
                needs_collaboration=bool(with_whom),
                collaboration_with=with_whom,
            )
        if spec["status"] == ProcessStatus.ACTIVE:
            process_services.process_set_status(process=process, by=author, version=None, status=ProcessStatus.ACTIVE)
    _read_request(people)


def _read_request(people: dict[str, User]) -> None:
    """Ask for read confirmations of one approved routine the demo care worker is in scope of."""
    worker = people.get("medarbetare")
    if worker is None:
        return
    if reading.owed_by(worker).exists():
        return  # the document demo already asked for one
    candidates = Document.objects.in_force().select_related("current_version", "owner_unit").order_by("title")
    for document in candidates:
        version = document.current_version
        if ReadRequest.objects.filter(version=version).exists() or not reading.is_in_scope(worker, version):
            continue
        approvers = [
            p for name in ("enhetschef", "sektionschef", "forvaltningschef") if (p := people.get(name)) is not None
        ]
        approver = next((p for p in approvers if access.can(p, version, "request_reading")), None)
        if approver is None:
            continue
        reading.read_request_create(
            version=version,
            by=approver,
            due_on=timezone.localdate() + datetime.timedelta(days=21),
            message="Rutinen är uppdaterad. Läs igenom den och bekräfta senast datumet nedan.",
        )
        return
