"""Benchmarks of the SLA engine; prints figures (see docs/benchmarks.md).

1. Due-date computations per second: a 3-business-day target across a holiday (one core).
2. One breach sweep over 1,000,000 running clocks of which 10,000 are due (PostgreSQL), with the
   EXPLAIN of the sweep's query. The rows are written inside a transaction that is rolled back,
   so the database is left as it was.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from sla.benchmarks import bench_due_dates
from sla.models import Calendar, Clock
from sla.scan import SWEEP_FIELDS, db_now, sweep


class Rollback(Exception):
    """Raised to undo the benchmark's rows."""


class Command(BaseCommand):
    help = "Benchmark SLA due-date arithmetic and the breach sweep over a million clocks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clocks", type=int, default=1_000_000)
        parser.add_argument("--due", type=int, default=10_000)
        parser.add_argument("--calls", type=int, default=200_000)
        parser.add_argument("--skip-sweep", action="store_true")

    def handle(self, *args: Any, clocks: int, due: int, calls: int, skip_sweep: bool, **options: Any) -> None:
        figures = bench_due_dates(calls)
        self.stdout.write(
            f"due dates: {figures['calls']:,.0f} computations of a 3-business-day target across a holiday "
            f"in {figures['seconds']:.3f} s = {figures['per_second']:,.0f}/s (target ≥ 100,000/s)"
        )
        if skip_sweep:
            return
        if connection.vendor != "postgresql":
            raise CommandError("The sweep benchmark needs PostgreSQL (set DATABASE_URL).")
        if due > clocks:
            raise CommandError("--due cannot exceed --clocks.")
        try:
            with transaction.atomic():
                self._bench_sweep(clocks, due)
                raise Rollback
        except Rollback:
            self.stdout.write("(benchmark rows rolled back)")

    def _bench_sweep(self, clocks: int, due: int) -> None:
        calendar = Calendar.objects.get(name="24/7")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO servicedesk_user (password, is_superuser, username, first_name, last_name, email,
                    is_staff, is_active, date_joined, role, phone, preferred_language)
                VALUES ('!', false, 'bench-caller', '', '', '', false, true, now(), 'end_user', '', 'en')
                RETURNING id
                """
            )
            caller = cursor.fetchone()[0]
            cursor.execute(
                """
                INSERT INTO incidents_ticket (kind, caller_id, channel, impact, urgency, priority, title,
                    description, state, pending_reason, reassignment_count, resolution_code,
                    resolution_note, major_incident, created_at, updated_at, reopen_count)
                SELECT 'incident', %s, 'phone', 1, 1, 1, 'Bench ' || g, '', 'in_progress', '', 0, '', '',
                    false, now(), now(), 0
                FROM generate_series(1, %s) AS g
                """,
                [caller, clocks],
            )
            # `due` clocks are past due; the rest fall due within the next days.
            cursor.execute(
                """
                INSERT INTO sla_clock (ticket_id, metric, calendar_id, target_seconds, warning_fractions,
                    state, started_at, elapsed_seconds, running_since, due_at, next_check_at,
                    warned_level, breach_recorded, stopped_at, met, breached_at)
                SELECT t.id, 'resolution', %s, 14400, '[]'::jsonb, 'running', d - interval '4 hours', 0,
                    d - interval '4 hours', d, d, 0, false, NULL, NULL, NULL
                FROM (
                    SELECT id,
                        CASE WHEN row_number() OVER (ORDER BY id) <= %s
                             THEN now() - (random() * interval '1 hour')
                             ELSE now() + interval '1 hour' + (random() * interval '5 days') END AS d
                    FROM incidents_ticket WHERE caller_id = %s
                ) AS t
                """,
                [calendar.pk, due, caller],
            )
            cursor.execute("ANALYZE sla_clock")
        self.stdout.write(
            f"setup: {clocks:,} tickets and running clocks in {time.perf_counter() - started:.1f} s"
        )

        now = db_now()
        query = (
            Clock.objects.filter(next_check_at__lte=now).order_by("next_check_at").only(*SWEEP_FIELDS)[:2000]
        )
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql} FOR UPDATE SKIP LOCKED", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.stdout.write(
            "EXPLAIN of the sweep's claim query:\n" + "\n".join(f"    {line}" for line in plan.splitlines())
        )
        if "clock_next_check_idx" not in plan:
            self.stderr.write(self.style.WARNING("The sweep did not use the partial index on next_check_at."))

        started = time.perf_counter()
        result = sweep(now=now)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"sweep: {result.breaches:,} breaches recorded among {clocks:,} running clocks "
            f"in {seconds:.3f} s (target ≤ 1 s)"
        )
        started = time.perf_counter()
        again = sweep(now=now)
        seconds = time.perf_counter() - started
        self.stdout.write(f"second sweep at the same instant: {again.breaches} breaches in {seconds:.3f} s")
