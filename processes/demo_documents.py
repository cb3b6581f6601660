"""Routines and guidelines of the demo municipality Åby, in several states.

Called by ``load_demo`` as ``load(units, people)`` after the shipped
frameworks (and the demo focus areas) exist. Everything goes through the
services, so history, identifiers and review dates are as in real use.
Dates are set by travelling back in time: most documents were approved
months ago, one is past its review date, one is due within the notice
period. Links to requirements and focus areas that do not exist are skipped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.utils import timezone

from ledningssystem.models import Role
from processes import documents
from requirements.models import FocusArea, Requirement

SOSFS_9 = "SOSFS 2011:9"
SOSFS_5 = "SOSFS 2011:5"
SKOLLAGEN = "Skollagen (2010:800) – komvux"


@dataclass
class Spec:
    title: str
    kind: str
    body: str
    owner: tuple[str, str]  # (role slug, unit name)
    applies_to: list[str]
    writer: str
    approver: str
    decision: str = ""
    state: str = "approved"  # approved, in_review, new_draft, overdue, due_soon, withdrawn, revised
    approved_days_ago: int = 200
    interval: int = 12
    requirements: list[tuple[str, str]] = field(default_factory=list)
    focus_areas: list[str] = field(default_factory=list)
    new_body: str = ""
    new_note: str = ""


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _ul(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


SPECS = [
    Spec(
        title="Rutin för avvikelsehantering",
        kind="routine",
        owner=("kvalitetssamordnare", "Socialförvaltningen"),
        applies_to=["Socialförvaltningen"],
        writer="kvalitetssamordnare",
        approver="forvaltningschef",
        decision="SN {date} § 41",
        state="revised",
        approved_days_ago=380,
        body="<h2>Syfte</h2>"
        + _p("Rutinen ska se till att fel och brister i verksamheten upptäcks, rapporteras och rättas till.")
        + "<h2>Så gör du</h2>"
        + _ul(
            "Rapportera avvikelsen i ledningssystemet samma dag som du upptäcker den.",
            "Beskriv vad som hände och vad du gjorde direkt.",
            "Enhetschefen tar emot rapporten, utreder orsaken och beslutar om åtgärder.",
        )
        + "<h2>Uppföljning</h2>"
        + _p("Kvalitetssamordnaren sammanställer avvikelserna varje kvartal och letar efter mönster."),
        new_body="<h2>Syfte</h2>"
        + _p("Rutinen ska se till att fel och brister i verksamheten upptäcks, rapporteras och rättas till.")
        + "<h2>Så gör du</h2>"
        + _ul(
            "Rapportera avvikelsen i ledningssystemet genast, senast samma arbetspass.",
            "Beskriv vad som hände och vad du gjorde direkt för att skydda den enskilde.",
            "Enhetschefen tar emot rapporten inom tre arbetsdagar, utreder orsaken och beslutar om åtgärder.",
        )
        + "<h2>Uppföljning</h2>"
        + _p(
            "Kvalitetssamordnaren sammanställer avvikelserna varje kvartal och letar efter mönster.",
            "Resultatet redovisas i kvalitetsberättelsen.",
        ),
        new_note="Kortare tid för mottagande och rapportering genast.",
        requirements=[(SOSFS_9, "5:4"), (SOSFS_9, "5:5"), (SOSFS_9, "5:6"), (SOSFS_9, "5:7"), (SOSFS_9, "6:2")],
        focus_areas=["avvikelser"],
    ),
    Spec(
        title="Rutin för lex Sarah",
        kind="routine",
        owner=("kvalitetssamordnare", "Socialförvaltningen"),
        applies_to=["Socialförvaltningen"],
        writer="kvalitetssamordnare",
        approver="forvaltningschef",
        decision="SN {date} § 62",
        approved_days_ago=190,
        body="<h2>Din skyldighet</h2>"
        + _p(
            "Den som arbetar hos oss ska <strong>genast</strong> rapportera missförhållanden och påtagliga risker "
            "för missförhållanden som rör den som får stöd eller omsorg."
        )
        + "<h2>Så går det till</h2>"
        + _ul(
            "Se först till att den enskilde är skyddad.",
            "Rapportera till närmaste chef eller via lex Sarah-rapporten i ledningssystemet.",
            "Den som utreder dokumenterar utredningen utan dröjsmål.",
            "Allvarliga missförhållanden anmäls till IVO snarast.",
        ),
        requirements=[
            (SOSFS_5, "rutiner-information"),
            (SOSFS_5, "skydda-enskilde"),
            (SOSFS_5, "5:dokumentation"),
            (SOSFS_9, "6:2"),
        ],
        focus_areas=["avvikelser"],
    ),
    Spec(
        title="Riktlinje för dokumentation",
        kind="guideline",
        owner=("kvalitetssamordnare", "Socialförvaltningen"),
        applies_to=["Socialförvaltningen"],
        writer="kvalitetssamordnare",
        approver="forvaltningschef",
        decision="SN {date} § 97",
        approved_days_ago=160,
        interval=24,
        body="<h2>Varför vi dokumenterar</h2>"
        + _p("Dokumentationen visar vad som beslutats och gjorts och ger den enskilde insyn.")
        + "<h2>Grundregler</h2>"
        + _ul(
            "Skriv sakligt, kortfattat och begripligt.",
            "Skilj på vad du sett och hört och vad du bedömer.",
            "Dokumentera i direkt anslutning till händelsen.",
        ),
        requirements=[(SOSFS_9, "6:3")],
        focus_areas=["handlaggning-dokumentation"],
    ),
    Spec(
        title="Rutin för synpunkter och klagomål",
        kind="routine",
        owner=("kvalitetssamordnare", "Socialförvaltningen"),
        applies_to=["Socialförvaltningen"],
        writer="kvalitetssamordnare",
        approver="forvaltningschef",
        decision="SN {date} § 63",
        approved_days_ago=185,
        body="<h2>Ta emot</h2>"
        + _p("Alla medarbetare tar emot synpunkter och klagomål, muntligt eller skriftligt, och registrerar dem.")
        + "<h2>Svara</h2>"
        + _p("Den som lämnat synpunkten får en bekräftelse och, när det är möjligt, ett svar inom två veckor.")
        + "<h2>Lära</h2>"
        + _p("Enhetschefen går igenom synpunkterna på arbetsplatsträffen varje månad."),
        requirements=[(SOSFS_9, "5:3"), (SOSFS_9, "5:6")],
        focus_areas=["synpunkter-klagomal"],
    ),
    Spec(
        title="Rutin för delegering av hälso- och sjukvårdsuppgifter",
        kind="routine",
        owner=("kvalitetssamordnare", "Socialförvaltningen"),
        applies_to=["Äldreomsorg", "Funktionsstöd"],
        writer="kvalitetssamordnare",
        approver="forvaltningschef",
        state="in_review",
        body="<h2>Omfattning</h2>"
        + _p("Rutinen gäller när legitimerad personal delegerar en hälso- och sjukvårdsuppgift till omsorgspersonal.")
        + "<h2>Krav för delegering</h2>"
        + _ul(
            "Medarbetaren har fått utbildning och visat att hen kan utföra uppgiften.",
            "Delegeringen är skriftlig, personlig och tidsbegränsad till högst ett år.",
            "Den som delegerar följer upp delegeringen regelbundet.",
        ),
        requirements=[(SOSFS_9, "6:3")],
        focus_areas=["kvalitetssakring-insatser"],
    ),
    Spec(
        title="Rutin vid hot och våld",
        kind="routine",
        owner=("kvalitetssamordnare", "Socialförvaltningen"),
        applies_to=["Socialförvaltningen"],
        writer="kvalitetssamordnare",
        approver="forvaltningschef",
        decision="SN {date} § 118",
        state="overdue",
        approved_days_ago=385,
        body="<h2>Förebygga</h2>"
        + _p("Varje enhet gör en riskbedömning av hot och våld minst en gång per år.")
        + "<h2>När något händer</h2>"
        + _ul(
            "Lämna platsen om du är i fara och larma 112.",
            "Kontakta din chef så snart du kan.",
            "Rapportera händelsen som en avvikelse och som arbetsskada.",
        ),
        requirements=[(SOSFS_9, "5:1")],
        focus_areas=["riskanalyser"],
    ),
    Spec(
        title="Introduktion av nyanställda",
        kind="instruction",
        owner=("enhetschef", "Hemtjänst Norra"),
        applies_to=["Hemtjänst Norra"],
        writer="kvalitetssamordnare",
        approver="enhetschef",
        decision="Enhetschefsbeslut {date}",
        state="new_draft",
        approved_days_ago=150,
        body="<h2>Första veckan</h2>"
        + _ul(
            "Genomgång av ledningssystemet och var rutinerna finns.",
            "Två pass tillsammans med en erfaren kollega.",
            "Genomgång av rutin för avvikelsehantering och lex Sarah.",
        )
        + "<h2>Efter en månad</h2>"
        + _p("Uppföljningssamtal med enhetschefen."),
        new_body="<h2>Första veckan</h2>"
        + _ul(
            "Genomgång av ledningssystemet och var rutinerna finns.",
            "Tre pass tillsammans med en erfaren kollega.",
            "Genomgång av rutin för avvikelsehantering och lex Sarah.",
            "Läskvittens på de rutiner som gäller enheten.",
        )
        + "<h2>Efter en månad</h2>"
        + _p("Uppföljningssamtal med enhetschefen."),
        new_note="Fler introduktionspass och läskvittens.",
        requirements=[(SOSFS_9, "6:1"), (SOSFS_9, "6:3")],
        focus_areas=["personal-kompetens"],
    ),
    Spec(
        title="Riktlinje för samverkan kring SIP",
        kind="guideline",
        owner=("kvalitetssamordnare", "Socialförvaltningen"),
        applies_to=["Socialförvaltningen"],
        writer="kvalitetssamordnare",
        approver="forvaltningschef",
        decision="SN {date} § 19",
        approved_days_ago=280,
        body="<h2>Samordnad individuell plan</h2>"
        + _p(
            "När den enskilde behöver insatser från både kommunen och regionen ska en SIP erbjudas. "
            "Den som först ser behovet tar initiativet."
        )
        + _ul(
            "Den enskilde ska samtycka och vara delaktig.",
            "Planen anger vem som gör vad och vem som har huvudansvaret.",
            "Planen följs upp på det datum som står i planen.",
        ),
        requirements=[(SOSFS_9, "4:5"), (SOSFS_9, "4:6")],
        focus_areas=["samverkan"],
    ),
    Spec(
        title="Rutin för egenkontroll",
        kind="routine",
        owner=("kvalitetssamordnare", "Socialförvaltningen"),
        applies_to=["Socialförvaltningen"],
        writer="kvalitetssamordnare",
        approver="forvaltningschef",
        decision="SN {date} § 131",
        state="due_soon",
        approved_days_ago=350,
        body="<h2>Planera</h2>"
        + _p("Varje enhet har en plan för egenkontroll som följer årshjulet.")
        + "<h2>Genomföra</h2>"
        + _ul("Journalgranskning två gånger per år.", "Observation av måltidssituationen.", "Brukarenkät årligen.")
        + "<h2>Följa upp</h2>"
        + _p("Brister blir åtgärder med ansvarig och datum."),
        requirements=[(SOSFS_9, "5:2"), (SOSFS_9, "5:2-AR")],
        focus_areas=["uppfoljning-egenkontroll"],
    ),
    Spec(
        title="Plan för kompetensförsörjning",
        kind="plan",
        owner=("forvaltningschef", "Socialförvaltningen"),
        applies_to=["Socialförvaltningen"],
        writer="kvalitetssamordnare",
        approver="forvaltningschef",
        decision="SN {date} § 50",
        approved_days_ago=220,
        interval=36,
        body="<h2>Mål</h2>"
        + _p("Förvaltningen ska ha medarbetare med rätt kompetens för de insatser vi ger.")
        + "<h2>Insatser 2024–2027</h2>"
        + _ul(
            "Validering och undersköterskeutbildning via Komvux.",
            "Introduktionsprogram för alla nyanställda.",
            "Handledning för nya socialsekreterare.",
        ),
        requirements=[(SOSFS_9, "6:1")],
        focus_areas=["personal-kompetens"],
    ),
    Spec(
        title="Komvux: Rutin för studie- och yrkesvägledning",
        kind="routine",
        owner=("enhetschef", "Komvux Åby"),
        applies_to=["Komvux Åby"],
        writer="kvalitetssamordnare",
        approver="goran.rektor",
        decision="Rektorsbeslut {date}",
        approved_days_ago=170,
        body="<h2>Alla elever får vägledning</h2>"
        + _p("Varje ny elev erbjuds ett vägledningssamtal innan studierna börjar.")
        + _ul(
            "Tidigare utbildning och erfarenhet kartläggs.",
            "En individuell studieplan upprättas och följs upp varje termin.",
        ),
        requirements=[
            (SKOLLAGEN, "syv-tillgang"),
            (SKOLLAGEN, "syv-kartlaggning"),
            (SKOLLAGEN, "syv-studieplan"),
        ],
        focus_areas=["studie-yrkesvagledning"],
    ),
    Spec(
        title="Komvux: Rutin för elevers klagomål",
        kind="routine",
        owner=("enhetschef", "Komvux Åby"),
        applies_to=["Komvux Åby"],
        writer="kvalitetssamordnare",
        approver="goran.rektor",
        decision="Rektorsbeslut {date}",
        approved_days_ago=170,
        body="<h2>Så lämnar du klagomål</h2>"
        + _p("Elever kan lämna klagomål till läraren, rektor eller via kommunens webbformulär.")
        + "<h2>Hantering</h2>"
        + _p("Rektor utreder klagomålet, svarar eleven och vidtar åtgärder om det behövs."),
        requirements=[(SKOLLAGEN, "klagomal-rutiner")],
        focus_areas=["vux-synpunkter-klagomal"],
    ),
    Spec(
        title="Rutin för nyckelhantering i hemtjänsten",
        kind="routine",
        owner=("enhetschef", "Hemtjänst Norra"),
        applies_to=["Hemtjänst Norra"],
        writer="kvalitetssamordnare",
        approver="enhetschef",
        decision="Enhetschefsbeslut {date}",
        state="withdrawn",
        approved_days_ago=360,
        body="<h2>Nycklar</h2>" + _p("Nycklar kvitteras ut och in i nyckelpärmen vid varje pass."),
    ),
]


def _at(days_ago: int) -> Any:
    return time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago), tick=True)


def _links(spec: Spec, focus_by_key: dict[str, FocusArea]) -> tuple[list[Requirement], list[FocusArea]]:
    requirements = []
    for code, identifier in spec.requirements:
        requirement = Requirement.objects.filter(framework__code=code, identifier=identifier).first()
        if requirement is not None:
            requirements.append(requirement)
    return requirements, [focus_by_key[k] for k in spec.focus_areas if k in focus_by_key]


def _approve(document: Any, spec: Spec, people: dict[str, Any], decision: str) -> None:
    version = document.versions.get(status__in=["draft", "in_review"])
    if version.status == "draft":
        version = documents.version_submit(version=version, by=people[spec.writer], lock_version=None)
    documents.version_approve(
        version=version,
        by=people[spec.approver],
        lock_version=None,
        decision_reference=decision.format(date=timezone.localdate().isoformat()),
    )


def load(units: dict[str, Any], people: dict[str, Any]) -> None:
    roles = {r.slug: r for r in Role.objects.all()}
    focus_by_key = {f.key: f for f in FocusArea.objects.filter(is_active=True).order_by("-unit__depth")}
    for spec in SPECS:
        requirements, focus_areas = _links(spec, focus_by_key)
        # Written a little before approval; drafts and reviews were written recently.
        days_ago = spec.approved_days_ago if spec.state != "in_review" else 12
        with _at(days_ago + 10):
            document = documents.document_create(
                by=people[spec.writer],
                kind=spec.kind,
                title=spec.title,
                owner_role=roles[spec.owner[0]],
                owner_unit=units[spec.owner[1]],
                applies_to=[units[name] for name in spec.applies_to],
                review_interval_months=spec.interval,
                body=spec.body,
                requirements=requirements,
                focus_areas=focus_areas,
            )
        if spec.state == "in_review":
            with _at(days_ago):
                version = document.versions.get()
                documents.version_submit(version=version, by=people[spec.writer], lock_version=None)
            continue
        with _at(spec.approved_days_ago):
            _approve(document, spec, people, spec.decision)
        document.refresh_from_db()
        if spec.state in {"revised", "new_draft"}:
            with _at(min(spec.approved_days_ago, 40)):
                draft = documents.document_start_draft(document=document, by=people[spec.writer], version=None)
                documents.version_save_draft(
                    version=draft,
                    by=people[spec.writer],
                    lock_version=None,
                    title=spec.title,
                    body=spec.new_body,
                    change_note=spec.new_note,
                )
            if spec.state == "revised":
                with _at(30):
                    document.refresh_from_db()
                    _approve(document, spec, people, "SN {date} § 88")
        elif spec.state == "withdrawn":
            with _at(20):
                documents.document_withdraw(
                    document=document,
                    by=people[spec.approver],
                    version=None,
                    reason="Ersatt av digitala lås; nycklar hanteras inte längre på enheten.",
                )
