"""Generate a realistic volume of deviations on top of an existing organisation.

For benchmarks and demonstrations, never production. See ``Command.help``.
"""

from __future__ import annotations

import bisect
import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import reset_queries, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from actions.models import Action, ActionStatus, EffectResult
from deviations.defaults import ensure_default_categories
from deviations.models import (
    Assessment,
    Category,
    CauseCategory,
    Consequence,
    Deviation,
    EntryKind,
    IdentifiedCause,
    InvestigationEntry,
    InvestigationMethod,
    RecurrenceRisk,
    ReferenceCounter,
    RequiredContent,
    Status,
)
from deviations.services import REFERENCE_PREFIX
from ledningssystem import access
from ledningssystem.models import RoleAssignment, Unit, User
from ledningssystem.models.organisation import UnitKind

HISTORY_REASON = "demo.loaded"
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

# Reports per month relative to the mean: summer (temporary staff) and the
# dark winter weeks bring more.
SEASON = {1: 1.05, 2: 1.0, 3: 0.98, 4: 0.94, 5: 0.95, 6: 1.08, 7: 1.25, 8: 1.18, 9: 0.98, 10: 0.96, 11: 1.0, 12: 1.06}
# Reporting culture improves: each year a few per cent more reports.
YEARLY_GROWTH = 0.07
# Most reports are written during the day and evening shifts.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 9, 9, 8, 7, 6, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1]

# Default taxonomy names → relative frequency. Terms an organisation added get 3.
CATEGORY_WEIGHTS = {
    "Vård och omsorg": 24,
    "Läkemedel": 22,
    "Fall": 17,
    "Dokumentation och informationsöverföring": 9,
    "Bemötande": 6,
    "Hot och våld": 6,
    "Hjälpmedel och medicinteknik": 4,
    "Handläggning och beslut": 3,
    "Samverkan": 3,
    "Sekretess och dataskydd": 2,
    "Brand och säkerhet": 1,
    "Övrigt": 3,
}
CONSEQUENCE_WEIGHTS = {
    Consequence.NONE: 30,
    Consequence.MINOR: 40,
    Consequence.MODERATE: 17,
    Consequence.UNKNOWN: 8,
    Consequence.MAJOR: 4.5,
    Consequence.CATASTROPHIC: 0.5,
}
LEX_CONSEQUENCE_WEIGHTS = {
    Consequence.MINOR: 20,
    Consequence.MODERATE: 40,
    Consequence.MAJOR: 25,
    Consequence.UNKNOWN: 10,
    Consequence.CATASTROPHIC: 5,
}
ASSESSMENT_WEIGHTS = {
    Assessment.NOT_MISSFORHALLANDE: 30,
    Assessment.MISSFORHALLANDE: 25,
    Assessment.RISK: 20,
    Assessment.SERIOUS: 15,
    Assessment.SERIOUS_RISK: 10,
}
EFFECT_WEIGHTS = {EffectResult.EFFECTIVE: 65, EffectResult.PARTLY: 27, EffectResult.NOT_EFFECTIVE: 8}

