"""The sweep on real Celery workers over Redis, started by a real beat, as in production.

Clocks due in the next seconds are breached within 60 s of their due time, exactly once, while
two workers sweep; a worker killed in the middle of a sweep loses and duplicates nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from incidents.models import Ticket
from servicedesk.celery import app as celery_app
from servicedesk.models import OutboxMessage
from sla.models import Calendar, Clock, ClockAlert, ClockState, Metric

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    # serialized_rollback: keep the migrations' seed data (calendars, policy) across the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]


def _due_clocks(count: int, due_in: timedelta) -> list[int]:
    """Running P1 response clocks on 24/7, all due `due_in` from now (rows written directly)."""
    from tests.factories import AssignmentGroupFactory, UserFactory

    caller = UserFactory()
    group = AssignmentGroupFactory()
    now = timezone.now()
    tickets = Ticket.objects.bulk_create(
        Ticket(
            caller=caller,
            assignment_group=group,
            title=f"Clock {i}",
            priority=1,
            created_at=now,
            updated_at=now,
            queue_entered_at=now,
        )
        for i in range(count)
    )
    always = Calendar.objects.get(name="24/7")
    due = now + due_in
    clocks = Clock.objects.bulk_create(
        Clock(
            ticket=ticket,
            metric=Metric.RESPONSE,
            calendar=always,
            target_seconds=900,
            warning_fractions=[],
            state=ClockState.RUNNING,
            started_at=due - timedelta(seconds=900),
            elapsed_seconds=0,
            running_since=due - timedelta(seconds=900),
            due_at=due,
            next_check_at=due,
        )
        for ticket in tickets
    )
    return [c.pk for c in clocks]


def _env(**extra: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_BROKER_URL=os.environ["REDIS_URL"],
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        **extra,
    )
    return env


class Processes:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str, **env: str) -> None:
        log = (self.tmp_path / f"{name}.log").open("wb")
        self.running[name] = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [str(ROOT / ".venv/bin/celery"), "-A", "servicedesk", *args],
            cwd=ROOT,
            env=_env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group: no chance to finish or clean up."""
        os.killpg(self.running[name].pid, signal.SIGKILL)
        self.running.pop(name).wait(10)

    def stop_all(self) -> None:
        for process in self.running.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")[-3000:]


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    celery_app.control.purge()
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()
    connection.close()


def _worker(procs: Processes, name: str, **env: str) -> None:
    procs.start(
        name,
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        "1",
        "--loglevel",
        "INFO",
        "-n",
        f"{name}@%h",
        **env,
    )


def _beat(procs: Processes) -> None:
    schedule = procs.tmp_path / "beat-schedule"
    procs.start("beat", "beat", "--schedule", str(schedule), SLA_SWEEP_SECONDS="1")


def _breaches() -> dict[int, int]:
    rows = ClockAlert.objects.filter(kind="breach").values("clock_id").annotate(n=Count("id"))
    return {row["clock_id"]: row["n"] for row in rows}


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_two_workers_breach_due_clocks_within_a_minute_exactly_once(processes):
    clock_ids = _due_clocks(300, due_in=timedelta(seconds=8))
    _worker(processes, "w1", SLA_SWEEP_BATCH="25")
    _worker(processes, "w2", SLA_SWEEP_BATCH="25")
    _beat(processes)

    done = _wait(lambda: len(_breaches()) == len(clock_ids), timeout=90)

    assert done, (len(_breaches()), processes.log("w1"), processes.log("beat"))
    assert set(_breaches().values()) == {1}  # each clock exactly once
    lateness = [
        (a.recorded_at - a.threshold_at).total_seconds() for a in ClockAlert.objects.filter(kind="breach")
    ]
    assert max(lateness) < 60
    assert OutboxMessage.objects.filter(kind="sla.breach").count() == len(clock_ids)
    # both workers were taking sweeps from beat all along
    both = _wait(lambda: all("Task sla.tasks.sweep_clocks" in processes.log(w) for w in ("w1", "w2")), 20)
    assert both, processes.log("w2")


def test_a_worker_killed_mid_sweep_loses_and_duplicates_nothing(processes):
    clock_ids = _due_clocks(5000, due_in=timedelta(seconds=2))
    # Small batches: one sweep takes many transactions, so the kill lands in the middle of one.
    _worker(processes, "victim", SLA_SWEEP_BATCH="10")
    _beat(processes)
    assert _wait(lambda: ClockAlert.objects.exists(), timeout=60), processes.log("victim")
    processes.kill("victim")
    partial = len(_breaches())

    _worker(processes, "survivor", SLA_SWEEP_BATCH="500")
    done = _wait(lambda: len(_breaches()) == len(clock_ids), timeout=90)

    assert 0 < partial < len(clock_ids), "the kill did not land mid-sweep"
    assert done, processes.log("survivor")
    assert set(_breaches().values()) == {1}
    assert OutboxMessage.objects.filter(kind="sla.breach").count() == len(clock_ids)
    assert Clock.objects.filter(pk__in=clock_ids, breach_recorded=True, next_check_at=None).count() == len(
        clock_ids
    )
