"""SLA clocks through the API: the `sla` field of a ticket, ordering by time left, and the
explanation endpoint /api/tickets/{id}/sla/.

Standard policy: P1 4 h resolution on 24/7; P2 1 h response / 8 business hours resolution;
P3 3 business days; a business day is Mon–Fri 08:00–15:30 Europe/Oslo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
import time_machine
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services
from incidents.models import Ticket
from servicedesk.models import User
from sla.clock import sync_ticket_clocks
from sla.models import Calendar, OlaTarget
from tests.factories import UserFactory
from tests.sla.conftest import oslo

pytestmark = pytest.mark.django_db

PRIORITY = {1: (1, 1), 2: (2, 1), 3: (2, 2), 4: (3, 3)}


@pytest.fixture
def at() -> Callable[[datetime], Iterator[None]]:
    """`with at(instant):` — services act and the API answers at that instant."""

    @contextmanager
    def travel(instant: datetime) -> Iterator[None]:
        with time_machine.travel(instant, tick=False):
            yield

    return travel


def log(agent: User, caller: User, priority: int, title: str = "Clock test") -> Ticket:
    impact, urgency = PRIORITY[priority]
    return services.ticket_create(actor=agent, caller=caller, title=title, impact=impact, urgency=urgency)


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def by_metric(clocks: list[dict]) -> dict[str, dict]:
    return {clock["metric"]: clock for clock in clocks}


@pytest.fixture
def p2_ticket(at, agent, end_user, first_line_group) -> Ticket:
    """P2 logged Monday 3 March 2025 09:00: response due 10:00, resolution Tuesday 09:30
    (6.5 business hours on Monday, 1.5 on Tuesday)."""
    with at(oslo(2025, 3, 3, 9, 0)):
        return log(agent, end_user, 2, "Lab printer")


# --- the sla field ---------------------------------------------------------------------------


def test_ticket_sla_field_gives_each_clock_as_of_now(at, api_for, agent, p2_ticket):
    with at(oslo(2025, 3, 3, 9, 50)):
        response = api_for(agent).get(f"/api/tickets/{p2_ticket.pk}/")

    assert response.status_code == 200
    clocks = by_metric(response.json()["sla"])
    assert list(clocks) == ["response", "resolution"]
    response_clock, resolution = clocks["response"], clocks["resolution"]
    # 50 of 60 minutes used: past the 75 % warning, 10 minutes left.
    assert {k: v for k, v in response_clock.items() if k not in ("due_at", "started_at")} == {
        "metric": "response",
        "group": None,
        "state": "running",
        "target_seconds": 3600,
        "elapsed_seconds": 3000.0,
        "stopped_at": None,
        "breached_at": None,
        "met": None,
        "seconds_left": 600.0,
        "badge": "warning",
    }
    assert instant(response_clock["due_at"]) == oslo(2025, 3, 3, 10, 0)
    assert instant(response_clock["started_at"]) == oslo(2025, 3, 3, 9, 0)
    # Resolution: 3,000 of 28,800 business seconds used; due Tuesday 09:30, 23 h 40 min away.
    assert (resolution["target_seconds"], resolution["elapsed_seconds"]) == (28800, 3000.0)
    assert instant(resolution["due_at"]) == oslo(2025, 3, 4, 9, 30)
    assert (resolution["seconds_left"], resolution["badge"]) == (85200.0, "ok")


def test_sla_field_shows_an_overdue_clock_with_negative_seconds_left(at, api_for, agent, p2_ticket):
    with at(oslo(2025, 3, 3, 10, 35)):
        clocks = by_metric(api_for(agent).get(f"/api/tickets/{p2_ticket.pk}/").json()["sla"])

    assert (clocks["response"]["seconds_left"], clocks["response"]["badge"]) == (-2100.0, "overdue")


def test_sla_field_shows_a_met_clock_once_it_stopped(at, api_for, agent, p2_ticket):
    with at(oslo(2025, 3, 3, 9, 20)):
        services.ticket_claim(ticket=p2_ticket, actor=agent)

    with at(oslo(2025, 3, 3, 12, 0)):
        clocks = by_metric(api_for(agent).get(f"/api/tickets/{p2_ticket.pk}/").json()["sla"])

    response_clock = clocks["response"]
    assert (response_clock["state"], response_clock["met"], response_clock["badge"]) == (
        "stopped",
        True,
        "met",
    )
    assert (response_clock["elapsed_seconds"], response_clock["seconds_left"]) == (1200.0, None)
    assert instant(response_clock["stopped_at"]) == oslo(2025, 3, 3, 9, 20)


def test_a_transition_answers_with_the_new_clocks(at, api_for, agent, p2_ticket):
    with at(oslo(2025, 3, 3, 9, 30)):
        response = api_for(agent).post(f"/api/tickets/{p2_ticket.pk}/pend/", {"reason": "customer"})

    assert response.status_code == 200
    # Putting on hold is no answer to the caller: both clocks pause while the caller is asked.
    assert {c["metric"]: c["badge"] for c in response.json()["sla"]} == {
        "response": "paused",
        "resolution": "paused",
    }


@pytest.fixture
def ola(p2_ticket) -> Ticket:
    """The customer centre also has a 1-hour OLA on the ticket."""
    OlaTarget.objects.create(
        group=p2_ticket.assignment_group,
        target_seconds=3600,
        calendar=Calendar.objects.get(name="Kontortid"),
    )
    sync_ticket_clocks(p2_ticket)
    return p2_ticket


def test_agents_see_the_group_ola_clock(at, api_for, agent, ola):
    with at(oslo(2025, 3, 3, 9, 10)):
        clocks = api_for(agent).get(f"/api/tickets/{ola.pk}/").json()["sla"]

    assert [(c["metric"], c["group"]) for c in clocks] == [
        ("response", None),
        ("resolution", None),
        ("ola", {"id": ola.assignment_group_id, "name": "Customer centre"}),
    ]


def test_the_caller_reads_when_we_aim_to_answer_but_no_sla_clock(at, api_for, agent, end_user, ola):
    with at(oslo(2025, 3, 3, 9, 10)):
        listed = api_for(end_user).get("/api/tickets/").json()["results"][0]
        single = api_for(end_user).get(f"/api/tickets/{ola.pk}/").json()
        explained = api_for(end_user).get(f"/api/tickets/{ola.pk}/sla/")
        clocks = api_for(agent).get(f"/api/tickets/{ola.pk}/").json()["sla"]

    resolution_due = next(c["due_at"] for c in clocks if c["metric"] == "resolution" and not c["group"])
    assert "sla" not in listed and "sla" not in single
    assert listed["answer_by"] == single["answer_by"] == resolution_due
    assert explained.status_code == 404


# --- ordering by time left -------------------------------------------------------------------


@pytest.fixture
def due_at_different_times(at, agent, end_user, first_line_group) -> dict[str, Ticket]:
    """Three running P1 resolution clocks (due 11:25, 13:00, 14:15) and two without a due time."""
    tickets = {}
    with at(oslo(2025, 3, 3, 7, 25)):
        tickets["first"] = log(agent, end_user, 1)
    with at(oslo(2025, 3, 3, 10, 15)):
        tickets["third"] = log(agent, end_user, 1)
    with at(oslo(2025, 3, 3, 9, 0)):
        tickets["second"] = log(agent, end_user, 1)
        tickets["paused"] = log(agent, end_user, 3)
        tickets["resolved"] = log(agent, end_user, 4)
    with at(oslo(2025, 3, 3, 10, 0)):
        services.ticket_pend(ticket=tickets["paused"], actor=agent, reason="customer")
        services.ticket_resolve(ticket=tickets["resolved"], actor=agent, code="solved", note="Done")
    return tickets


def ids_ordered_by(client, ordering: str) -> list[int]:
    response = client.get(f"/api/tickets/?ordering={ordering}")
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_ordering_by_sla_due_puts_least_time_left_first_and_no_due_time_last(
    api_for, agent, due_at_different_times
):
    tickets = due_at_different_times

    ids = ids_ordered_by(api_for(agent), "sla_due")

    assert ids[:3] == [tickets["first"].pk, tickets["second"].pk, tickets["third"].pk]
    assert set(ids[3:]) == {tickets["paused"].pk, tickets["resolved"].pk}


def test_pages_ordered_by_sla_due_hold_every_ticket_once_in_that_order(
    api_for, agent, due_at_different_times
):
    tickets = due_at_different_times
    client = api_for(agent)

    url, ids, counts = "/api/tickets/?ordering=sla_due&page_size=2", [], set()
    while url:
        answer = client.get(url).json()
        ids += [row["id"] for row in answer["results"]]
        counts.add(answer["count"])
        url = answer["next"]

    assert ids[:3] == [tickets["first"].pk, tickets["second"].pk, tickets["third"].pk]
    assert sorted(ids) == sorted(t.pk for t in tickets.values())
    assert counts == {5}


def test_descending_sla_due_puts_most_time_left_first_and_still_no_due_time_last(
    api_for, agent, due_at_different_times
):
    tickets = due_at_different_times

    ids = ids_ordered_by(api_for(agent), "-sla_due")

    assert ids[:3] == [tickets["third"].pk, tickets["second"].pk, tickets["first"].pk]
    assert set(ids[3:]) == {tickets["paused"].pk, tickets["resolved"].pk}


def test_sla_due_combines_with_other_orderings(api_for, agent, due_at_different_times):
    ids = ids_ordered_by(api_for(agent), "priority,sla_due")

    assert ids[0] == due_at_different_times["first"].pk
    assert ids[-1] == due_at_different_times["resolved"].pk  # P4


# --- the explanation endpoint --------------------------------------------------------------


@pytest.fixture
def paused_over_a_weekend(at, agent, end_user, first_line_group) -> Ticket:
    """P3 logged Friday 7 March 2025 09:00, on hold from 10:00 until Monday 10:00."""
    with at(oslo(2025, 3, 7, 9, 0)):
        ticket = log(agent, end_user, 3)
    with at(oslo(2025, 3, 7, 9, 30)):
        services.ticket_claim(ticket=ticket, actor=agent)
    with at(oslo(2025, 3, 7, 10, 0)):
        services.ticket_pend(ticket=ticket, actor=agent, reason="customer")
    with at(oslo(2025, 3, 10, 10, 0)):
        services.ticket_start(ticket=ticket, actor=agent)
    return ticket


def test_sla_endpoint_explains_each_clock_by_its_segments(at, api_for, agent, paused_over_a_weekend):
    with at(oslo(2025, 3, 10, 11, 0)):
        response = api_for(agent).get(f"/api/tickets/{paused_over_a_weekend.pk}/sla/")

    assert response.status_code == 200
    reports = {report["clock"]["metric"]: report for report in response.json()}
    resolution = reports["resolution"]
    assert (resolution["clock"]["elapsed_seconds"], resolution["clock"]["badge"]) == (7200.0, "ok")
    assert [
        (
            s["running"],
            instant(s["started_at"]),
            instant(s["ended_at"]),
            s["business_seconds"],
            s["total_seconds"],
            s["reason"],
            s["breached_here"],
        )
        for s in resolution["segments"]
    ] == [
        (True, oslo(2025, 3, 7, 9, 0), oslo(2025, 3, 7, 10, 0), 3600.0, 3600.0, "created", False),
        (False, oslo(2025, 3, 7, 10, 0), oslo(2025, 3, 10, 10, 0), 0.0, 3600.0, "pended", False),
        (True, oslo(2025, 3, 10, 10, 0), None, 3600.0, 7200.0, "started", False),  # open: so far
    ]
    assert [s["business_seconds"] for s in reports["response"]["segments"]] == [1800.0]


def test_sla_endpoint_is_404_for_another_end_users_ticket(api_for, other_end_user, paused_over_a_weekend):
    response = api_for(other_end_user).get(f"/api/tickets/{paused_over_a_weekend.pk}/sla/")

    assert response.status_code == 404


def test_sla_endpoint_marks_where_a_clock_breached(at, api_for, agent, p2_ticket):
    with at(oslo(2025, 3, 3, 11, 0)):
        services.ticket_claim(ticket=p2_ticket, actor=agent)  # an hour late

    reports = api_for(agent).get(f"/api/tickets/{p2_ticket.pk}/sla/").json()

    response_report = next(r for r in reports if r["clock"]["metric"] == "response")
    assert response_report["clock"]["badge"] == "breached"
    assert instant(response_report["clock"]["breached_at"]) == oslo(2025, 3, 3, 10, 0)
    assert [s["breached_here"] for s in response_report["segments"]] == [True]


# --- query counts and schema -----------------------------------------------------------------


def add_tickets_with_clocks(agent: User, count: int) -> None:
    for i in range(count):
        ticket = log(agent, UserFactory(), 1 + i % 4, f"Ticket {i}")
        if i % 3 == 1:
            services.ticket_pend(ticket=ticket, actor=agent, reason="customer")


@pytest.mark.parametrize("ordering", ["-created_at", "sla_due"])
def test_ticket_list_with_clocks_runs_as_many_queries_for_60_tickets_as_for_10(
    api_for, agent, first_line_group, ordering
):
    client = api_for(agent)
    url = f"/api/tickets/?page_size=100&ordering={ordering}"

    def queries() -> int:
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert all(len(row["sla"]) == 2 for row in response.json()["results"])
        return len(captured)

    add_tickets_with_clocks(agent, 10)
    with_10 = queries()
    add_tickets_with_clocks(agent, 50)
    with_60 = queries()

    assert with_10 == with_60


def test_schema_documents_the_sla_field_and_endpoint_without_warnings(api_for, agent):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    schema = yaml.safe_load(api_for(agent).get("/api/schema/").content)

    assert "/api/tickets/{id}/sla/" in schema["paths"]
    assert "sla" in schema["components"]["schemas"]["TicketOutput"]["properties"]
    assert set(schema["components"]["schemas"]["ClockOutput"]["properties"]) >= {
        "metric", "group", "state", "target_seconds", "elapsed_seconds", "due_at", "breached_at",
        "met", "seconds_left", "badge",
    }  # fmt: skip