DESCRIPTIONS = {
    "Vård och omsorg": [
        "Planerat besök uteblev eftersom schemat inte var uppdaterat.",
        "Dusch enligt genomförandeplan blev inte av under veckan.",
        "Brukaren fick inte hjälp med måltiden i tid.",
        "Insatsen tillsyn nattetid utfördes inte.",
    ],
    "Läkemedel": [
        "Kvällsdosen låg kvar i dosetten vid besöket.",
        "Fel tidpunkt för läkemedel, gavs två timmar för sent.",
        "Signeringslistan saknade signatur för morgondosen.",
        "Läkemedel förväxlades mellan två brukare, upptäcktes direkt.",
    ],
    "Fall": [
        "Brukaren hittades sittande på golvet i sovrummet.",
        "Brukaren halkade i badrummet vid förflyttning.",
        "Fall från säng under natten, inga synliga skador.",
    ],
    "Dokumentation och informationsöverföring": [
        "Genomförandeplanen var inte uppdaterad efter ändrat beslut.",
        "Information om ändrad kost nådde inte kvällspersonalen.",
        "Överrapporteringen mellan passen blev inte av.",
    ],
    "Bemötande": [
        "Brukaren upplevde att personalen var stressad och otrevlig.",
        "Anhörig framförde att brukaren inte blev lyssnad på.",
    ],
    "Hot och våld": [
        "En boende slog en annan boende i dagrummet.",
        "Brukaren hotade personal vid hembesöket.",
    ],
    "Hjälpmedel och medicinteknik": [
        "Taklyften stannade halvvägs under förflyttning.",
        "Trygghetslarmet fungerade inte vid test.",
    ],
    "Handläggning och beslut": [
        "Utredningstiden överskreds utan beslut om förlängning.",
        "Beslutet verkställdes inte inom tre månader.",
    ],
}
GENERIC_DESCRIPTIONS = [
    "Händelsen upptäcktes vid ordinarie besök och rapporterades samma dag.",
    "Rutinen följdes inte, vilket kunde ha fått följder för brukaren.",
]
MEASURES = [
    "",
    "Kontaktade sjuksköterskan.",
    "Informerade enhetschefen.",
    "Åtgärdat direkt på plats.",
    "Anhöriga informerades.",
]
CAUSE_TEXTS = [
    "Rutinen var inte känd av all personal.",
    "Informationen nådde inte fram vid passbytet.",
    "Vikarie saknade introduktion i arbetssättet.",
    "Hög arbetsbelastning under helgen.",
    "Hjälpmedlet hade inte kontrollerats enligt plan.",
    "Ansvarsfördelningen var otydlig.",
]
ACTION_TITLES = [
    "Gå igenom rutinen på arbetsplatsträff",
    "Uppdatera genomförandeplanen",
    "Inför checklista vid passbyte",
    "Utbilda vikarier i läkemedelshantering",
    "Se över bemanningen helger",
    "Kontrollera hjälpmedel varje månad",
    "Förtydliga ansvarsfördelningen i rutinen",
]
EFFECT_MEASURES = [
    "Uppföljning av antal liknande avvikelser under tre månader.",
    "Stickprov i signeringslistor.",
    "Samtal med personalgruppen vid nästa APT.",
]


@dataclass
class Scope:
    """Who is at a unit: reporters, everyone, handlers above it."""

    unit: Unit
    reporters: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    handlers: list[int] = field(default_factory=list)
    lex_handlers: list[int] = field(default_factory=list)


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _hours(rng: random.Random, mean: float, minimum: float = 1.0) -> datetime.timedelta:
    return datetime.timedelta(hours=minimum + rng.expovariate(1 / mean))


