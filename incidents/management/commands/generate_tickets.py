"""Bulk test data on PostgreSQL: tickets with their history, comments, resolution clocks and
alerts, shaped like the real data (reports/benchmarks.py), written by INSERT … SELECT
generate_series and committed (kept, unlike the benchmarks' rolled-back rows).

A second run appends N more tickets to the same generated groups, agents and callers, and says
how many generated tickets were there before. 1,000,000 tickets take a few minutes.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from reports import benchmarks
from reports.months import current_month


class Command(BaseCommand):
    help = "Write N generated tickets (with history, comments and SLA clocks) into the PostgreSQL database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, required=True, help="how many tickets to add")
        parser.add_argument("--months", type=int, default=12, help="spread over this many months up to now")
        parser.add_argument("--callers", type=int, default=0, help="callers (first run only; default N / 20)")

    def handle(self, *args: Any, tickets: int, months: int, callers: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("generate_tickets needs PostgreSQL (set DATABASE_URL).")
        if tickets < 1 or months < 1:
            raise CommandError("--tickets and --months must be at least 1.")
        now = timezone.now()
        last = current_month(now)
        first = last.shift(1 - months)
        began = time.perf_counter()
        with transaction.atomic():
            ref, created = benchmarks.reference_for_generated()
            if created:
                benchmarks.insert_callers(callers or max(100, tickets // 20), ref["trusts"], prefix="gen")
            else:
                existing = benchmarks.generated_ticket_count()
                self.stdout.write(f"appending to {existing:,} generated tickets already in the database")
            low, high = benchmarks.insert_tickets(tickets, first, months, ref, now, prefix="gen")
            self._step("tickets, clocks and alerts", began)
            benchmarks.insert_history(low, high, ref)
            self._step("history and comments", began)
        benchmarks.analyze(vacuum=True)
        self._step("vacuum analyze", began)
        self.stdout.write(
            self.style.SUCCESS(
                f"{tickets:,} tickets (up to id {high}) over {first}..{last} "
                f"in {time.perf_counter() - began:.1f} s; agents gen-agent-0-0 (first line) … gen-agent-19-4"
            )
        )

    def _step(self, what: str, began: float) -> None:
        self.stdout.write(f"  {what}: done at {time.perf_counter() - began:.1f} s")
