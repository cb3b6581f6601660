"""Load the fictional municipality of Åby into an empty database.

Never under production settings; never over existing data. Every demo
person has the password ``demo``.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ledningssystem import access
from ledningssystem.history import save_tracked
from ledningssystem.models import Role, RoleAssignment, Unit, User
from ledningssystem.models.organisation import UnitKind

# Demo content of the quality management system, loaded in this order.
DEMO_LOADERS = ["requirements.demo", "processes.demo_documents", "processes.demo_processes", "reports.demo"]

# (name, kind, code, children)
ORGANISATION = (
    "Socialnämnden",
    UnitKind.COMMITTEE,
    "SN",
    [
        (
            "Socialförvaltningen",
            UnitKind.ADMINISTRATION,
            "SF",
            [
                (
                    "Äldreomsorg",
                    UnitKind.SECTION,
                    "ÄO",
                    [
                        ("Hemtjänst Norra", UnitKind.UNIT, "ÄO-101", []),
                        ("Hemtjänst Södra", UnitKind.UNIT, "ÄO-102", []),
                        (
                            "Särskilt boende Björken",
                            UnitKind.UNIT,
                            "ÄO-201",
                            [
                                ("Björken avdelning 1", UnitKind.UNIT, "ÄO-2011", []),
                                ("Björken avdelning 2", UnitKind.UNIT, "ÄO-2012", []),
                            ],
                        ),
                        ("Omsorgsboendet Solgläntan AB", UnitKind.EXTERNAL_PROVIDER, "EXT-01", []),
                    ],
                ),
                (
                    "Funktionsstöd",
                    UnitKind.SECTION,
                    "FS",
                    [
                        ("Gruppbostad Linden", UnitKind.UNIT, "FS-301", []),
                        ("Daglig verksamhet Verkstan", UnitKind.UNIT, "FS-302", []),
                        ("Personlig assistans", UnitKind.UNIT, "FS-303", []),
                    ],
                ),
                (
                    "Individ- och familjeomsorg",
                    UnitKind.SECTION,
                    "IFO",
                    [
                        ("Barn och unga", UnitKind.UNIT, "IFO-401", []),
                        ("Vuxen och beroende", UnitKind.UNIT, "IFO-402", []),
                        ("Ekonomiskt bistånd", UnitKind.UNIT, "IFO-403", []),
                    ],
                ),
                (
                    "Vuxenutbildning",
                    UnitKind.SECTION,
                    "VUX",
                    [
                        ("Komvux Åby", UnitKind.UNIT, "VUX-501", []),
                    ],
                ),
            ],
        ),
    ],
)

# username, first, last, title, role slug, unit name, staff/superuser
PEOPLE = [
    ("medarbetare", "Maja", "Lindqvist", "Undersköterska", "medarbetare", "Hemtjänst Norra", False),
    ("medarbetare2", "Omar", "Haddad", "Stödassistent", "medarbetare", "Gruppbostad Linden", False),
    ("enhetschef", "Eva", "Nordin", "Enhetschef hemtjänst", "enhetschef", "Hemtjänst Norra", False),
    ("sektionschef", "Sara", "Björk", "Sektionschef äldreomsorg", "sektionschef", "Äldreomsorg", False),
    ("forvaltningschef", "Fredrik", "Holm", "Socialchef", "forvaltningschef", "Socialförvaltningen", False),
    ("kvalitetssamordnare", "Karin", "Ek", "Kvalitetsutvecklare", "kvalitetssamordnare", "Socialförvaltningen", False),
    ("namndsekreterare", "Nils", "Sandberg", "Nämndsekreterare", "namndsekreterare", "Socialnämnden", False),
    ("namnd", "Anna", "Wester", "Ordförande socialnämnden", "namnd", "Socialnämnden", False),
    ("admin", "Ali", "Demir", "Systemförvaltare", "administrator", "Socialnämnden", True),
    # Colleagues so lists and scopes have something real to show.
    ("lena.berg", "Lena", "Berg", "Undersköterska", "medarbetare", "Hemtjänst Norra", False),
    ("jonas.ahl", "Jonas", "Åhl", "Undersköterska", "medarbetare", "Hemtjänst Södra", False),
    ("petra.sjo", "Petra", "Sjö", "Enhetschef hemtjänst", "enhetschef", "Hemtjänst Södra", False),
    ("mikael.strand", "Mikael", "Strand", "Enhetschef", "enhetschef", "Särskilt boende Björken", False),
    ("aisha.noor", "Aisha", "Noor", "Sjuksköterska", "medarbetare", "Björken avdelning 1", False),
    ("erik.falk", "Erik", "Falk", "Vårdbiträde", "medarbetare", "Björken avdelning 2", False),
    ("helena.dahl", "Helena", "Dahl", "Sektionschef funktionsstöd", "sektionschef", "Funktionsstöd", False),
    ("tomas.lund", "Tomas", "Lund", "Enhetschef", "enhetschef", "Gruppbostad Linden", False),
    ("sofia.karlsson", "Sofia", "Karlsson", "Enhetschef", "enhetschef", "Daglig verksamhet Verkstan", False),
    ("ingrid.ohman", "Ingrid", "Öhman", "Sektionschef IFO", "sektionschef", "Individ- och familjeomsorg", False),
    ("david.mattsson", "David", "Mattsson", "Socialsekreterare", "medarbetare", "Barn och unga", False),
    ("linnea.viklund", "Linnea", "Viklund", "Enhetschef", "enhetschef", "Barn och unga", False),
    ("maria.solglantan", "Maria", "Persson", "Verksamhetschef", "enhetschef", "Omsorgsboendet Solgläntan AB", False),
    ("goran.rektor", "Göran", "Ström", "Rektor", "enhetschef", "Komvux Åby", False),
]


class Command(BaseCommand):
    help = "Load the demo municipality into an empty database (development only)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is never loaded under production settings.")
        if Unit.objects.exists() or User.objects.exists():
            self.stdout.write("The database already holds data; demo data not loaded.")
            return
        with transaction.atomic():
            units: dict[str, Unit] = {}
            self._add(None, ORGANISATION, units)
            roles = {r.slug: r for r in Role.objects.all()}
            start = timezone.localdate() - datetime.timedelta(days=400)
            for username, first, last, title, role, unit, admin in PEOPLE:
                person = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    title=title,
                    email=f"{username}@aby.example",
                    is_staff=admin,
                    is_superuser=admin,
                )
                person.set_password("demo")
                save_tracked(person, by=None, reason="demo.loaded")
                assignment = RoleAssignment(person=person, role=roles[role], unit=units[unit], start_date=start)
                save_tracked(assignment, by=None, reason="demo.loaded")
            # A role that ended, so history and person pages show a past assignment.
            past = RoleAssignment(
                person=User.objects.get(username="lena.berg"),
                role=roles["medarbetare"],
                unit=units["Hemtjänst Södra"],
                start_date=start - datetime.timedelta(days=700),
                end_date=start - datetime.timedelta(days=1),
            )
            save_tracked(past, by=None, reason="demo.loaded")
            for person in User.objects.all():
                access.person_sync_access(person)
            self._deviations()
        self.stdout.write(
            self.style.SUCCESS(f"Demo municipality loaded: {len(units)} units, {len(PEOPLE)} people (password: demo).")
        )
        if apps.is_installed("requirements"):  # the shipped frameworks: SOSFS 2011:9, SOSFS 2011:5, Skollagen
            call_command("import_requirements", shipped=True, stdout=self.stdout)
        self._quality_management_system()

    def _quality_management_system(self) -> None:
        """Focus areas, responsibilities, routines and processes, each app's demo in turn.

        Each loader is ``load(units, people)`` with units by name and people by
        username; it runs after the shipped frameworks are imported.
        """
        units = {u.name: u for u in Unit.objects.all()}
        people = {p.username: p for p in User.objects.all()}
        for module_name in DEMO_LOADERS:
            if importlib.util.find_spec(module_name) is None:
                continue
            with transaction.atomic():
                importlib.import_module(module_name).load(units, people)

    def _deviations(self) -> None:
        """Reports across units and statuses, so every deviation page shows something real."""
        from deviations import services as deviation_services
        from deviations.defaults import ensure_default_categories
        from deviations.models import Category, Deviation

        ensure_default_categories()
        people = {u.username: u for u in User.objects.all()}
        units = {u.name: u for u in Unit.objects.all()}
        categories = {c.name: c for c in Category.objects.all()}
        now = timezone.now()
        # reporter, unit, days ago, category, consequence, text, measures, lex Sarah, steps, conclusion
        cases = [
            (
                "medarbetare",
                "Hemtjänst Norra",
                2,
                "Läkemedel",
                "minor",
                "Kvällsdosen i dosett låg kvar vid besöket kl. 21. Brukaren hade inte tagit den.",
                "Ringde sjuksköterskan, dosen gavs efter ordination.",
                False,
                0,
                "",
            ),
            (
                "lena.berg",
                "Hemtjänst Norra",
                5,
                "Vård och omsorg",
                "moderate",
                "Besöket kl. 07.30 uteblev eftersom schemat inte uppdaterats efter ändrad insats.",
                "Besöket gjordes kl. 09.10.",
                False,
                1,
                "",
            ),
            (
                "medarbetare",
                "Hemtjänst Norra",
                12,
                "Fall",
                "minor",
                "Brukaren halkade på badrumsgolvet vid dusch. Inga synliga skador.",
                "Hjälpte upp brukaren, kontaktade sjuksköterska.",
                False,
                2,
                "",
            ),
            (
                "medarbetare",
                "Hemtjänst Norra",
                40,
                "Dokumentation och informationsöverföring",
                "none",
                "Genomförandeplanen saknade uppgift om ny larmknapp.",
                "",
                False,
                3,
                "Genomförandeplanen är uppdaterad och rutinen för överlämning vid nya hjälpmedel har gåtts igenom "
                "på arbetsplatsträffen.",
            ),
            (
                "jonas.ahl",
                "Hemtjänst Södra",
                3,
                "Bemötande",
                "moderate",
                "En brukare berättade att en vikarie varit otrevlig och brådskande vid morgonbesöket.",
                "Samtal med brukaren samma dag.",
                False,
                1,
                "",
            ),
            (
                "aisha.noor",
                "Björken avdelning 1",
                1,
                "Läkemedel",
                "major",
                "Fel brukares läkemedel delades ut vid lunch. Upptäcktes direkt.",
                "Läkare kontaktad, brukaren observeras.",
                False,
                0,
                "",
            ),
            (
                "erik.falk",
                "Björken avdelning 2",
                8,
                "Hot och våld",
                "moderate",
                "En boende slog en annan boende i dagrummet.",
                "Boende separerades, anhöriga informerade.",
                False,
                2,
                "",
            ),
            (
                "medarbetare",
                "Hemtjänst Norra",
                1,
                "Vård och omsorg",
                "major",
                "Brukaren har vid flera besök lämnats utan mat eftersom insatsen för måltid inte utförts.",
                "Mat lagades direkt, enhetschef informerad.",
                True,
                0,
                "",
            ),
            (
                "medarbetare2",
                "Gruppbostad Linden",
                6,
                "Hjälpmedel och medicinteknik",
                "minor",
                "Taklyften i lägenhet 3 stannade halvvägs.",
                "Manuell förflyttning med två personal.",
                False,
                0,
                "",
            ),
            (
                "david.mattsson",
                "Barn och unga",
                15,
                "Handläggning och beslut",
                "moderate",
                "Utredningstiden på fyra månader överskreds utan beslut om förlängning.",
                "",
                False,
                2,
                "",
            ),
        ]
        # The older cases with the whole loop first, so references follow the dates.
        self._action_loop(people, units, categories)
        for reporter, unit, days, category, consequence, text, measures, lex, steps, conclusion in cases:
            deviation = deviation_services.deviation_report(
                by=people[reporter],
                unit=units[unit],
                occurred_at=now - datetime.timedelta(days=days, hours=2),
                description=text,
                immediate_measures=measures,
                category=categories[category],
                consequence=consequence,
                client_affected=True,
                is_lex_sarah=lex,
            )
            Deviation.objects.filter(pk=deviation.pk).update(reported_at=now - datetime.timedelta(days=days))
            managers = [
                "enhetschef",
                "petra.sjo",
                "mikael.strand",
                "tomas.lund",
                "linnea.viklund",
                "sektionschef",
                "helena.dahl",
                "ingrid.ohman",
            ]
            handler = next(
                people[m] for m in managers if access.has_capability(people[m], access.HANDLE_DEVIATIONS, units[unit])
            )
            if steps >= 1:
                deviation = deviation_services.deviation_receive(deviation=deviation, by=handler, version=None)
            if steps >= 2:
                deviation = deviation_services.deviation_start_investigation(
                    deviation=deviation, by=handler, version=None
                )
            if steps >= 3:
                deviation_services.deviation_close(deviation=deviation, by=handler, version=None, conclusion=conclusion)

    def _action_loop(self, people: dict, units: dict, categories: dict) -> None:
        """Cases with causes and actions at every stage, and lex Sarah cases on their own path."""
        try:
            import time_machine
        except ImportError as exc:  # the demo is for development installs
            raise CommandError("The demo needs the development dependencies: pip install -e '.[dev]'") from exc

        from actions import services as action_services
        from deviations import services as ds
        from deviations.models import CauseCategory

        causes = {c.name: c for c in CauseCategory.objects.all()}
        today = timezone.localdate()
        norra, björken = units["Hemtjänst Norra"], units["Björken avdelning 2"]
        eva, mikael = people["enhetschef"], people["mikael.strand"]
        fredrik, karin = people["forvaltningschef"], people["kvalitetssamordnare"]

        def at(days_ago: int) -> time_machine.travel:
            return time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago), tick=True)

        def reported(reporter: str, unit: Unit, category: str, text: str, measures: str, lex: bool = False) -> Any:
            return ds.deviation_report(
                by=people[reporter],
                unit=unit,
                occurred_at=timezone.now() - datetime.timedelta(hours=5),
                description=text,
                immediate_measures=measures,
                category=categories[category],
                consequence="moderate",
                client_affected=True,
                is_lex_sarah=lex,
            )

        def investigate(deviation: Any, handler: Any) -> Any:
            deviation = ds.deviation_receive(deviation=deviation, by=handler, version=None)
            return ds.deviation_start_investigation(deviation=deviation, by=handler, version=None)

        # 1. Closed after a verified effect: the whole loop, three months ago.
        with at(95):
            d1 = investigate(
                reported(
                    "lena.berg",
                    norra,
                    "Läkemedel",
                    "Kvällsdosen gavs inte på två kvällar i rad; signeringslistan var inte ifylld.",
                    "Sjuksköterskan kontaktades, dosen gavs enligt ordination.",
                ),
                eva,
            )
            d1 = ds.deviation_record_investigation(
                deviation=d1,
                by=eva,
                version=None,
                method="five_whys",
                findings="Signeringslistan låg i en pärm som kvällspersonalen inte använde. Överlämningen "
                "mellan dag och kväll tog inte upp läkemedel.",
                recurrence_risk="high",
                related=[],
            )
            c1 = ds.cause_add(
                deviation=d1,
                by=eva,
                category=causes["Rutiner och riktlinjer"],
                description="Rutinen för signering vid kvällsbesök var oklar.",
            )
            a1 = action_services.action_create(
                source=d1,
                by=eva,
                title="Signeringslista vid läkemedelsskåpet och genomgång på APT",
                description="Listan flyttas till skåpet; rutinen gås igenom på arbetsplatsträffen.",
                owner=people["lena.berg"],
                unit=norra,
                due_date=today - datetime.timedelta(days=75),
                effect_planned_on=today - datetime.timedelta(days=20),
                effect_measure="Inga missade kvällsdoser i avvikelserapporterna under två månader.",
                causes=[c1],
            )
            ds.deviation_start_actions(deviation=d1, by=eva, version=None)
        with at(80):
            a1 = action_services.action_complete(
                action=a1, by=people["lena.berg"], version=None, note="Listan sitter vid skåpet; APT 12 maj."
            )
            ds.deviation_start_follow_up(deviation=d1, by=eva, version=None)
        with at(20):
            action_services.action_record_effect(
                action=a1,
                by=eva,
                version=None,
                result="effective",
                comment="Inga nya rapporter om missade kvällsdoser sedan listan flyttades.",
            )
            d1 = ds.deviation_close(
                deviation=d1,
                by=eva,
                version=None,
                conclusion="Signeringslistan flyttades och rutinen gicks igenom. Uppföljningen visar inga nya "
                "missade doser.",
            )
            ds.deviation_record_learning(
                deviation=d1, by=eva, version=None, text="Rutiner ska finnas där arbetet görs, inte i en pärm."
            )

        # 2. Follow-up: the action is done, its effect not yet recorded.
        with at(30):
            d2 = investigate(
                reported(
                    "erik.falk",
                    björken,
                    "Fall",
                    "Boende föll vid förflyttning från säng till rullstol nattetid.",
                    "Boende undersöktes av sjuksköterska, inga skador.",
                ),
                mikael,
            )
            c2 = ds.cause_add(
                deviation=d2,
                by=mikael,
                category=causes["Kunskap och kompetens"],
                description="Nattpersonalen saknade utbildning i den nya lyften.",
            )
            a2 = action_services.action_create(
                source=d2,
                by=mikael,
                title="Utbildning i förflyttning med lyft för nattpersonal",
                description="",
                owner=mikael,
                unit=björken,
                due_date=today - datetime.timedelta(days=5),
                effect_planned_on=today + datetime.timedelta(days=30),
                effect_measure="Inga fall vid förflyttning nattetid under kommande månad.",
                causes=[c2],
            )
            ds.deviation_start_actions(deviation=d2, by=mikael, version=None)
        with at(6):
            action_services.action_complete(
                action=a2, by=mikael, version=None, note="Alla i nattpersonalen utbildade av arbetsterapeut."
            )
            ds.deviation_start_follow_up(deviation=d2, by=mikael, version=None)

        # 3. Actions under way, one of them overdue.
        with at(25):
            d3 = investigate(
                reported(
                    "medarbetare",
                    norra,
                    "Dokumentation och informationsöverföring",
                    "Ny brukare hade ingen genomförandeplan vid första besöket.",
                    "Uppgifter hämtades från biståndsbeslutet.",
                ),
                eva,
            )
            c3 = ds.cause_add(
                deviation=d3,
                by=eva,
                category=causes["Rutiner och riktlinjer"],
                description="Genomförandeplanen skrivs först efter två veckor.",
            )
            action_services.action_create(
                source=d3,
                by=eva,
                title="Preliminär genomförandeplan före första besöket",
                description="",
                owner=people["medarbetare"],
                unit=norra,
                due_date=today - datetime.timedelta(days=3),
                effect_planned_on=today + datetime.timedelta(days=45),
                effect_measure="Alla nya brukare har en plan vid första besöket (stickprov 10 ärenden).",
                causes=[c3],
            )
            action_services.action_create(
                source=d3,
                by=eva,
                title="Checklista för uppstart av nya insatser",
                description="",
                owner=eva,
                unit=norra,
                due_date=today + datetime.timedelta(days=14),
                effect_planned_on=None,
                effect_measure="",
                causes=[c3],
            )
            ds.deviation_start_actions(deviation=d3, by=eva, version=None)

        # 4. Lex Sarah: serious, notified to IVO, documented, actions under way.
        with at(21):
            lex = reported(
                "medarbetare",
                norra,
                "Vård och omsorg",
                "Brukaren hittades på morgonen på golvet; trygghetslarmet hade inte fungerat under natten.",
                "Ambulans larmades; brukaren fick vård.",
                lex=True,
            )
            lex = ds.lex_record_protective_measures(
                deviation=lex,
                by=fredrik,
                version=None,
                text="Extra tillsynsbesök varje natt tills larmet bytts; larmet testas dagligen.",
            )
            lex = investigate(lex, fredrik)
        entries = [
            (
                20,
                "what_reported",
                "fact",
                "Rapporten från nattpersonalen",
                "Brukaren låg på golvet i cirka sex timmar. Brukaren fick vård på sjukhus och är nu hemma.",
            ),
            (19, "when_noticed", "fact", "Samtal med morgonpersonal", "Upptäcktes vid morgonbesöket kl. 07.10."),
            (
                15,
                "causes",
                "assessment",
                "Leverantörens felrapport",
                "Larmets batteri var urladdat; larmet hade inte testats sedan installationen.",
            ),
            (12, "remedies", "fact", "Beställning hos larmleverantören", "Nytt larm installerat och testat."),
        ]
        for days_ago, topic, kind, source, text in entries:
            with at(days_ago):
                ds.lex_add_entry(
                    deviation=lex,
                    by=fredrik,
                    documented_on=timezone.localdate(),
                    topic=topic,
                    kind=kind,
                    source=source,
                    text=text,
                    author_title="Socialchef",
                )
        with at(18):
            lex = ds.lex_assess(
                deviation=lex,
                by=fredrik,
                version=None,
                assessment="serious",
                reason="Brukarens liv och hälsa hotades när larmet inte fungerade.",
            )
        with at(16):
            lex = ds.lex_record_ivo_notification(
                deviation=lex,
                by=karin,
                version=None,
                notified_on=timezone.localdate(),
                reference="8.5-41277/2026",
                decided_by=fredrik,
            )
            lex_cause = ds.cause_add(
                deviation=lex,
                by=fredrik,
                category=causes["Teknik, utrustning och miljö"],
                description="Det fanns ingen rutin för att testa trygghetslarm regelbundet.",
            )
            action_services.action_create(
                source=lex,
                by=fredrik,
                title="Rutin för månatlig kontroll av trygghetslarm",
                description="",
                owner=eva,
                unit=norra,
                due_date=today + datetime.timedelta(days=10),
                effect_planned_on=today + datetime.timedelta(days=100),
                effect_measure="Alla larm testade varje månad (kontrollista).",
                causes=[lex_cause],
            )
            ds.deviation_start_actions(deviation=lex, by=fredrik, version=None)

    def _add(self, parent: Unit | None, node: tuple, units: dict[str, Unit]) -> None:
        name, kind, code, children = node
        unit = Unit(name=name, kind=kind, code=code, parent=parent)
        unit._history_user = None  # type: ignore[attr-defined]
        unit._change_reason = "demo.loaded"  # type: ignore[attr-defined]
        unit = Unit.add_root(instance=unit) if parent is None else parent.add_child(instance=unit)
        units[name] = unit
        for child in children:
            self._add(Unit.objects.get(pk=unit.pk), child, units)
