"""A fault in the middle of dispatching repeats at most the one e-mail in flight.

Real Celery worker processes on Redis deliver into a mailbox whose deliveries are counted by
Message-ID across processes (tests/operations/mailbox.py). The mailbox is slow to confirm each
e-mail, so a fault most likely lands after an e-mail was delivered and before it was recorded:
the worst case. PostgreSQL itself is shared and is not restarted here; its restart is simulated
by terminating the worker's connections (pg_terminate_backend), which is what a worker sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from servicedesk.celery import app as celery_app
from servicedesk.models import OutboxMessage
from servicedesk.outbox import message_id
from servicedesk.tasks import dispatch_outbox

from .conftest import Processes, mail_env, owe_emails, pending, wait_for
from .mailbox import deliveries

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    # serialized_rollback: keep the migrations' seed data across the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OWED = 60
DELAY = 0.1  # seconds the mailbox takes to confirm each e-mail: a run takes about 6 s


def _expected_ids(ids: list[int]) -> set[str]:
    return {message_id(message, 0) for message in OutboxMessage.objects.filter(pk__in=ids)}


def _assert_each_delivered_with_at_most_one_repeat_per_fault(mailbox: Path, ids: list[int], faults: int):
    counts = deliveries(mailbox)
    assert set(counts) == _expected_ids(ids)  # every owed e-mail arrived, and nothing else
    repeated = {key: n for key, n in counts.items() if n > 1}
    assert max(counts.values()) <= 2, repeated
    assert len(repeated) <= faults, repeated
    assert pending() == 0


def test_a_worker_killed_mid_batch_repeats_at_most_the_one_email_in_flight(processes: Processes, mailbox):
    celery_app.control.purge()
    ids = owe_emails(OWED)
    processes.worker("victim", **mail_env(mailbox, DELAY))

    # Given a worker in the middle of sending what is owed
    dispatch_outbox.delay()
    assert wait_for(lambda: sum(deliveries(mailbox).values()) >= 10, 30), processes.log("victim")

    # when it is killed outright, and another worker takes over
    processes.kill("victim")
    assert 0 < pending() < OWED, "the kill did not land mid-batch"
    processes.worker("survivor", **mail_env(mailbox, 0))
    dispatch_outbox.delay()  # what beat sends every 5 s

    # then everything is delivered, each e-mail once, at most one of them twice
    assert wait_for(lambda: pending() == 0, 30), processes.log("survivor")
    _assert_each_delivered_with_at_most_one_repeat_per_fault(mailbox, ids, faults=1)


def test_a_lost_database_connection_mid_batch_repeats_at_most_the_one_email_in_flight(
    processes: Processes, mailbox
):
    celery_app.control.purge()
    ids = owe_emails(OWED)
    worker = processes.worker("worker", **mail_env(mailbox, DELAY))

    # Given a worker in the middle of sending what is owed
    dispatch_outbox.delay()
    assert wait_for(lambda: sum(deliveries(mailbox).values()) >= 10, 30), processes.log("worker")

    # when PostgreSQL drops its connections (as in a restart; this test's own is spared)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1
    assert wait_for(lambda: "OperationalError" in processes.log("worker"), 20), processes.log("worker")
    assert pending() > 0, "the fault did not land mid-batch"

    # then the same worker process carries on with the next run
    dispatch_outbox.delay()
    assert wait_for(lambda: pending() == 0, 30), processes.log("worker")
    assert worker.poll() is None
    _assert_each_delivered_with_at_most_one_repeat_per_fault(mailbox, ids, faults=1)
