"""Thin Celery tasks of the monthly report: take ids and months, call the services."""

from __future__ import annotations

from celery import shared_task

from servicedesk.models import User

from . import services
from .models import Trigger
from .months import Month

# A month's snapshot at national scale takes seconds, not the project's default 60 s limit.
LIMITS = {"time_limit": 900, "soft_time_limit": 840}


@shared_task(acks_late=True, ignore_result=True, **LIMITS)
def compute_previous_month() -> int | None:
    """Beat, on the 1st: the month that just ended (keyed: a repeat writes nothing)."""
    snapshot = services.snapshot_previous_month()
    return snapshot.pk if snapshot else None


@shared_task(acks_late=True, ignore_result=True, **LIMITS)
def compute_month_to_date() -> int | None:
    """Beat, nightly: the current month so far (keyed by day)."""
    snapshot = services.snapshot_month_to_date()
    return snapshot.pk if snapshot else None


@shared_task(acks_late=True, ignore_result=True, **LIMITS)
def recompute_month(year: int, month: int, user_id: int | None, request_key: str) -> int | None:
    """A manager's recomputation: a new snapshot, the old ones kept. Keyed by the request, so
    a redelivered task does not add a second one."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    snapshot = services.snapshot_create(
        month=Month(year, month), trigger=Trigger.MANAGER, requested_by=user, run_key=f"manager:{request_key}"
    )
    return snapshot.pk if snapshot else None
