"""Console pages at scale (issue 12): times the pages an agent uses all day on the data in
DATABASE_URL (e.g. written by `generate_tickets`), prints one table and appends it, with the
date, the machine, a CPU probe and the commit, to docs/benchmarks.md.

Each figure: `--requests` requests through Django's test client signed in as a first-line
agent (after one warm-up), p50 and p95 of the page time, the queries of one request and their
SQL time (median). Log-a-call posts real tickets ("console_bench call"), kept like any other.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client

from incidents.management.commands.create_bench import measure_create
from incidents.models import Ticket
from servicedesk.models import AssignmentGroup, GroupLevel, Role, User


@dataclass(frozen=True)
class Figure:
    name: str
    target_ms: float
    request: Callable[[Client], Any]


@dataclass(frozen=True)
class Result:
    figure: Figure
    p50: float
    p95: float
    queries: int
    sql_ms: float
    slowest_ms: float

    @property
    def passed(self) -> bool:
        return self.p95 <= self.figure.target_ms


class SqlTimer:
    """Counts the queries of a request and adds up their time (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.slowest = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - start
            self.seconds += took
            self.slowest = max(self.slowest, took)
            self.count += 1


def _get(url: str) -> Callable[[Client], Any]:
    def request(client: Client) -> Any:
        return client.get(url)

    return request


def cpu_probe() -> str:
    """A fixed pure-Python loop: how busy the shared cores are right now, comparable run to run."""
    start = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i % 7
    return f"{2 / (time.perf_counter() - start):.1f} M loop steps/s"


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs ({model}), load {load}, PostgreSQL {connection.pg_version}"  # type: ignore[attr-defined]


def commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


class Command(BaseCommand):
    help = "Time the console pages an agent uses (list, group, search, queue, ticket, log a call, API)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=30, help="timed requests per figure")
        parser.add_argument(
            "--tickets", type=int, default=0, help="first generate tickets until there are at least this many"
        )
        parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md")
        parser.add_argument("--note", default="", help="a line to add above the table (e.g. before/after)")
        parser.add_argument(
            "--create-seconds",
            type=int,
            default=20,
            help="seconds of API ticket creation under load (wrk, 32 clients) for the table; 0 skips it",
        )

    def handle(
        self,
        *args: Any,
        requests: int,
        tickets: int,
        no_write: bool,
        note: str,
        create_seconds: int,
        **options: Any,
    ) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("console_bench needs PostgreSQL (set DATABASE_URL).")
        if requests < 2:
            raise CommandError("--requests must be at least 2.")
        missing = tickets - Ticket.objects.count()
        if missing > 0:
            call_command("generate_tickets", "--tickets", str(missing), stdout=self.stdout)
        agent = self._agent()
        total = Ticket.objects.count()
        group = AssignmentGroup.objects.filter(tickets__state="in_progress").order_by("id").first()
        ticket = Ticket.objects.filter(state="in_progress").order_by("-id").first() or Ticket.objects.first()
        caller = User.objects.filter(role=Role.END_USER, is_active=True).exclude(last_name="").first()
        if group is None or ticket is None or caller is None:
            raise CommandError("No tickets to time: run generate_tickets --tickets N first.")
        client = Client()
        client.force_login(agent)
        figures = self._figures(group.pk, ticket.pk, caller)
        probe = cpu_probe()
        results = [self._time(client, figure, requests) for figure in figures]
        lines = self._table(results)
        if create_seconds:
            load = measure_create(seconds=create_seconds)
            lines.append(
                f"| API ticket create, {load.clients} clients × {load.seconds} s (wrk; gunicorn "
                f"{load.workers} workers; {load.per_second:.0f}/s, {load.errors} errors{load.error_detail}) "
                "| ≥ 300/s, ≤ 50 ms "
                f"| {load.p50_ms:.0f} ms | {load.p95_ms:.0f} ms | {load.statements} | — | — "
                f"| {'pass' if load.passed else '**FAIL**'} |"
            )
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        header = (
            f"{stamp}, {total:,} tickets, {requests} requests per figure; {machine()}; "
            f"CPU probe {probe}; commit {commit()}"
        )
        self.stdout.write(header)
        self.stdout.write("\n".join(lines))
        if not no_write:
            path = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
            with path.open("a") as docs:
                docs.write(f"\n### console_bench, {stamp}\n\n")
                if note:
                    docs.write(f"{note}\n\n")
                docs.write(f"{header}\n\n" + "\n".join(lines) + "\n")
            self.stdout.write(f"(appended to {path})")

    def _agent(self) -> User:
        """A first-line agent in the first-line group (so the nav counts that group's alerts)."""
        agent, _ = User.objects.get_or_create(
            username="console-bench-agent", defaults={"role": Role.FIRST_LINE, "email": "bench@example.org"}
        )
        first_line = AssignmentGroup.objects.filter(level=GroupLevel.FIRST_LINE).order_by("id").first()
        if first_line is not None:
            first_line.members.add(agent)
        return agent

    def _figures(self, group: int, ticket: int, caller: User) -> list[Figure]:
        counter = iter(range(1_000_000))

        def log_call(client: Client) -> Any:
            return client.post(
                "/console/tickets/new/",
                {
                    "caller": caller.pk,
                    "kind": "incident",
                    "channel": "phone",
                    "impact": 3,
                    "urgency": 3,
                    "title": f"console_bench call {next(counter)}",
                    "description": "Printer shows offline.",
                    "outcome": "keep",
                },
            )

        return [
            Figure("ticket list /console/ (25 rows)", 100, _get("/console/")),
            Figure("one group's open tickets", 100, _get(f"/console/?assignment_group={group}&open=true")),
            Figure('text search "printer"', 200, _get("/console/?q=printer")),
            Figure('text search "skriver"', 200, _get("/console/?q=skriver")),
            Figure("open tickets by SLA time left", 100, _get("/console/?open=true&sort=time_left")),
            Figure("open tickets by priority, then oldest", 100, _get("/console/?open=true&sort=priority")),
            Figure("SLA notifications /console/notifications/", 100, _get("/console/notifications/")),
            Figure("queue overview /console/queues/", 100, _get("/console/queues/")),
            Figure("ticket page", 100, _get(f"/console/tickets/{ticket}/")),
            Figure("customer-centre live figures", 100, _get("/console/customer-centre/live/")),
            Figure("log a call: GET the form", 150, _get("/console/tickets/new/")),
            Figure("log a call: caller search", 150, _get(f"/console/callers/?q={caller.last_name[:5]}")),
            Figure("log a call: POST the ticket", 150, log_call),
            Figure("API ticket list, first page", 100, _get("/api/tickets/")),
            Figure("API open tickets by time left", 100, _get("/api/tickets/?open=true&ordering=sla_due")),
        ]

    def _time(self, client: Client, figure: Figure, requests: int) -> Result:
        response = figure.request(client)  # warm-up (and the check that the page works)
        if response.status_code >= 400:
            raise CommandError(f"{figure.name}: HTTP {response.status_code}")
        times: list[float] = []
        sql: list[float] = []
        slowest: list[float] = []
        queries = 0
        for _ in range(requests):
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                start = time.perf_counter()
                figure.request(client)
                times.append((time.perf_counter() - start) * 1000)
            sql.append(timer.seconds * 1000)
            slowest.append(timer.slowest * 1000)
            queries = timer.count
        cuts = statistics.quantiles(times, n=20, method="inclusive")
        return Result(
            figure,
            statistics.median(times),
            cuts[18],
            queries,
            statistics.median(sql),
            statistics.median(slowest),
        )

    def _table(self, results: list[Result]) -> list[str]:
        lines = [
            "| figure | target p95 | p50 | p95 | queries | SQL time (median) | slowest query (median) | |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in results:
            lines.append(
                f"| {r.figure.name} | ≤ {r.figure.target_ms:.0f} ms | {r.p50:.0f} ms | {r.p95:.0f} ms "
                f"| {r.queries} | {r.sql_ms:.0f} ms | {r.slowest_ms:.0f} ms "
                f"| {'pass' if r.passed else '**FAIL**'} |"
            )
        return lines
