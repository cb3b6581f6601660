"""Ledningssystem: project settings and the shared organisation core."""

from ledningssystem.celery import app as celery_app

__all__ = ["celery_app"]