class Command(BaseCommand):
    help = (
        "Generate a realistic volume of deviations (default 200,000 over five years) on top of the existing "
        "organisation, with lex Sarah assessments, IVO notifications, identified causes and actions with "
        "effect follow-up. Statuses agree with the dates as of today. Deterministic for a given --seed and "
        "organisation. Development and benchmarks only: refused under production settings. "
        "History: each generated deviation, cause, action and investigation entry gets exactly one "
        "'created' history row (simple_history's bulk_create_with_history, reason 'demo.loaded', dated "
        "when the row was created, by its author), so history pages and audit queries run against tables "
        "of a realistic size and say where the data came from; replaying every workflow step as its own "
        "history row would triple the write time for nothing a benchmark reads. Pass --no-history to skip "
        "history rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--deviations", type=int, default=200_000, help="How many deviations (200,000).")
        parser.add_argument("--years", type=int, default=5, help="Spread over this many years up to today (5).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--batch-size", type=int, default=5_000, help="Rows per bulk insert (5,000).")
        parser.add_argument(
            "--lex-share", type=float, default=0.01, help="Share of reports that are lex Sarah reports (0.01)."
        )
        parser.add_argument("--no-history", action="store_true", help="Write no history rows.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Generated deviations are never written under production settings.")
        count, years, batch_size = options["deviations"], options["years"], options["batch_size"]
        if count < 1 or years < 1 or batch_size < 1:
            raise CommandError("--deviations, --years and --batch-size must be positive.")
        self.rng = random.Random(options["seed"])  # noqa: S311 - test data, not secrets
        self.history = not options["no_history"]
        self.lex_share = options["lex_share"]
        if not 0 <= self.lex_share <= 1:
            raise CommandError("--lex-share must be between 0 and 1.")
        self.batch_size = batch_size
        started = time.perf_counter()
        ensure_default_categories()
        scopes = self._scopes()
        self._taxonomy()
        self.anchor = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        self.today = self.anchor.date()
        self.deviation_type = ContentType.objects.get_for_model(Deviation)

        reported = self._reported_times(count, years)
        # A unit reports in proportion to the people working there, times its own
        # factor (some units have a stronger reporting culture, or more risk).
        unit_weights = [len(s.reporters) * self.rng.lognormvariate(0, 0.6) for s in scopes]
        unit_profiles = [self._category_profile() for _ in scopes]
        per_year: dict[int, int] = defaultdict(int)
        for moment in reported:
            per_year[moment.year] += 1
        self.people = {u.pk: u for u in User.objects.filter(pk__in={p for s in scopes for p in s.members})}

        cumulative = list(_accumulate(unit_weights))
        totals: dict[str, int] = defaultdict(int)
        # All or nothing. The counters stay locked until the end, so a report
        # made meanwhile waits for its number rather than colliding.
        with transaction.atomic():
            first_number = self._reserve_references(per_year)
            for start in range(0, count, batch_size):
                plans = []
                for moment in reported[start : start + batch_size]:
                    index = bisect.bisect(cumulative, self.rng.random() * cumulative[-1])
                    index = min(index, len(scopes) - 1)
                    number = first_number[moment.year]
                    first_number[moment.year] += 1
                    reference = f"{REFERENCE_PREFIX}-{moment.year}-{number:05d}"
                    plans.append(self._plan(reference, moment, scopes[index], unit_profiles[index]))
                for key, value in self._write(plans).items():
                    totals[key] += value
                reset_queries()  # under DEBUG, Django would keep every multi-megabyte INSERT in memory
                done = min(start + batch_size, count)
                self.stdout.write(f"  {done:>9,} / {count:,} deviations ({time.perf_counter() - started:.0f} s)")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {count:,} deviations ({totals['lex']:,} lex Sarah, {totals['ivo']:,} notified to IVO), "
                f"{totals['causes']:,} causes and {totals['actions']:,} actions in {elapsed:.1f} s."
            )
        )

    # --- The organisation ---------------------------------------------------

    def _scopes(self) -> list[Scope]:
        """Units where someone can report, with the people who report, act and handle there."""
        assignments = list(
            RoleAssignment.objects.active(timezone.localdate())
            .filter(person__is_active=True, unit__is_active=True)
            .select_related("unit")
            .prefetch_related("role__permissions")
            .order_by("unit__path", "person_id", "pk")
        )
        if not assignments:
            raise CommandError(
                "No organisation found: there are no people with an active role. Load one first, "
                "e.g. `manage.py load_demo`, then run this command again."
            )
        scopes: dict[str, Scope] = {}
        holders: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for a in assignments:
            codenames = {p.codename for p in a.role.permissions.all()}
            scope = scopes.setdefault(a.unit.path, Scope(unit=a.unit))
            if a.person_id not in scope.members:
                scope.members.append(a.person_id)
            if access.REPORT_DEVIATIONS in codenames and a.person_id not in scope.reporters:
                scope.reporters.append(a.person_id)
            for capability in (access.HANDLE_DEVIATIONS, access.HANDLE_LEX_SARAH):
                if capability in codenames and a.person_id not in holders[a.unit.path][capability]:
                    holders[a.unit.path][capability].append(a.person_id)
        reporting = [s for s in scopes.values() if s.reporters]
        # Reports come from the units where the work is done; sections and
        # administrations report only when nothing else can.
        operative = [s for s in reporting if s.unit.kind in (UnitKind.UNIT, UnitKind.EXTERNAL_PROVIDER)]
        chosen = operative or reporting
        if not chosen:
            raise CommandError(
                "No organisation found: nobody holds a role that may report deviations. Load one first, "
                "e.g. `manage.py load_demo`, then run this command again."
            )
        for scope in chosen:
            # Closest first: the unit's own manager handles its reports.
            for path in [scope.unit.path, *reversed(scope.unit.ancestor_paths)]:
                scope.handlers += holders.get(path, {}).get(access.HANDLE_DEVIATIONS, [])
                scope.lex_handlers += holders.get(path, {}).get(access.HANDLE_LEX_SARAH, [])
        return chosen

    def _taxonomy(self) -> None:
        self.categories = list(Category.objects.filter(is_active=True).order_by("pk"))
        self.cause_categories = list(CauseCategory.objects.filter(is_active=True).order_by("pk"))
        if not self.categories or not self.cause_categories:
            raise CommandError("No active deviation or cause categories: add some in the admin first.")

    def _category_profile(self) -> list[float]:
        """Each unit leans its own way (a home care unit is not a group home)."""
        return [CATEGORY_WEIGHTS.get(c.name, 3) * self.rng.lognormvariate(0, 0.6) for c in self.categories]

    # --- Time -----------------------------------------------------------------

    def _reported_times(self, count: int, years: int) -> list[datetime.datetime]:
        """``count`` report times over ``years`` up to today, seasonal and growing, oldest first."""
        days = years * 365
        first = self.today - datetime.timedelta(days=days)
        dates = [first + datetime.timedelta(days=i) for i in range(days)]
        weights = [
            SEASON[d.month]
            * (1 + YEARLY_GROWTH) ** (i / 365)
            * (0.8 if d.weekday() >= 5 else 1.0)
            * self.rng.uniform(0.85, 1.15)
            for i, d in enumerate(dates)
        ]
        chosen = self.rng.choices(dates, weights=weights, k=count)
        hours = self.rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
        tz = timezone.get_current_timezone()
        moments = [
            timezone.make_aware(datetime.datetime.combine(d, datetime.time(h, self.rng.randrange(60))), tz)
            for d, h in zip(chosen, hours, strict=True)
        ]
        moments.sort()
        return moments

    def _reserve_references(self, per_year: dict[int, int]) -> dict[int, int]:
        """Take a block of numbers per year from the counters, as reports do: no collisions."""
        first: dict[int, int] = {}
        with transaction.atomic():
            for year, n in sorted(per_year.items()):
                ReferenceCounter.objects.bulk_create(
                    [ReferenceCounter(prefix=REFERENCE_PREFIX, year=year)], ignore_conflicts=True
                )
                counter = ReferenceCounter.objects.select_for_update().get(prefix=REFERENCE_PREFIX, year=year)
                first[year] = counter.last_value + 1
                counter.last_value += n
                counter.save(update_fields=["last_value"])
        return first

    def _happened(self, moment: datetime.datetime | None) -> bool:
        return moment is not None and moment <= self.anchor

    # --- One deviation's life ---------------------------------------------------

    def _plan(self, reference: str, reported_at: datetime.datetime, scope: Scope, profile: list[float]) -> dict:
        """A deviation with everything that happened to it up to today."""
        rng = self.rng
        category = rng.choices(self.categories, weights=profile)[0]
        is_lex = rng.random() < self.lex_share and bool(scope.lex_handlers)
        deviation = Deviation(
            reference=reference,
            unit=scope.unit,
            reported_by_id=rng.choice(scope.reporters),
            reported_at=reported_at,
            occurred_at=reported_at - _hours(rng, 6, minimum=0.1),
            description=rng.choice(DESCRIPTIONS.get(category.name, GENERIC_DESCRIPTIONS)),
            immediate_measures=rng.choice(MEASURES),
            category=category,
            consequence=_weighted(rng, LEX_CONSEQUENCE_WEIGHTS if is_lex else CONSEQUENCE_WEIGHTS),
            client_affected=is_lex or rng.random() < 0.75,
            is_lex_sarah=is_lex,
            status=Status.REPORTED,
        )
        deviation._history_date = reported_at  # type: ignore[attr-defined]
        deviation._history_user_id = deviation.reported_by_id  # type: ignore[attr-defined]
        plan: dict[str, Any] = {"deviation": deviation, "causes": [], "actions": [], "entries": []}
        handlers = scope.lex_handlers if is_lex else scope.handlers
        # One case in thirty gets stuck somewhere: the overdue tail of any inbox.
        slow = 12 if rng.random() < 0.03 else 1

        if is_lex:
            deviation.protective_measures = "Brukaren skyddades direkt; personal byttes ut vid besöken."
            deviation.protective_measures_at = reported_at + _hours(rng, 3)
            received = reported_at + _hours(rng, 6)
        else:
            received = reported_at + _hours(rng, 40 * slow, minimum=2)
        if not self._happened(received):
            return plan
        deviation.status = Status.RECEIVED
        deviation.received_at = received
        if handlers:
            deviation.handler_id = handlers[0] if rng.random() < 0.8 else rng.choice(handlers)

        if not is_lex and rng.random() < 0.3:
            closed = received + _hours(rng, 24 * 7 * slow)
            if self._happened(closed):
                deviation.status = Status.CLOSED_NO_ACTION
                deviation.closed_at = closed
                deviation.conclusion = "Händelsen är utredd på plats och kräver ingen ytterligare åtgärd."
            return plan

        started = received + (_hours(rng, 20) if is_lex else _hours(rng, 24 * 3 * slow))
        if not self._happened(started):
            return plan
        deviation.status = Status.INVESTIGATING
        deviation.investigation_started_at = started
        deviation.investigation_method = (
            rng.choice([InvestigationMethod.EVENT_ANALYSIS, InvestigationMethod.FIVE_WHYS])
            if is_lex
            else rng.choices(list(InvestigationMethod), weights=[60, 10, 15, 10, 5])[0]
        )
        latest: datetime.datetime | None = started
        if is_lex:
            # None while the lex Sarah path is unfinished: the case stays under investigation.
            latest = self._lex_path(plan, started, handlers)

        direct_close = rng.random() < 0.2 or deviation.assessment == Assessment.NOT_MISSFORHALLANDE
        findings_at = started + _hours(rng, 24 * 10 * slow)
        if not self._happened(findings_at):
            return plan
        deviation.findings = "Utredningen visar att händelsen berodde på brister i överlämning och rutiner."
        deviation.recurrence_risk = rng.choices(list(RecurrenceRisk), weights=[50, 35, 15])[0]
        causes = self._causes(plan, deviation, findings_at)
        if latest is None:
            return plan
        latest = max(latest, findings_at)

        if direct_close:
            closed = latest + _hours(rng, 24 * 4)
            if self._happened(closed):
                deviation.status = Status.CLOSED
                deviation.closed_at = closed
                deviation.conclusion = "Orsakerna är kända och hanterade inom ordinarie arbete."
            return plan

        deviation.status = Status.ACTING
        closed = self._actions(plan, deviation, scope, causes, findings_at, slow)
        if closed is not None:
            closed = max(closed, latest) + _hours(rng, 24 * 3)
            if self._happened(closed):
                deviation.status = Status.CLOSED
                deviation.closed_at = closed
                deviation.conclusion = "Åtgärderna är genomförda och effekten är uppföljd."
                deviation.learning = "Erfarenheterna är delade med övriga enheter på ledningsgruppsmötet."
        return plan

    def _lex_path(self, plan: dict, started: datetime.datetime, handlers: list[int]) -> datetime.datetime | None:
        """Investigation entries, assessment and, when serious, the IVO notification.

        Returns when the path was complete, or None if it is not yet (no closing before it is)."""
        rng, deviation = self.rng, plan["deviation"]
        author = handlers[0]
        for i, topic in enumerate(
            [RequiredContent.WHAT_REPORTED, RequiredContent.WHEN_NOTICED, RequiredContent.CAUSES]
        ):
            documented = started + datetime.timedelta(days=i * 2)
            if not self._happened(documented):
                break
            entry = InvestigationEntry(
                deviation=deviation,
                documented_on=timezone.localtime(documented).date(),
                topic=topic,
                kind=EntryKind.FACT if i < 2 else EntryKind.ASSESSMENT,
                source="Samtal med personal" if i < 2 else "Utredarens bedömning",
                text="Uppgifterna är dokumenterade i utredningen.",
                author_id=author,
                author_title="Utredare",
                created_at=documented,
            )
            entry._history_date = documented  # type: ignore[attr-defined]
            entry._history_user_id = author  # type: ignore[attr-defined]
            plan["entries"].append(entry)
        assessed = started + _hours(rng, 24 * 12, minimum=24 * 4)
        if not self._happened(assessed):
            return None
        deviation.assessment = _weighted(rng, ASSESSMENT_WEIGHTS)
        deviation.assessment_reason = "Bedömningen grundar sig på utredningens faktauppgifter."
        deviation.assessed_at = assessed
        deviation.assessed_by_id = author
        latest = assessed
        if deviation.is_serious:
            notified = assessed + _hours(rng, 24 * 4, minimum=12)
            if not self._happened(notified):
                return None
            deviation.ivo_notified_on = timezone.localtime(notified).date()
            deviation.ivo_reference = f"3.5.1-{rng.randrange(10000, 99999)}/{notified.year}"
            deviation.ivo_decided_by_id = author
            latest = notified
        return latest

    def _causes(self, plan: dict, deviation: Deviation, at: datetime.datetime) -> list[IdentifiedCause]:
        causes = []
        for _ in range(self.rng.choices([1, 2, 3], weights=[55, 35, 10])[0]):
            cause = IdentifiedCause(
                deviation=deviation,
                category=self.rng.choice(self.cause_categories),
                description=self.rng.choice(CAUSE_TEXTS),
            )
            cause._history_date = at  # type: ignore[attr-defined]
            cause._history_user_id = deviation.handler_id  # type: ignore[attr-defined]
            causes.append(cause)
        plan["causes"] = causes
        return causes

    def _actions(
        self,
        plan: dict,
        deviation: Deviation,
        scope: Scope,
        causes: list[IdentifiedCause],
        created: datetime.datetime,
        slow: int,
    ) -> datetime.datetime | None:
        """Actions against the causes; returns when the last effect was recorded, or None if still open."""
        rng = self.rng
        finished: list[datetime.datetime] = []
        all_done = True
        effects_pending = False
        for i in range(rng.choices([1, 2, 3], weights=[50, 35, 15])[0]):
            due = timezone.localtime(created).date() + datetime.timedelta(days=rng.randint(14, 90))
            owner = scope.handlers[0] if scope.handlers and rng.random() < 0.4 else rng.choice(scope.members)
            action = Action(
                title=rng.choice(ACTION_TITLES),
                description="Åtgärden ska förhindra att händelsen upprepas.",
                owner_id=owner,
                unit=deviation.unit,
                due_date=due,
                status=ActionStatus.PLANNED,
                source_type=self.deviation_type,
                is_restricted=deviation.is_lex_sarah,
                created_by_id=deviation.handler_id or owner,
                created_at=created,
                effect_planned_on=due + datetime.timedelta(days=rng.randint(30, 90)),
                effect_measure=rng.choice(EFFECT_MEASURES),
            )
            action._history_date = created  # type: ignore[attr-defined]
            action._history_user_id = action.created_by_id  # type: ignore[attr-defined]
            # Every action addresses at least one cause; some address two.
            linked = [causes[i % len(causes)]]
            if len(causes) > 1 and rng.random() < 0.25:
                linked.append(causes[(i + 1) % len(causes)])
            plan["actions"].append((action, linked))

            if self._happened(created + _hours(rng, 24 * 5)):
                action.status = ActionStatus.IN_PROGRESS
            span = (due - timezone.localtime(created).date()).days
            if rng.random() < 0.05:
                cancelled = created + datetime.timedelta(days=rng.uniform(1, span))
                if self._happened(cancelled):
                    action.status = ActionStatus.CANCELLED
                    action.completion_note = "Åtgärden ersattes av en annan åtgärd."
                    action.completed_at = cancelled
                    finished.append(cancelled)
                else:
                    all_done = False
                continue
            completed = created + datetime.timedelta(days=max(1.0, span * rng.uniform(0.3, 1.3) * slow))
            if not self._happened(completed):
                all_done = False
                continue
            action.status = ActionStatus.DONE
            action.completed_at = completed
            action.completion_note = "Genomfört enligt plan."
            recorded = timezone.make_aware(
                datetime.datetime.combine(action.effect_planned_on, datetime.time(10)),
                timezone.get_current_timezone(),
            ) + _hours(rng, 24 * 10 * slow)
            recorded = max(recorded, completed + HOUR)
            if self._happened(recorded):
                action.effect_result = _weighted(rng, EFFECT_WEIGHTS)
                action.effect_comment = "Färre liknande avvikelser efter åtgärden."
                action.effect_recorded_at = recorded
                action.effect_recorded_by_id = deviation.handler_id or owner
                finished.append(recorded)
            else:
                effects_pending = True
                finished.append(completed)
        if not all_done:
            return None
        deviation.status = Status.FOLLOW_UP
        return None if effects_pending else max(finished)

    # --- Writing ----------------------------------------------------------------

    def _bulk(self, model: type, objs: list) -> list:
        if not objs:
            return objs
        if not self.history:
            return model.objects.bulk_create(objs, batch_size=self.batch_size)
        for obj in objs:
            obj._history_user = self.people.get(obj._history_user_id)
            obj._change_reason = HISTORY_REASON
        return bulk_create_with_history(objs, model, batch_size=self.batch_size)

    def _write(self, plans: list[dict]) -> dict[str, int]:
        self._bulk(Deviation, [p["deviation"] for p in plans])
        causes, entries, actions, links = [], [], [], []
        for p in plans:
            for cause in p["causes"]:
                cause.deviation_id = p["deviation"].pk
                causes.append(cause)
            for entry in p["entries"]:
                entry.deviation_id = p["deviation"].pk
                entries.append(entry)
        self._bulk(IdentifiedCause, causes)
        self._bulk(InvestigationEntry, entries)
        for p in plans:
            for action, _linked in p["actions"]:
                action.source_id = p["deviation"].pk
                actions.append(action)
        self._bulk(Action, actions)
        through = IdentifiedCause.actions.through
        for p in plans:
            for action, linked in p["actions"]:
                links += [through(identifiedcause_id=c.pk, action_id=action.pk) for c in linked]
        through.objects.bulk_create(links, batch_size=self.batch_size)
        return {
            "lex": sum(p["deviation"].is_lex_sarah for p in plans),
            "ivo": sum(p["deviation"].ivo_notified_on is not None for p in plans),
            "causes": len(causes),
            "actions": len(actions),
        }


def _accumulate(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for v in values:
        total += v
        out.append(total)
    return out
