#!/usr/bin/env python
"""Benchmark the organisation pages at municipal scale.

Builds (once) an organisation of ~6,300 units six levels deep with 20,000
people holding roles, then times the pages everyone uses and prints p50/p95
per page with the number of queries. Run it against a scratch database:

    createdb -h 127.0.0.1 -U postgres ledningssystem_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledningssystem_bench \\
        .venv/bin/python bench/organisation.py [--people 20000] [--rounds 30]

The database is reused between runs; pass --rebuild to start over.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledningssystem.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from ledningssystem import access  # noqa: E402
from ledningssystem.builtin_roles import ensure_builtin_roles  # noqa: E402
from ledningssystem.models import Role, RoleAssignment, RoleScope, Unit, User  # noqa: E402
from ledningssystem.models.organisation import UnitKind  # noqa: E402

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# children per node at each depth: 1 committee › 3 administrations › 8 sections › 20 units › 4 › 2
FANOUT = [
    (UnitKind.ADMINISTRATION, 3),
    (UnitKind.SECTION, 8),
    (UnitKind.UNIT, 20),
    (UnitKind.UNIT, 4),
    (UnitKind.UNIT, 2),
]


def step(i: int) -> str:
    out = ""
    for _ in range(Unit.steplen):
        i, r = divmod(i, len(ALPHABET))
        out = ALPHABET[r] + out
    return out


def build(people: int) -> None:
    ensure_builtin_roles()
    with transaction.atomic():
        root = Unit.objects.create(
            name="Omsorgsnämnden", kind=UnitKind.COMMITTEE, path=step(1), depth=1, numchild=FANOUT[0][1]
        )
        level = [root]
        for depth, (kind, fanout) in enumerate(FANOUT, start=2):
            below = FANOUT[depth - 1][1] if depth - 1 < len(FANOUT) else 0
            nxt = [
                Unit(
                    name=f"{parent.name[:40]} {kind[:3]} {i}",
                    kind=kind,
                    path=parent.path + step(i),
                    depth=depth,
                    numchild=below,
                    code=f"{depth}-{i}",
                    parent=parent,
                )
                for parent in level
                for i in range(1, fanout + 1)
            ]
            level = Unit.objects.bulk_create(nxt, batch_size=2000)
    leaves = list(Unit.objects.filter(depth=len(FANOUT) + 1).order_by("path"))
    sections = list(Unit.objects.filter(kind=UnitKind.SECTION).order_by("path"))
    roles = {r.slug: r for r in Role.objects.all()}
    template = User(username="x")
    template.set_password("bench")
    start = timezone.localdate() - timezone.timedelta(days=100)
    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(
                    username=f"p{i:06}",
                    first_name=f"Förnamn{i % 300}",
                    last_name=f"Efternamn{i}",
                    password=template.password,
                    access_synced_on=None,
                )
                for i in range(people)
            ],
            batch_size=5000,
        )
        staff = list(User.objects.filter(username__startswith="p").order_by("username"))
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(person=p, role=roles["medarbetare"], unit=leaves[i % len(leaves)], start_date=start)
                for i, p in enumerate(staff)
            ],
            batch_size=5000,
        )
        special = [
            ("bench_admin", "administrator", Unit.objects.get(depth=1)),
            ("bench_section", "sektionschef", sections[5]),
            ("bench_manager", "enhetschef", leaves[100]),
        ]
        for username, role, unit in special:
            person = User.objects.create(
                username=username, first_name=username, last_name="Bench", password=template.password
            )
            RoleAssignment.objects.create(person=person, role=roles[role], unit=unit, start_date=start)
    # Group memberships: one scope per (role, unit) in use, members in bulk.
    through = User.groups.through
    rows = []
    scope_group: dict[tuple[int, int], int] = {}
    for a in RoleAssignment.objects.select_related("role", "unit").iterator(chunk_size=5000):
        key = (a.role_id, a.unit_id)
        if key not in scope_group:
            scope_group[key] = access._scope_for(a.role, a.unit).group_id
        rows.append(through(user_id=a.person_id, group_id=scope_group[key]))
    through.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    User.objects.update(access_synced_on=timezone.localdate())


def measure(client: Client, url: str, rounds: int) -> tuple[float, float, int]:
    client.get(url)  # warm
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if args.rebuild:
        with transaction.atomic():
            RoleAssignment.objects.all().delete()
            RoleScope.objects.all().delete()
            User.objects.all().delete()
            Unit.objects.update(parent=None)  # the parent mirror protects rows from deletion
            Unit.objects.all().delete()
    if not Unit.objects.exists():
        t0 = time.perf_counter()
        build(args.people)
        print(f"built in {time.perf_counter() - t0:.1f} s")
    print(
        f"database: {connection.vendor}; units: {Unit.objects.count()}, max depth "
        f"{Unit.objects.order_by('-depth').values_list('depth', flat=True).first()}, people: "
        f"{User.objects.count()}, assignments: {RoleAssignment.objects.count()}, guardian rows: "
        f"{access.UnitGroupObjectPermission.objects.count()}"
    )

    leaf = Unit.objects.filter(depth=6).order_by("path")[100]
    person = User.objects.get(username="p000100")
    cases = [
        ("bench_admin", "organisation, page 1", reverse("unit_list")),
        ("bench_admin", "organisation, page 100", reverse("unit_list") + "?page=100"),
        ("bench_admin", "organisation, search", reverse("unit_list") + "?q=UNI+17"),
        ("bench_section", "organisation (section head)", reverse("unit_list")),
        ("bench_admin", "people, page 1", reverse("person_list")),
        ("bench_admin", "people, search", reverse("person_list") + "?q=Efternamn1999"),
        ("bench_section", "people (section head)", reverse("person_list")),
        ("bench_admin", "unit detail", reverse("unit_detail", args=[leaf.pk])),
        ("bench_admin", "person detail", reverse("person_detail", args=[person.pk])),
        ("bench_section", "overview (section head)", reverse("organisation_overview")),
        ("bench_admin", "roles", reverse("role_list")),
        ("bench_manager", "my page (unit manager)", reverse("home")),
    ]
    print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for username, label, url in cases:
        client = Client()
        client.force_login(User.objects.get(username=username))
        p50, p95, n = measure(client, url, args.rounds)
        print(f"{label:32} {p50:8.1f} {p95:8.1f} {n:8d}")


if __name__ == "__main__":
    main()
