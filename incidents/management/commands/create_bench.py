"""Ticket creation under load (issue 12): `wrk` posts tickets through the API with token auth,
`--clients` connections for `--seconds`, against gunicorn on the PostgreSQL in DATABASE_URL.

Prints throughput, p50/p95/p99 and errors beside the targets (≥ 300 tickets/s, p95 ≤ 50 ms) and
the SQL statements one create runs. The tickets are kept (titled "Skriveren på post N …").
`make bench` installs wrk (apt) when it is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from servicedesk.models import Role, Service, User
from servicedesk.tokens import token_issue

TARGET_PER_SECOND = 300
TARGET_P95_MS = 50
ERROR_KINDS = ("connect", "read", "write", "status", "timeout")
LUA = Path(settings.BASE_DIR) / "scripts" / "bench" / "create_ticket.lua"


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError("gunicorn stopped before it answered.")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 -- our own local server
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise CommandError(f"gunicorn did not answer {url} within {seconds:.0f} s.")


@dataclass(frozen=True)
class CreateLoad:
    clients: int
    seconds: int
    workers: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    error_kinds: dict[str, int]  # wrk's kinds: connect, read, write, status (non-2xx), timeout
    statements: int
    wrk_output: str

    @property
    def passed(self) -> bool:
        return self.per_second >= TARGET_PER_SECOND and self.p95_ms <= TARGET_P95_MS

    @property
    def error_detail(self) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in self.error_kinds.items())
        return f" ({kinds})" if kinds else ""

    def line(self) -> str:
        return (
            f"API ticket create, {self.clients} clients, {self.seconds} s, "
            f"gunicorn {self.workers} sync workers: {self.per_second:.0f}/s (target ≥ {TARGET_PER_SECOND}), "
            f"p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms (target ≤ {TARGET_P95_MS}), "
            f"p99 {self.p99_ms:.0f} ms, {self.errors} errors{self.error_detail}, "
            f"{self.statements} SQL statements per create"
            f" — {'PASS' if self.passed else 'MISS'}"
        )


def measure_create(*, clients: int = 32, seconds: int = 20, workers: int = 0, port: int = 8765) -> CreateLoad:
    """Start gunicorn on the database in DATABASE_URL, let wrk log tickets for `seconds`."""
    if connection.vendor != "postgresql":
        raise CommandError("The create benchmark needs PostgreSQL (set DATABASE_URL).")
    if not os.environ.get("SECRET_KEY"):
        # The web refuses to start without one, and tokens are bound to it (make bench sets one).
        raise CommandError("Set SECRET_KEY: the web process and the token must share it.")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise CommandError("wrk is not installed (make bench installs it with apt-get).")
    workers = workers or 2 * (os.cpu_count() or 1) + 1
    agent, caller, service = _accounts()
    statements = _statements_per_create(agent, caller, service)
    _token, key = token_issue(user=agent, name="create_bench", lifetime=None)
    env = {**os.environ, "BENCH_TOKEN": key, "BENCH_CALLER": str(caller.pk), "BENCH_SERVICE": str(service.pk)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 -- fixed arguments
        [str(gunicorn), "servicedesk.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--log-level", "warning", "--no-control-socket"],
        env=env,
        cwd=settings.BASE_DIR,
    )  # fmt: skip
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz?check=database", server)
        run = subprocess.run(  # noqa: S603 -- fixed arguments
            # A 30 s timeout: a create that queues behind others is slow, not lost (wrk's 2 s
            # default counted such answers as errors although the ticket was written).
            [wrk, "-t", str(min(clients, 4)), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "30s",
             "-s", str(LUA), f"http://127.0.0.1:{port}"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    line = next((x for x in run.stdout.splitlines() if x.startswith("WRK-RESULT ")), None)
    if line is None:
        raise CommandError(f"wrk printed no result:\n{run.stdout}\n{run.stderr}")
    result = json.loads(line.removeprefix("WRK-RESULT "))
    return CreateLoad(
        clients=clients,
        seconds=seconds,
        workers=workers,
        per_second=result["requests"] / (result["duration_us"] / 1e6),
        p50_ms=result["p50_us"] / 1000,
        p95_ms=result["p95_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        errors=result["errors"],
        error_kinds={kind: result[kind] for kind in ERROR_KINDS if result.get(kind)},
        statements=statements,
        wrk_output=run.stdout,
    )


class Command(BaseCommand):
    help = "Ticket creation through the API under concurrent load (wrk against gunicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=32)
        parser.add_argument("--seconds", type=int, default=20)
        parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: 2 × CPUs + 1)")
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args: Any, clients: int, seconds: int, workers: int, port: int, **options: Any) -> None:
        load = measure_create(clients=clients, seconds=seconds, workers=workers, port=port)
        if options["verbosity"] > 1:
            self.stdout.write(load.wrk_output)
        self.stdout.write(load.line())


def _accounts() -> tuple[User, User, Service]:
    agent, _ = User.objects.get_or_create(
        username="bench_agent",
        defaults={"role": Role.FIRST_LINE, "first_name": "Bench", "last_name": "Agent"},
    )
    caller, _ = User.objects.get_or_create(
        username="bench_caller",
        defaults={"role": Role.END_USER, "first_name": "Bench", "last_name": "Caller"},
    )
    service = Service.objects.filter(active=True).order_by("id").first()
    if service is None:
        service = Service.objects.create(name="Utskrift", tier=2)
    return agent, caller, service


def _statements_per_create(agent: User, caller: User, service: Service) -> int:
    client = APIClient()
    client.force_authenticate(agent)
    body = {
        "title": "Benchmark warm-up",
        "caller": caller.pk,
        "service": service.pk,
        "impact": 3,
        "urgency": 3,
    }
    client.post("/api/tickets/", body, format="json")
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/tickets/", body, format="json")
    if response.status_code != 201:
        raise CommandError(f"A create answered {response.status_code}: {response.content[:300]!r}")
    return len(captured)
