"""Real processes for fault tests: Celery workers on a real broker, a Redis server of our own.

Every wait is bounded; every process is stopped (its whole process group) when the test ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from servicedesk.models import OutboxMessage
from tests.factories import TicketFactory

ROOT = Path(__file__).resolve().parents[2]


def signed_in(user) -> Client:
    """A test client signed in as the user."""
    client = Client()
    client.force_login(user)
    return client


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Processes:
    """Celery processes of the project, each in its own process group, logging to a file."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        environment = dict(os.environ)
        environment.update(
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=os.environ.get("REDIS_URL", ""),
            DJANGO_SETTINGS_MODULE="servicedesk.settings",
        )
        environment.update(env)
        log = (self.tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [str(ROOT / ".venv/bin/celery"), "-A", "servicedesk", *args],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def worker(self, name: str, concurrency: int = 1, **env: str) -> subprocess.Popen[bytes]:
        process = self.start(
            name, "worker", "--pool", "prefork", "--concurrency", str(concurrency),
            "--loglevel", "INFO", "-n", f"{name}@%h", **env,
        )  # fmt: skip
        assert wait_for(lambda: " ready." in self.log(name), 60), self.log(name)
        return process

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group: no chance to finish or clean up."""
        os.killpg(self.running[name].pid, signal.SIGKILL)
        self.running.pop(name).wait(10)

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def log(self, name: str) -> str:
        path = self.tmp_path / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()
    connection.close()


@dataclass
class OwnRedis:
    """A redis-server of this test's own on a free port, which the test stops and starts."""

    binary: str
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        no_persistence = ("--save", "", "--appendonly", "no")
        self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", *no_persistence],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(lambda: port_open(self.port), 10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed")
    server = OwnRedis(binary, free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(tmp_path: Path) -> Path:
    folder = tmp_path / "mailbox"
    folder.mkdir()
    return folder


def mail_env(mailbox: Path, delay: float) -> dict[str, str]:
    """Environment for a worker that delivers into `mailbox`, `delay` s per e-mail."""
    return {
        "EMAIL_BACKEND": "tests.operations.mailbox.EmailBackend",
        "MAILBOX_DIR": str(mailbox),
        "MAILBOX_DELAY": str(delay),
    }


def owe_emails(count: int) -> list[int]:
    """`count` pending receipts (one e-mail each) to the caller of one ticket; their ids."""
    ticket = TicketFactory()
    now = timezone.now()
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(kind="ticket.created", ticket=ticket, created_at=now) for _ in range(count)
    )
    return [row.pk for row in rows]


def pending() -> int:
    return OutboxMessage.objects.filter(sent_at=None).count()
