"""Notifications are owed through the outbox: written with the change, sent by a worker later.

A change never waits for the broker or the mail server, and what it owes is neither lost nor
sent twice when the broker comes back.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from kombu import pools as kombu_pools
from rest_framework.test import APIClient

from incidents import services
from servicedesk.celery import app as celery_app
from servicedesk.models import OutboxMessage
from servicedesk.outbox import dispatch_pending
from servicedesk.tasks import dispatch_outbox
from tests.factories import TicketFactory

# serialized_rollback: keep the migrations' seed data (priority matrix, SLA policy) across the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis() -> Iterator[tuple[str, callable, callable]]:
    """A Redis server of this test's own, which the test can stop and start again."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed")
    port = _free_port()
    process: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        process.append(
            subprocess.Popen(  # noqa: S603 (fixed arguments)
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
        )
        assert _wait_for(lambda: _port_open(port), 10)

    def stop() -> None:
        process[-1].terminate()
        process[-1].wait(10)

    start()
    yield f"redis://127.0.0.1:{port}/0", start, stop
    if process[-1].poll() is None:
        stop()


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _use_broker(url: str) -> None:
    """Point the app at another broker, dropping pooled connections to the old one."""
    celery_app.conf.broker_url = url
    kombu_pools.reset()  # close kombu's shared connection and producer pools
    celery_app._after_fork()  # and the app's references to them, as a forked worker does


@pytest.mark.redis
def test_caller_gets_an_email_sent_by_a_real_worker(agent, end_user):
    celery_app.control.purge()
    ticket = services.ticket_create(actor=agent, caller=end_user, title="Monitor is black")
    assert OutboxMessage.objects.filter(ticket=ticket, kind="ticket.created", sent_at=None).exists()

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        dispatch_outbox.delay()  # what beat sends every few seconds
        assert _wait_for(lambda: any(ticket.number in m.subject for m in mail.outbox))

    message = next(m for m in mail.outbox if ticket.number in m.subject)
    assert message.to == [end_user.email]
    assert OutboxMessage.objects.get(ticket=ticket).sent_at is not None


@pytest.mark.redis
def test_with_redis_stopped_tickets_still_work_and_are_notified_once_it_is_back(
    agent, end_user, second_line_group, own_redis
):
    url, start_redis, stop_redis = own_redis
    original = celery_app.conf.broker_url
    client = APIClient()
    client.force_authenticate(agent)
    try:
        _use_broker(url)
        stop_redis()

        # Given Redis is down, when an agent logs, escalates and resolves tickets
        started = time.monotonic()
        created = client.post("/api/tickets/", {"caller": end_user.pk, "title": "Redis is down"})
        ticket_id = created.json()["id"]
        escalated = client.post(f"/api/tickets/{ticket_id}/escalate/", {"group": second_line_group.pk})
        other = client.post("/api/tickets/", {"caller": end_user.pk, "title": "Second"}).json()["id"]
        resolved = client.post(f"/api/tickets/{other}/resolve/", {"code": "solved", "note": "Done"})
        elapsed = time.monotonic() - started

        # then every request succeeds at once, and the notifications wait in the outbox
        assert [r.status_code for r in (created, escalated, resolved)] == [201, 200, 200]
        assert elapsed < 2  # nothing waits for the broker
        assert OutboxMessage.objects.filter(sent_at=None).count() == 4
        assert mail.outbox == []

        # When Redis is back and a worker runs the dispatcher (twice, as duplicate deliveries would)
        start_redis()
        _use_broker(url)
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            dispatch_outbox.delay()
            dispatch_outbox.delay()
            assert _wait_for(lambda: not OutboxMessage.objects.filter(sent_at=None).exists())
            time.sleep(1)  # let the second delivery run too

        # then each notification was sent exactly once
        subjects = sorted(m.subject for m in mail.outbox)
        assert len(subjects) == 4, subjects
        assert len(set(zip(subjects, [tuple(m.to) for m in mail.outbox], strict=True))) == 4
    finally:
        _use_broker(original)


def test_a_failing_message_does_not_block_the_others(agent, end_user, settings):
    TicketFactory(caller=end_user)  # a ticket without an outbox row
    ticket = services.ticket_create(actor=agent, caller=end_user, title="Fine")
    broken = OutboxMessage.objects.create(kind="ticket.created", ticket=None, created_at=ticket.created_at)
    OutboxMessage.objects.filter(pk=broken.pk).update(kind="unknown.kind")

    assert dispatch_pending() == 2  # the unknown kind renders to nothing and is done
    assert [m.subject for m in mail.outbox] == [f"Your case {ticket.number} has been registered"]


def test_notification_is_written_in_the_callers_language(agent, end_user):
    end_user.preferred_language = "nb"
    end_user.save(update_fields=["preferred_language"])
    ticket = services.ticket_create(actor=agent, caller=end_user, title="Skjermen er svart")

    dispatch_pending()

    assert mail.outbox[-1].subject == f"Saken din {ticket.number} er registrert"
