#!/usr/bin/env python
"""Benchmark the deviation pages at volume (200,000 deviations over five years).

Times the pages handlers and reporters use as different people and prints
p50/p95 per page with the number of queries one request makes, and the row
counts behind them. Run it against a scratch PostgreSQL database holding the
demo municipality and generated deviations:

    createdb -h 127.0.0.1 -U postgres ls_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ls_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py load_demo
    .venv/bin/python manage.py generate_deviations          # 200,000 deviations, a few minutes
    .venv/bin/python bench/deviations.py [--rounds 30] [--explain]

``--setup`` does the last three steps for an empty database (``--deviations N``
to generate another volume). ``--explain`` prints EXPLAIN ANALYZE of the
slowest query of every page whose p95 is over 500 ms. Personas default to the
demo's people; on another organisation name them with --manager,
--section-head, --director and --staff. Pages whose URL does not exist yet are
skipped with a note. Every submit adds one report, so counts grow a little
from run to run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledningssystem.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from actions.models import Action  # noqa: E402
from deviations.models import Category, Deviation, IdentifiedCause  # noqa: E402
from ledningssystem import access  # noqa: E402
from ledningssystem.models import RoleAssignment, Unit, User  # noqa: E402

SLOW_MS = 500


def url_or_none(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def measure(request: Callable[[], HttpResponse], rounds: int) -> tuple[float, float, int]:
    request()  # warm
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        request()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    measure.last_queries = list(queries.captured_queries)  # type: ignore[attr-defined]
    return statistics.median(times), p95, len(queries)


def explain(queries: list[dict]) -> None:
    """EXPLAIN ANALYZE of the slowest query a page made (PostgreSQL only)."""
    if connection.vendor != "postgresql" or not queries:
        return
    slowest = max(queries, key=lambda q: float(q["time"]))
    print(f"    slowest query ({float(slowest['time']) * 1000:.0f} ms):\n      {slowest['sql'][:1500]}")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        for (line,) in cursor.fetchall():
            print(f"      {line}")


def setup(deviations: int) -> None:
    if not Unit.objects.exists():
        call_command("load_demo")
    if Deviation.objects.count() < deviations // 2:
        call_command("generate_deviations", deviations=deviations)


def detail_case(user: User, lex: bool) -> Deviation | None:
    """A handled deviation in the person's scope with causes and actions (the fullest detail page)."""
    with_actions = Action.objects.values("source_id")
    visible = access.filter_for_user(user, Deviation.objects.filter(is_lex_sarah=lex), "handle")
    return (
        visible.filter(pk__in=with_actions)
        .annotate(n=Count("causes"))
        .order_by("-n", "-reported_at")
        .only("pk")
        .first()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--setup", action="store_true", help="load the demo and generate deviations if missing")
    parser.add_argument("--deviations", type=int, default=200_000)
    parser.add_argument("--explain", action="store_true", help=f"EXPLAIN ANALYZE pages with p95 > {SLOW_MS} ms")
    parser.add_argument("--manager", default="enhetschef")
    parser.add_argument("--section-head", default="sektionschef")
    parser.add_argument("--director", default="forvaltningschef")
    parser.add_argument("--staff", default="medarbetare")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if args.setup:
        t0 = time.perf_counter()
        setup(args.deviations)
        print(f"set up in {time.perf_counter() - t0:.1f} s")
    if not Deviation.objects.exists():
        raise SystemExit("No deviations: run manage.py load_demo and manage.py generate_deviations (or --setup).")
    people = {}
    for role, username in [
        ("manager", args.manager),
        ("section head", args.section_head),
        ("director", args.director),
        ("staff", args.staff),
    ]:
        person = User.objects.filter(username=username).first()
        if person is None:
            raise SystemExit(f"No person {username!r} for the {role}: name one with --{role.replace(' ', '-')}.")
        people[role] = person

    today = timezone.localdate()
    counts = Deviation.objects.aggregate(
        total=Count("pk"),
        lex=Count("pk", filter=Q(is_lex_sarah=True)),
        open=Count("pk", filter=~Q(status__in=["closed", "closed_no_action"])),
        ivo=Count("pk", filter=Q(ivo_notified_on__isnull=False)),
    )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(
        f"database: {connection.vendor}; units: {Unit.objects.count()}, people: {User.objects.count()}, "
        f"deviations: {counts['total']:,} ({counts['open']:,} open, {counts['lex']:,} lex Sarah, "
        f"{counts['ivo']:,} notified to IVO), causes: {IdentifiedCause.objects.count():,}, actions: "
        f"{Action.objects.count():,} ({Action.objects.open().count():,} open, "
        f"{Action.objects.overdue(today).count():,} overdue), history rows: "
        f"{Deviation.history.count() + Action.history.count() + IdentifiedCause.history.count():,}"
    )
    for role, person in people.items():
        handled = access.filter_for_user(person, Deviation.objects.all(), "handle").count()
        reported = Deviation.objects.filter(reported_by=person).count()
        print(f"  {role:13} {person.username:18} handles {handled:>8,}  reported {reported:>7,}")

    manager, section, director, staff = (people[r] for r in ("manager", "section head", "director", "staff"))
    inbox = reverse("deviations:inbox")
    other_unit = (
        access.units_for_user(director, access.HANDLE_DEVIATIONS)
        .annotate(n=Count("deviations"))
        .order_by("-n")
        .exclude(n=0)[1:2]
        .first()
    )
    period = f"date_from={today - timezone.timedelta(days=90)}&date_to={today}"
    # (persona, label, url)
    gets: list[tuple[User, str, str | None]] = [
        (manager, "inbox (unit manager)", inbox),
        (manager, "inbox open (unit manager)", inbox + "?status=open"),
        (section, "inbox (section head)", inbox),
        (section, "inbox open, oldest first (section head)", inbox + "?status=open&sort=reported_at"),
        (director, "inbox (director)", inbox),
        (director, "inbox status=investigating", inbox + "?status=investigating"),
        (director, "inbox one unit", inbox + f"?unit={other_unit.pk}" if other_unit else None),
        (director, "inbox lex Sarah", inbox + "?lex_sarah=yes"),
        (director, "inbox last 90 days", inbox + "?" + period),
        (director, "inbox category, sorted by unit", inbox + f"?category={Category.objects.first().pk}&sort=unit"),
        (director, "inbox sorted by status", inbox + "?sort=status"),
        (director, "inbox page 500", inbox + "?page=500"),
    ]
    case = detail_case(manager, lex=False)
    lex_case = detail_case(director, lex=True)
    gets += [
        (manager, "detail with causes and actions", reverse("deviations:detail", args=[case.pk]) if case else None),
        (director, "detail lex Sarah", reverse("deviations:detail", args=[lex_case.pk]) if lex_case else None),
    ]
    statistics_url = url_or_none("reports:statistics")
    gets += [
        (manager, "statistics (unit manager)", statistics_url),
        (section, "statistics (section head)", statistics_url),
        (director, "statistics (director)", statistics_url),
        (manager, "my actions (unit manager)", url_or_none("actions:list")),
        (staff, "my reports (staff)", reverse("deviations:mine")),
    ]

    print(f"\n{'page':42} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    notes = []
    for person, label, url in gets:
        if url is None:
            notes.append(f"skipped {label}: its URL (or a deviation to show) does not exist yet")
            continue
        client = Client()
        client.force_login(person)
        p50, p95, n = measure(lambda c=client, u=url: c.get(u), args.rounds)
        print(f"{label:42} {p50:8.1f} {p95:8.1f} {n:8d}")
        if args.explain and p95 > SLOW_MS:
            explain(measure.last_queries)  # type: ignore[attr-defined]

    # Submitting a report: the POST and the redirect to the receipt, as a phone does.
    client = Client()
    client.force_login(staff)
    unit_id = RoleAssignment.objects.active().filter(person=staff).values_list("unit_id", flat=True).first()
    category = Category.objects.filter(is_active=True).first()
    receipt_prefix = reverse("deviations:receipt", args=[0]).split("0/")[0]

    def submit() -> HttpResponse:
        response = client.post(
            reverse("deviations:report"),
            {
                "unit": unit_id,
                "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "description": "Brukaren hittades på golvet i badrummet vid kvällsbesöket.",
                "immediate_measures": "Hjälpte upp brukaren och ringde sjuksköterskan.",
                "category": category.pk,
                "consequence": "minor",
                "client_affected": "on",
                "form_token": uuid.uuid4().hex,
            },
            follow=True,
        )
        if not response.redirect_chain or not response.redirect_chain[-1][0].startswith(receipt_prefix):
            raise SystemExit("The report was not accepted: " + response.content.decode()[:500])
        return response

    p50, p95, n = measure(submit, args.rounds)
    print(f"{'submit a report (staff)':42} {p50:8.1f} {p95:8.1f} {n:8d}")
    if args.explain and p95 > SLOW_MS:
        explain(measure.last_queries)  # type: ignore[attr-defined]
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
