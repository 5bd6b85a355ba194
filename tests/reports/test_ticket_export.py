"""The ticket list's CSV carries the SLA columns, in one query however many tickets."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sla.models import Calendar, Clock, ClockState, Metric
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _clock(ticket, metric, **values):
    defaults = {
        "calendar": Calendar.objects.get(name="24/7"),
        "target_seconds": 3600,
        "started_at": ticket.created_at,
        "state": ClockState.STOPPED,
    }
    return Clock.objects.create(ticket=ticket, metric=metric, **{**defaults, **values})


def test_the_export_has_response_and_resolution_due_and_met_or_breached(client, agent, first_line_group):
    now = timezone.now().replace(microsecond=0)
    ticket = TicketFactory(assignment_group=first_line_group, created_at=now - timedelta(hours=2))
    _clock(ticket, Metric.RESPONSE, met=True, stopped_at=now)
    due = now + timedelta(hours=1)
    _clock(
        ticket, Metric.RESOLUTION, state=ClockState.RUNNING, running_since=now, due_at=due, next_check_at=due
    )
    other = TicketFactory(assignment_group=first_line_group, created_at=now - timedelta(hours=3))
    _clock(other, Metric.RESOLUTION, met=False, stopped_at=now)
    client.force_login(agent)

    header, *rows = _rows(client.get("/console/tickets/export.csv"))

    assert header[-4:] == ["Response due", "Response SLA", "Resolution due", "Resolution SLA"]
    by_number = {row[0]: row[-4:] for row in rows}
    assert by_number[ticket.number] == [
        "",
        "met",
        timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
        "running",
    ]
    assert by_number[other.number] == ["", "", "", "breached"]


def test_the_export_runs_the_same_queries_for_one_ticket_or_many(client, agent, first_line_group):
    client.force_login(agent)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get("/console/tickets/export.csv").streaming_content)
        return len(captured)

    ticket = TicketFactory(assignment_group=first_line_group)
    _clock(ticket, Metric.RESOLUTION, met=True)
    one = queries()
    for _ in range(20):
        more = TicketFactory(assignment_group=first_line_group)
        _clock(more, Metric.RESPONSE, met=False)
        _clock(more, Metric.RESOLUTION, met=True)
    assert queries() == one
