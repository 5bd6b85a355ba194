"""The scheduled monthly report on a real Celery worker and beat over Redis, as in production:
beat starts the run, the worker computes the previous month's snapshot once (however often beat
fires), and the outbox dispatcher e-mails it to the opted-in manager."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from reports.models import MonthlyReportSubscription, MonthlySnapshot, Trigger
from reports.months import current_month
from servicedesk.celery import app as celery_app
from servicedesk.models import OutboxMessage, Role
from tests.factories import TicketFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    # serialized_rollback: keep the migrations' seed data (calendars, targets) across the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_BROKER_URL=os.environ["REDIS_URL"],
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        REPORTS_SCHEDULE_SECONDS="1",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
    )
    return env


@pytest.fixture
def celery_processes(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    celery_app.control.purge()
    running: list[subprocess.Popen[bytes]] = []
    yield running
    for process in running:
        os.killpg(process.pid, signal.SIGTERM)
    for process in running:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    connection.close()


def _start(running: list[subprocess.Popen[bytes]], tmp_path: Path, name: str, *args: str) -> None:
    log = (tmp_path / f"{name}.log").open("wb")
    running.append(
        subprocess.Popen(  # noqa: S603 (fixed arguments)
            [str(ROOT / ".venv/bin/celery"), "-A", "servicedesk", *args],
            cwd=ROOT,
            env=_env(tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    )


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_beat_and_a_worker_compute_last_months_snapshot_once_and_email_it(celery_processes, tmp_path):
    manager = UserFactory(role=Role.MANAGER, email="boss@example.org")
    MonthlyReportSubscription.objects.create(user=manager, created_at=timezone.now())
    last_month = current_month().shift(-1)
    start, _end = last_month.bounds()
    TicketFactory.create_batch(3, created_at=start)

    _start(celery_processes, tmp_path, "worker", "worker", "--pool", "solo", "--loglevel", "INFO")
    _start(celery_processes, tmp_path, "beat", "beat", "--schedule", str(tmp_path / "beat-schedule"))

    def logs() -> str:
        return "".join(
            (tmp_path / f"{n}.log").read_text(errors="replace")[-3000:] for n in ("worker", "beat")
        )

    scheduled = MonthlySnapshot.objects.filter(trigger=Trigger.SCHEDULE)
    assert _wait(scheduled.exists, 90), logs()
    assert _wait(
        lambda: OutboxMessage.objects.filter(kind="reports.monthly", sent_at__isnull=False).exists(), 60
    ), logs()
    # beat keeps firing every second: still one scheduled snapshot and one e-mail
    time.sleep(3)
    (snapshot,) = scheduled
    assert snapshot.month == last_month.first_day and snapshot.complete
    assert snapshot.figures["inquiries"]["total"] == 3
    assert OutboxMessage.objects.filter(kind="reports.monthly").count() == 1
    assert MonthlySnapshot.objects.filter(trigger=Trigger.NIGHTLY).count() >= 1  # month to date too
    mails = list((tmp_path / "mail").glob("*.log"))
    assert len(mails) == 1
    text = mails[0].read_text(errors="replace")
    assert f"Monthly service-desk report {last_month}" in text and "boss@example.org" in text
    assert "application/pdf" in text
