"""Thin Celery tasks: take ids, re-fetch, do one idempotent thing."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def close_resolved_tickets() -> int:
    """Close tickets left resolved for longer than the reopen window (beat, hourly)."""
    cutoff = timezone.now() - timedelta(days=settings.AUTO_CLOSE_AFTER_DAYS)
    return services.tickets_close_resolved(resolved_before=cutoff)
