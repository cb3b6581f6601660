#!/usr/bin/env python
"""Benchmark the coverage matrix for a large organisation (500 requirements, 3,000 routines).

Builds (once) a generated quality system with ``bench/qms_data.build`` beside
whatever the database holds, then times, for the quality coordinator and a
committee member of that organisation:

* ``coverage_matrix()`` itself (the selector the page and the exports use);
* the matrix page (first page of rows), the Excel export, and what the PDF
  job does (the matrix rendered by WeasyPrint).

Prints p50/p95 in milliseconds, the number of queries one call makes, and
peak Python memory of one matrix build (tracemalloc) plus the process's
maximum resident size. Run it against a scratch PostgreSQL database:

    createdb -h 127.0.0.1 -U postgres ls_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ls_bench
    .venv/bin/python bench/coverage.py [--requirements 500] [--documents 3000] [--rounds 20]

A second run reuses the organisation the first one built (found by its
framework's size); ``--fresh`` builds another one.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledningssystem.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from bench.qms_data import build  # noqa: E402
from ledningssystem import access  # noqa: E402
from ledningssystem.models import Role, RoleAssignment, Unit, User  # noqa: E402
from processes.models import Document  # noqa: E402
from requirements.coverage import coverage_matrix  # noqa: E402
from requirements.coverage_export import render_matrix_pdf  # noqa: E402
from requirements.models import FocusArea, Framework  # noqa: E402


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def measure(call: Callable[[], Any], rounds: int) -> tuple[float, float, int]:
    call()  # warm
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    p50, p95 = percentiles(times)
    return p50, p95, len(queries)


def organisation(n_requirements: int, n_documents: int, fresh: bool) -> tuple[Unit, Framework]:
    """The generated organisation with a framework of ``n_requirements`` (built if missing)."""
    if not fresh:
        framework = (
            Framework.objects.filter(code__startswith="BENCH ")
            .annotate(n=Count("requirements"))
            .filter(n=n_requirements)
            .order_by("-pk")
            .first()
        )
        if framework is not None:
            area = FocusArea.objects.filter(requirements__framework=framework).select_related("unit").first()
            if area is not None:
                administration = area.unit
                documents = Document.objects.filter(owner_unit__path__startswith=administration.path).count()
                if documents >= n_documents:
                    return administration, framework
    t0 = time.perf_counter()
    top = build(n_requirements=n_requirements, n_documents=n_documents)
    print(f"built the organisation in {time.perf_counter() - t0:.1f} s")
    administration = top.get_children().get()
    framework = Framework.objects.filter(requirements__focus_areas__unit=administration).distinct().get()
    return administration, framework


def person(username: str, role_slug: str, unit: Unit) -> User:
    user, _created = User.objects.get_or_create(
        username=username, defaults={"first_name": "Bench", "last_name": role_slug.capitalize()}
    )
    role = Role.objects.get(slug=role_slug)
    if not RoleAssignment.objects.active().filter(person=user, role=role, unit=unit).exists():
        RoleAssignment.objects.create(person=user, role=role, unit=unit)
    access.person_sync_access(user)
    return User.objects.get(pk=user.pk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requirements", type=int, default=500)
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pdf-rounds", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="build a new organisation even if one exists")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    administration, framework = organisation(args.requirements, args.documents, args.fresh)
    top = Unit.objects.get(path=administration.path[: Unit.steplen])
    tag = framework.code.removeprefix("BENCH ")
    people = {
        "coordinator": person(f"bench-kvalitet-{tag}".lower(), "kvalitetssamordnare", administration),
        "committee": person(f"bench-namnd-{tag}".lower(), "namnd", top),
    }
    docs = Document.objects.filter(owner_unit__path__startswith=top.path)
    print(
        f"{connection.vendor}: {framework.code}, {framework.requirements.count()} requirements, "
        f"{docs.count()} documents ({docs.in_force().count()} in force, {docs.review_overdue().count()} overdue), "
        f"{FocusArea.objects.filter(unit=administration).count()} focus areas; load {os.getloadavg()[0]:.2f}"
    )
    query = f"?unit={administration.pk}&framework={framework.pk}"
    print(f"{'what':46} {'p50 ms':>9} {'p95 ms':>9} {'queries':>8}")
    for who, user in people.items():
        matrix = coverage_matrix(user, administration, framework)
        print(f"-- {who}: " + ", ".join(f"{k} {v}" for k, v in matrix.counts.items()))

        def selector(user: User = user) -> Any:
            # A fresh person object per call, as in a request: the scope is read again.
            return coverage_matrix(User.objects.get(pk=user.pk), administration, framework)

        p50, p95, n = measure(selector, args.rounds)
        print(f"{'coverage_matrix() ' + who:46} {p50:9.1f} {p95:9.1f} {n:8}")
        client = Client()
        client.force_login(user)
        for label, url, rounds in [
            ("page (first 100 rows)", reverse("requirements:coverage") + query, args.rounds),
            ("page, gaps only", reverse("requirements:coverage") + query + "&status=gap", args.rounds),
            ("Excel export", reverse("requirements:coverage_xlsx") + query, max(3, args.rounds // 4)),
        ]:

            def get(url: str = url, client: Client = client) -> Any:
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                return response

            p50, p95, n = measure(get, rounds)
            print(f"{label + ' ' + who:46} {p50:9.1f} {p95:9.1f} {n:8}")

        # The PDF is a background job: time what the job does (the matrix and WeasyPrint).
        def pdf_job(user: User = user) -> Any:
            fresh = User.objects.get(pk=user.pk)
            return render_matrix_pdf(coverage_matrix(fresh, administration, framework), fresh)

        p50, p95, n = measure(pdf_job, args.pdf_rounds)
        pages = len(PdfReader(io.BytesIO(pdf_job())).pages)
        print(f"{'PDF job (' + str(pages) + ' pages) ' + who:46} {p50:9.1f} {p95:9.1f} {n:8}")

    tracemalloc.start()
    coverage_matrix(User.objects.get(pk=people["coordinator"].pk), administration, framework)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak Python memory of one coverage_matrix(): {peak / 1024 / 1024:.1f} MiB; process max RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
