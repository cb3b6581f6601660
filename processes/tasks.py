"""Scheduled work for routines and processes (Celery beat, see CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task


@shared_task(time_limit=1800, soft_time_limit=1700)
def send_document_review_reminders() -> int:
    """Owners of documents due for review, or past it, are told once per review date."""
    from processes.events_documents import review_reminders

    return review_reminders()
