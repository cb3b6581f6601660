"""Background jobs started from the browser (exports now, PDFs later).

``job_start`` records the job and queues the Celery task once the
transaction commits; ``job_run`` is what the task calls. Handlers are
registered per kind and return the file to store. Without Redis the task
runs in the web process (eager mode), so the job still finishes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ledningssystem.history import save_tracked
from ledningssystem.models import BackgroundJob, User
from ledningssystem.models.jobs import JobStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobResult:
    filename: str
    content: bytes


ProgressFn = Callable[[int], None]


@dataclass(frozen=True)
class JobHandler:
    label: Callable[[], str]
    run: Callable[[BackgroundJob, ProgressFn], JobResult]


JOB_HANDLERS: dict[str, JobHandler] = {}


def register_job(kind: str, handler: JobHandler) -> None:
    JOB_HANDLERS[kind] = handler


def job_label(kind: str) -> str:
    handler = JOB_HANDLERS.get(kind)
    return handler.label() if handler else kind


@transaction.atomic
def job_start(*, kind: str, by: User, params: dict[str, Any] | None = None) -> BackgroundJob:
    """Record a job for ``by`` and queue it after commit."""
    if kind not in JOB_HANDLERS:
        raise ValueError(f"Unknown job kind {kind!r}")
    job = BackgroundJob(kind=kind, created_by=by, params=params or {})
    save_tracked(job, by=by, reason="job.started")
    from ledningssystem.tasks import run_job

    transaction.on_commit(lambda: run_job.delay(str(job.pk)))
    return job


def job_run(*, job_id: str) -> None:
    """Run a queued job once; a second delivery of the same task does nothing."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.QUEUED:
            return
        job.status = JobStatus.RUNNING
        job.save(update_fields=["status"])

    def progress(percent: int) -> None:
        BackgroundJob.objects.filter(pk=job.pk).update(progress=max(0, min(100, percent)))

    handler = JOB_HANDLERS[job.kind]
    try:
        with translation.override(job.created_by.language or "sv"):
            result = handler.run(job, progress)
    except Exception as exc:
        # The exception's text may quote names or case details: log its type only.
        logger.error("job failed", extra={"job_id": str(job.pk), "kind": job.kind, "error": type(exc).__name__})
        job.status = JobStatus.FAILED
        job.error = _("The job could not be completed. Try again, and contact support if it keeps failing.")
        job.finished_at = timezone.now()
        save_tracked(job, by=job.created_by, reason="job.finished")
        return
    job.result.save(result.filename, ContentFile(result.content), save=False)
    job.result_name = result.filename
    job.result_sha256 = hashlib.sha256(result.content).hexdigest()
    job.status = JobStatus.DONE
    job.progress = 100
    job.finished_at = timezone.now()
    save_tracked(job, by=job.created_by, reason="job.finished")
    logger.info("job finished", extra={"job_id": str(job.pk), "kind": job.kind})


def job_is_expired(job: BackgroundJob) -> bool:
    from django.conf import settings

    return job.created_at < timezone.now() - timezone.timedelta(days=settings.JOB_RESULT_RETENTION_DAYS)


def job_results_delete_expired() -> int:
    """Delete stored files of jobs older than the retention period; keep the record."""
    from django.conf import settings

    cutoff = timezone.now() - timezone.timedelta(days=settings.JOB_RESULT_RETENTION_DAYS)
    count = 0
    for job in BackgroundJob.objects.filter(created_at__lt=cutoff).exclude(result="").iterator():
        job.result.delete(save=False)
        BackgroundJob.objects.filter(pk=job.pk).update(result="", result_name="")
        count += 1
    return count
