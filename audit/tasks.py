"""Thin Celery tasks of retention (beat, daily). Idempotent: a second run finds nothing to do."""

from __future__ import annotations

from celery import shared_task

from . import retention, services


# Hours, not seconds: the first run on an old database has years of tickets to work through.
# Each batch commits, so a run stopped by its time limit keeps its work and the next goes on.
@shared_task(acks_late=True, time_limit=4 * 3600, soft_time_limit=4 * 3600 - 60, ignore_result=True)
def anonymise_closed_tickets() -> int:
    """Anonymise closed tickets older than RETENTION_TICKET_DAYS."""
    return retention.anonymise_due_tickets()


@shared_task(acks_late=True, time_limit=4 * 3600, soft_time_limit=4 * 3600 - 60, ignore_result=True)
def purge_access_log() -> int:
    """Delete access-log rows older than RETENTION_ACCESS_LOG_DAYS."""
    return services.access_log_purge()
