"""Thin Celery tasks of the shared core."""

from __future__ import annotations

from celery import shared_task

from . import heartbeat, outbox


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def dispatch_outbox() -> int:
    """Send owed notifications (beat, every few seconds; safe to run concurrently)."""
    sent = outbox.dispatch_pending()
    heartbeat.record(heartbeat.DISPATCH)
    return sent
