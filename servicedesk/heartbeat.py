"""Heartbeats of the periodic jobs: when each last completed, and whether that is too long ago.

Beat is a single process; if it (or every worker) stops, no dispatch and no sweep runs, and
nothing fails loudly. So each periodic job records a heartbeat when it completes, and the
health endpoint and page (servicedesk/health.py) report its age and fail when it is stale.

Stored in PostgreSQL, not Redis: the web answers from the database alone (no worker, no broker
needed), a heartbeat survives a Redis restart (the broker keeps no data), and a completed job
has by definition reached the database. Written and aged by the database's clock (`Now()`), as
the SLA sweep decides, so clock skew between web and worker hosts does not matter. The cost is
one single-row upsert per run (every 5 s for dispatch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import DurationField, ExpressionWrapper, F
from django.db.models.functions import Now

from .models import Heartbeat

DISPATCH = "dispatch"
SWEEP = "sweep"
# The jobs whose heartbeat the health check expects, and the beat entry that runs each.
JOBS = {DISPATCH: "dispatch-outbox", SWEEP: "sla-sweep"}


def record(name: str) -> None:
    """Record that job `name` has just completed (an upsert; safe from concurrent workers)."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, beat_at=Now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["beat_at"],
    )


@dataclass(frozen=True)
class Pulse:
    """One job's heartbeat as the health check sees it."""

    name: str
    age_seconds: float | None  # None: never ran
    max_age_seconds: int

    @property
    def ok(self) -> bool:
        return self.age_seconds is not None and self.age_seconds <= self.max_age_seconds


def pulses() -> list[Pulse]:
    """Every expected job's heartbeat age, by the database's clock (one query)."""
    age = ExpressionWrapper(Now() - F("beat_at"), output_field=DurationField())
    ages: dict[str, timedelta] = dict(
        Heartbeat.objects.filter(name__in=JOBS).annotate(age=age).values_list("name", "age")
    )
    limit = settings.HEARTBEAT_MAX_AGE_SECONDS
    return [
        Pulse(name, round(ages[name].total_seconds(), 1) if name in ages else None, limit) for name in JOBS
    ]
