"""Reports and exports read from a PostgreSQL replica when DATABASE_REPLICA_URL names one
(issue 12, "Beyond one machine"). The replica here is a second connection alias to the test
database, so what is read through it is real data over a real second connection."""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from servicedesk.db import REPLICA, ReplicaRouter
from servicedesk.models import Role
from tests.factories import TicketFactory, UserFactory

from .conftest import signed_in

# A second connection sees only committed rows: these tests commit theirs.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def replica() -> Iterator[Any]:
    settings = copy.deepcopy(connections.settings["default"])  # already the test database
    settings["TEST"] = {"MIRROR": "default"}
    connections.settings[REPLICA] = settings
    # Connect now: Django's test case refuses to open connections for aliases it did not set up,
    # and this alias is added after it was set up.
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def ticket_reads(queries: CaptureQueriesContext) -> list[str]:
    """Reads of tickets: SELECTs, and the DECLARE of a server-side cursor that streams them."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith(("SELECT", "DECLARE")) and 'FROM "incidents_ticket"' in q["sql"]
    ]


def test_the_ticket_export_reads_from_the_replica_in_one_transaction_and_writes_to_the_primary(
    replica, agent, first_line_group
):
    tickets = [TicketFactory(assignment_group=first_line_group) for _ in range(3)]
    client = signed_in(agent)

    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get("/console/tickets/export.csv")
        stream = iter(response.streaming_content)
        first = next(stream)
        # Streamed rows are read in one transaction: a server-side cursor survives PgBouncer's
        # transaction pooling only inside one.
        assert replica.in_atomic_block
        body = first + b"".join(stream)
    assert not replica.in_atomic_block

    numbers = {row[0] for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))}
    assert {t.number for t in tickets} <= numbers
    assert ticket_reads(on_replica)
    assert not ticket_reads(on_primary)
    # The access log of the export is a write, and writes go to the primary.
    assert any(q["sql"].startswith("INSERT") and "audit" in q["sql"] for q in on_primary)


def test_the_report_dashboard_reads_from_the_replica(replica):
    manager = UserFactory(role=Role.MANAGER)
    TicketFactory()
    client = signed_in(manager)

    with CaptureQueriesContext(replica) as on_replica:
        assert client.get("/console/reports/").status_code == 200

    assert on_replica.captured_queries


def test_the_agents_pages_read_from_the_primary(replica, agent, first_line_group):
    ticket = TicketFactory(assignment_group=first_line_group)
    client = signed_in(agent)

    with CaptureQueriesContext(replica) as on_replica:
        assert ticket.number in client.get("/console/").content.decode()
        assert client.get(f"/console/tickets/{ticket.pk}/").status_code == 200

    assert not on_replica.captured_queries


def test_without_a_replica_the_router_leaves_every_read_on_the_primary(agent, first_line_group):
    TicketFactory(assignment_group=first_line_group)

    response = signed_in(agent).get("/console/tickets/export.csv")

    assert b"".join(response.streaming_content).count(b"\n") == 2
    assert ReplicaRouter().db_for_read(None) is None
    assert REPLICA not in connections.settings
