"""A handbook job through Redis on a real Celery worker (CI sets REDIS_URL)."""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from ledningssystem import celery_app
from ledningssystem.jobs import job_start
from reports.models import HandbookRendition
from tests.conftest import build_org
from tests.reports.handbook_data import build_handbook_data

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis: make test uses it when REDIS_URL is set (CI does)"
)


@pytest.mark.django_db(transaction=True)
def test_handbook_job_runs_on_a_worker_and_keeps_the_rendition() -> None:
    from celery.contrib.testing.worker import start_worker

    org = build_org()
    build_handbook_data(org)
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False  # restored by the autouse fixture
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        job = job_start(kind="handbook", by=org.secretary, params={"unit": org.section_1.pk})
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.2)
    assert job.status == "done", job.error
    rendition = HandbookRendition.objects.get(job=job)
    assert rendition.sha256 == hashlib.sha256(rendition.file.read()).hexdigest()
    assert rendition.unit_id == org.section_1.pk
