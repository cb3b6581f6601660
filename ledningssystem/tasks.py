from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=30, time_limit=900, soft_time_limit=840)
def run_job(self, job_id: str) -> None:
    from ledningssystem.jobs import job_run

    job_run(job_id=job_id)


@shared_task(time_limit=600)
def sync_all_access() -> int:
    """Align every active person's groups with today's assignments."""
    from django.utils import timezone

    from ledningssystem.access import person_sync_access
    from ledningssystem.models import User

    today = timezone.localdate()
    count = 0
    for person in User.objects.exclude(access_synced_on=today).iterator(chunk_size=500):
        person_sync_access(person, today)
        count += 1
    return count


@shared_task(time_limit=600)
def delete_expired_job_results() -> int:
    from ledningssystem.jobs import job_results_delete_expired

    return job_results_delete_expired()
