"""The breach and warning sweep.

Finds running clocks whose next warning or breach instant has passed (`next_check_at <= now`,
a partial-index range scan), records each warning and breach exactly once, and owes the
notifications through the outbox in the same transaction.

Exactly once, with several workers, duplicate deliveries or a worker killed mid-run:
1. claim: `SELECT … FOR UPDATE SKIP LOCKED` in batches, so concurrent sweeps take disjoint rows;
2. compare-and-set: the clock is updated only `WHERE next_check_at` is still the value read, and
   only the clocks that update returns get alerts;
3. guard: a unique constraint on (clock, kind, level) refuses a second record outright.
A killed worker's transaction rolls back; the rows stay due and the next sweep takes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction

from servicedesk.models import OutboxMessage

from . import calendar as cal
from .clock import Segment, next_check, threshold_instant, thresholds
from .models import AlertKind, Calendar, Clock, ClockAlert

SWEEP_FIELDS = (
    "id", "ticket_id", "calendar_id", "target_seconds", "warning_fractions", "state",
    "elapsed_seconds", "running_since", "next_check_at", "warned_level", "breach_recorded", "breached_at",
)  # fmt: skip


@dataclass
class SweepResult:
    clocks: int = 0
    warnings: int = 0
    breaches: int = 0


def db_now() -> datetime:
    """The database's clock: every worker decides by the same time, whatever its own says."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT CURRENT_TIMESTAMP")
            value: datetime = cursor.fetchone()[0]
            return value
        cursor.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")  # SQLite: UTC text
        text = cursor.fetchone()[0]
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def sweep(*, now: datetime | None = None, batch_size: int | None = None) -> SweepResult:
    """Record every warning and breach due by `now` (default: the database's clock)."""
    now = now or db_now()
    batch_size = batch_size or settings.SLA_SWEEP_BATCH
    specs = {c.pk: c.to_spec() for c in Calendar.objects.prefetch_related("intervals", "exceptions")}
    result = SweepResult()
    while True:
        with transaction.atomic():
            done = _sweep_batch(now, specs, batch_size, result)
        if done:
            return result


def _sweep_batch(
    now: datetime, specs: dict[int, cal.CalendarSpec], batch_size: int, result: SweepResult
) -> bool:
    skip_locked = connection.features.has_select_for_update_skip_locked
    clocks = list(
        Clock.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .select_for_update(skip_locked=skip_locked)
        .only(*SWEEP_FIELDS)[:batch_size]
    )
    if not clocks:
        return True
    expected = {clock.pk: clock.next_check_at for clock in clocks}
    alerts: list[ClockAlert] = []
    for clock in clocks:
        alerts.extend(_due_alerts(clock, specs[clock.calendar_id], now))
        clock.next_check_at = next_check(clock, specs[clock.calendar_id])
    updated = _compare_and_set(clocks, expected)
    alerts = [a for a in alerts if a.clock_id in updated]
    ClockAlert.objects.bulk_create(alerts)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=f"sla.{alert.kind}",
            ticket_id=alert.ticket_id,
            payload={"alert": alert.pk},
            created_at=now,
        )
        for alert in alerts
    )
    result.clocks += len(updated)
    result.warnings += sum(1 for a in alerts if a.kind == AlertKind.WARNING)
    result.breaches += sum(1 for a in alerts if a.kind == AlertKind.BREACH)
    return len(clocks) < batch_size


def _due_alerts(clock: Clock, spec: cal.CalendarSpec, now: datetime) -> list[ClockAlert]:
    """The clock's warnings and breach that are due by `now` and not yet recorded."""
    if clock.running_since is None:  # only running clocks have a next check
        return []
    segment = Segment(True, clock.running_since, clock.calendar_id, spec, clock.target_seconds)
    alerts = []
    for kind, level, share in thresholds(clock):
        if (kind == AlertKind.WARNING and level <= clock.warned_level) or (
            kind == AlertKind.BREACH and clock.breach_recorded
        ):
            continue
        at = threshold_instant(segment, clock.elapsed_seconds, share * clock.target_seconds)
        if at > now:
            break
        if kind == AlertKind.WARNING:
            clock.warned_level = level
        else:
            clock.breach_recorded = True
            clock.breached_at = at
        alerts.append(
            ClockAlert(
                clock_id=clock.pk,
                ticket_id=clock.ticket_id,
                kind=kind,
                level=level,
                fraction=share,
                threshold_at=at,
                recorded_at=now,
            )
        )
    return alerts


def _compare_and_set(clocks: list[Clock], expected: dict[int, datetime | None]) -> set[int]:
    """Store the clocks' new alert state where next_check_at is unchanged; return those ids."""
    if connection.vendor == "postgresql":
        rows = [
            (c.pk, c.warned_level, c.breach_recorded, c.breached_at, c.next_check_at, expected[c.pk])
            for c in clocks
        ]
        placeholders = ", ".join(
            ["(%s, %s, %s, %s::timestamptz, %s::timestamptz, %s::timestamptz)"] * len(rows)
        )
        table = Clock._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table} AS c
                SET warned_level = v.warned, breach_recorded = v.recorded,
                    breached_at = v.breached, next_check_at = v.next
                FROM (VALUES {placeholders}) AS v(id, warned, recorded, breached, next, expected)
                WHERE c.id = v.id AND c.next_check_at = v.expected
                RETURNING c.id
                """,  # noqa: S608 (table name from our model; values are parameters)
                [value for row in rows for value in row],
            )
            return {row[0] for row in cursor.fetchall()}
    updated = set()
    for clock in clocks:  # SQLite (the demo): one conditional update per clock
        count = Clock.objects.filter(pk=clock.pk, next_check_at=expected[clock.pk]).update(
            warned_level=clock.warned_level,
            breach_recorded=clock.breach_recorded,
            breached_at=clock.breached_at,
            next_check_at=clock.next_check_at,
        )
        if count:
            updated.add(clock.pk)
    return updated
