"""A Redis outage while the outbox is being dispatched: the same worker carries on afterwards.

Reproduces the fault seen under load: a prefork worker with one pool slot busy dispatching (a
late-acknowledged task in flight) and the other slot free (the consumer waiting in BRPOP) when
Redis goes away. With kombu's acknowledgement emulation that killed the worker for good
("Unrecoverable error: AttributeError(... 'hostname')"; see CELERY_BROKER_TRANSPORT_OPTIONS in
servicedesk/settings.py). Here the Redis server is the test's own, on a free port.
"""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from servicedesk.celery import app as celery_app
from servicedesk.tasks import dispatch_outbox

from .conftest import OwnRedis, Processes, mail_env, owe_emails, pending, wait_for
from .mailbox import deliveries

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    # serialized_rollback: keep the migrations' seed data across the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OUTAGE_SECONDS = 5


def _trigger(url: str) -> None:
    """Send one dispatch trigger to the broker at `url`, as beat does every 5 s."""
    with celery_app.connection_for_write(url) as conn, conn.Producer() as producer:
        dispatch_outbox.apply_async(producer=producer)


def _health(settings, url: str) -> tuple[int, dict[str, bool]]:
    settings.CELERY_BROKER_URL = url
    response = APIClient().get("/healthz", {"check": ["database", "broker"]})
    return response.status_code, {name: check["ok"] for name, check in response.json()["checks"].items()}


def test_the_same_worker_sends_what_is_owed_after_a_redis_outage(
    processes: Processes, own_redis: OwnRedis, mailbox, settings
):
    owe_emails(40)
    env = mail_env(mailbox, 0.1)
    worker = processes.worker("worker", concurrency=2, CELERY_BROKER_URL=own_redis.url, **env)

    # Given a worker in the middle of dispatching, with a free pool slot waiting for more work
    _trigger(own_redis.url)
    assert wait_for(lambda: sum(deliveries(mailbox).values()) >= 5, 30), processes.log("worker")

    # when Redis stops for a while, and tickets owe e-mails meanwhile
    own_redis.stop()
    stopped = time.monotonic()
    owe_emails(20)
    assert _health(settings, own_redis.url) == (503, {"database": True, "broker": False})
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    assert worker.poll() is None, processes.log("worker")
    own_redis.start()

    # then the same worker process reconnects by itself and sends everything owed
    reconnected = wait_for(lambda: "Connected to" in processes.log("worker").rpartition("broker lost")[2], 30)
    assert reconnected, processes.log("worker")
    _trigger(own_redis.url)
    assert wait_for(lambda: pending() == 0, 30), processes.log("worker")
    assert worker.poll() is None
    log = processes.log("worker")
    assert "Connection to broker lost" in log  # the outage did hit the connected worker
    assert "Unrecoverable error" not in log
    assert sum(deliveries(mailbox).values()) == 60
    assert _health(settings, own_redis.url) == (200, {"database": True, "broker": True})
