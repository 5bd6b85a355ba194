"""Thin Celery tasks of the SLA engine."""

from __future__ import annotations

from celery import shared_task

from servicedesk import heartbeat

from . import scan


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50, ignore_result=True)
def sweep_clocks() -> dict[str, int]:
    """Record due warnings and breaches (beat, every ≤ 30 s; safe to run twice or concurrently)."""
    result = scan.sweep()
    heartbeat.record(heartbeat.SWEEP)  # the health check fails when sweeps stop
    return {"clocks": result.clocks, "warnings": result.warnings, "breaches": result.breaches}
