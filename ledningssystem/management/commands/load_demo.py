"""Load the fictional municipality of Åby into an empty database.

Never under production settings; never over existing data. Every demo
person has the password ``demo``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ledningssystem import access
from ledningssystem.history import save_tracked
from ledningssystem.models import Role, RoleAssignment, Unit, User
from ledningssystem.models.organisation import UnitKind

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

    def _add(self, parent: Unit | None, node: tuple, units: dict[str, Unit]) -> None:
        name, kind, code, children = node
        unit = Unit(name=name, kind=kind, code=code, parent=parent)
        unit._history_user = None  # type: ignore[attr-defined]
        unit._change_reason = "demo.loaded"  # type: ignore[attr-defined]
        unit = Unit.add_root(instance=unit) if parent is None else parent.add_child(instance=unit)
        units[name] = unit
        for child in children:
            self._add(Unit.objects.get(pk=unit.pk), child, units)
