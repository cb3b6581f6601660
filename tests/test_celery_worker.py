"""A job goes through Redis to a real Celery worker (CI sets REDIS_URL)."""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings

from ledningssystem import celery_app
from ledningssystem.jobs import job_start
from ledningssystem.models import BackgroundJob
from tests.conftest import build_org

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis: make test uses it when REDIS_URL is set (CI does)"
)


@pytest.mark.django_db(transaction=True)
def test_export_job_runs_on_a_worker_through_redis() -> None:
    from celery.contrib.testing.worker import start_worker

    assert settings.CELERY_BROKER_URL.startswith("redis")
    org = build_org()
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False  # restored by the autouse fixture
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        job = job_start(kind="organisation_export", by=org.manager_b)  # queued on commit (autocommit here)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.2)
    assert job.status == "done", job.error
    assert job.result.name.endswith(".xlsx")
    assert BackgroundJob.objects.get(pk=job.pk).history.filter(history_change_reason="job.finished").exists()
