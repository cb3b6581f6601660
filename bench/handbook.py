#!/usr/bin/env python
"""Benchmark the handbook for a large organisation (500 requirements, 3,000 routines by default).

Builds (once) the quality system of ``bench/qms_data.py`` and times, for
its administration (the unit the whole system hangs under):

* the context build (everything the handbook reads), p50/p95 and queries;
* the full PDF build (PDF/A-2u, tagged), p50/p95, pages and size;
* peak Python memory of each (tracemalloc, measured in a separate run
  because tracing slows the code down) and the process's peak RSS.

Run it against a scratch PostgreSQL database:

    createdb -h 127.0.0.1 -U postgres ls_handbook
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ls_handbook \\
        .venv/bin/python bench/handbook.py [--requirements 500] [--documents 3000] [--rounds 10] [--pdf-rounds 3]

The generated organisation is reused between runs with the same sizes.
"""

from __future__ import annotations

import argparse
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
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.qms_data import build  # noqa: E402
from ledningssystem.models import Unit  # noqa: E402
from processes.models import Document  # noqa: E402
from reports.handbook import build_handbook_pdf, handbook_context  # noqa: E402
from requirements.models import Requirement  # noqa: E402


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def timed(fn: Callable[[], Any], rounds: int) -> tuple[float, float, Any]:
    result = None
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    p50, p95 = percentiles(times)
    return p50, p95, result


def peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def organisation(n_requirements: int, n_documents: int) -> Unit:
    """The administration of a generated organisation of these sizes, built if there is none."""
    for top in Unit.objects.filter(depth=1, name__startswith="Nämnd Q").order_by("path"):
        administration = Unit.objects.filter(parent=top).first()
        if administration is None:
            continue
        documents = Document.objects.filter(owner_unit__path__startswith=top.path).count()
        requirements = Requirement.objects.filter(focus_areas__unit=administration).count()
        if documents == n_documents and requirements == n_requirements:
            return administration
    t0 = time.perf_counter()
    top = build(n_requirements=n_requirements, n_documents=n_documents)
    print(f"generated {n_requirements} requirements and {n_documents} documents in {time.perf_counter() - t0:.1f} s")
    return Unit.objects.get(parent=top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requirements", type=int, default=500)
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=10, help="rounds of the context build")
    parser.add_argument("--pdf-rounds", type=int, default=3, help="rounds of the full PDF build")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    unit = organisation(args.requirements, args.documents)
    context = handbook_context(unit)
    print(
        f"database: {connection.vendor}; unit: {unit.name}; in the handbook: {len(context['documents'])} documents "
        f"({context['overdue_count']} overdue), {len(context['processes'])} processes, "
        f"{len(context['focus_areas'])} focus areas, {len(context['frameworks'])} frameworks"
    )

    with CaptureQueriesContext(connection) as queries:
        handbook_context(unit)
    p50, p95, _result = timed(lambda: handbook_context(unit), args.rounds)
    print(f"{'step':28} {'p50 ms':>9} {'p95 ms':>9} {'queries':>8}")
    print(f"{'context build':28} {p50:9.1f} {p95:9.1f} {len(queries):8d}")

    with CaptureQueriesContext(connection) as queries:
        content = build_handbook_pdf(unit, by=None)
    p50, p95, content = timed(lambda: build_handbook_pdf(unit, by=None), args.pdf_rounds)
    print(f"{'full PDF build (PDF/A-2u)':28} {p50:9.1f} {p95:9.1f} {len(queries):8d}")

    from io import BytesIO

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(content)).pages)
    print(f"PDF: {pages} pages, {len(content) / 2**20:.2f} MiB")
    print(f"peak Python memory, context build: {peak_mib(lambda: handbook_context(unit)):.1f} MiB")
    print(f"peak Python memory, full PDF build: {peak_mib(lambda: build_handbook_pdf(unit, by=None)):.1f} MiB")
    print(f"peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
