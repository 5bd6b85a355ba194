"""Benchmark of the monthly report on PostgreSQL; prints figures (see docs/benchmarks.md).

1. Setup: `--tickets` tickets (with resolution clocks) and `--contacts` contacts over twelve Oslo
   months, written by INSERT … SELECT generate_series.
2. The monthly snapshot of the busiest complete month (target ≤ 5 s), with the plan
   (EXPLAIN ANALYZE) of its slowest query; then the other months' snapshots.
3. The dashboard page (`/console/reports/`, 24 months of snapshots): p50 and p95 of
   `--requests` requests (target p95 ≤ 300 ms).
4. A `--export-rows`-row contacts export, CSV and XLSX, streamed: time and peak Python memory
   (tracemalloc).
Every row is written inside a transaction that is rolled back: the database is left as it was.
"""

from __future__ import annotations

import resource
import statistics
import time
import tracemalloc
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from reports import benchmarks, services
from reports.models import Trigger
from reports.months import Month, current_month
from servicedesk.models import User


class Rollback(Exception):
    """Raised to undo the benchmark's rows."""


class Command(BaseCommand):
    help = "Benchmark the monthly KPI snapshot, the report dashboard and a large export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=1_000_000)
        parser.add_argument("--contacts", type=int, default=100_000)
        parser.add_argument("--callers", type=int, default=20_000)
        parser.add_argument("--requests", type=int, default=40, help="dashboard requests to time")
        parser.add_argument("--export-rows", type=int, default=200_000, help="0: skip the export")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The report benchmark needs PostgreSQL (set DATABASE_URL).")
        try:
            with transaction.atomic():
                self._bench(**options)
                raise Rollback
        except Rollback:
            self.stdout.write("(benchmark rows rolled back)")

    def _bench(
        self, *, tickets: int, contacts: int, callers: int, requests: int, export_rows: int, **_: Any
    ) -> None:
        now = timezone.now()
        last = current_month(now)
        first = last.shift(-11)
        began = time.perf_counter()
        ref = benchmarks.setup_reference()
        benchmarks.insert_callers(callers, ref["trusts"])
        benchmarks.insert_tickets(tickets, first, 12, ref, now)
        benchmarks.insert_contacts(contacts, first, 12, ref["queue"][0], now)
        benchmarks.analyze()
        self.stdout.write(
            f"setup: {tickets:,} tickets with resolution clocks, {contacts:,} contacts, {callers:,} callers "
            f"over {first}..{last} in {time.perf_counter() - began:.1f} s"
        )

        month = last.shift(-1)  # the busiest complete month
        timings: list[tuple[float, str]] = []

        def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                text = cast(Any, connection.ops).compose_sql(sql, params) if params else sql
                timings.append((time.perf_counter() - start, text))

        with connection.execute_wrapper(timed):
            started = time.perf_counter()
            snapshot = services.snapshot_create(month=month, trigger=Trigger.MANAGER, now=now, notify=False)
            seconds = time.perf_counter() - started
        assert snapshot is not None  # noqa: S101 -- no run key: always written
        inquiries = snapshot.figures["inquiries"]["total"]
        self.stdout.write(
            f"monthly snapshot {month}: {inquiries:,} inquiries, {len(timings)} queries "
            f"in {seconds:.3f} s (target ≤ 5 s)"
        )
        slowest, sql = max(t for t in timings if t[1].lstrip().upper().startswith("SELECT"))
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.stdout.write(f"slowest query ({slowest * 1000:.0f} ms):\n    {sql[:600]}")
        self.stdout.write("EXPLAIN ANALYZE:\n" + "\n".join(f"    {line}" for line in plan.splitlines()))

        started = time.perf_counter()
        for m in [first.shift(n) for n in range(12)] + [last.shift(-12 - n) for n in range(12)]:
            if m != month:
                services.snapshot_create(month=m, trigger=Trigger.DEMO, now=now, notify=False)
        self.stdout.write(f"the other 23 months' snapshots in {time.perf_counter() - started:.1f} s")

        manager = User.objects.get(pk=ref["manager"][0])
        client = Client()
        client.force_login(manager)
        url = f"/console/reports/?month={month}"
        counted: list[str] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            assert client.get(url).status_code == 200  # noqa: S101 -- warm-up, and the query count
        durations = []
        for _request in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            durations.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200  # noqa: S101
        per_query: list[tuple[float, str]] = []

        def timed_dashboard(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                per_query.append(((time.perf_counter() - start) * 1000, sql[:100]))

        with connection.execute_wrapper(timed_dashboard):
            client.get(url)
        for ms, sql in sorted(per_query, reverse=True)[:4]:
            self.stdout.write(f"    dashboard query {ms:6.1f} ms  {sql}")
        durations.sort()
        p95 = durations[min(len(durations) - 1, round(0.95 * (len(durations) - 1)))]
        self.stdout.write(
            f"dashboard: {requests} requests, {len(counted)} queries each, "
            f"p50 {statistics.median(durations):.0f} ms, "
            f"p95 {p95:.0f} ms (target p95 ≤ 300 ms)"
        )

        if not export_rows:
            return
        export_month = Month(2001, 1)  # a month of its own, so that the export has exactly these rows
        benchmarks.insert_contacts(export_rows, export_month, 1, ref["queue"][0], now, prefix="export")
        benchmarks.analyze()
        untraced = 0.0
        for fmt in ("csv", "xlsx"):
            # Time first (tracemalloc slows Python down), then the peak of Python allocations.
            for traced in (False, True):
                if traced:
                    tracemalloc.start()
                rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                started = time.perf_counter()
                response = client.get(f"/console/reports/contacts.{fmt}?month={export_month}")
                size = sum(len(chunk) for chunk in cast(Any, response).streaming_content)
                seconds = time.perf_counter() - started
                rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
                if traced:
                    _current, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    self.stdout.write(
                        f"export {fmt}: {export_rows:,} rows, {size / 1e6:.1f} MB in {untraced:.1f} s, "
                        f"peak Python allocations {peak / 1e6:.1f} MB, process peak RSS grew "
                        f"{rss_growth / 1024:.1f} MB (bound 64 MB)"
                    )
                untraced = seconds
