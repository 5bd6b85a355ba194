"""Rebuilding clocks from history gives what the live path stored."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from incidents import services
from sla.models import Clock, SlaTarget

from .conftest import oslo

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple]:
    rows = []
    for clock in Clock.objects.order_by("ticket_id", "metric", "group_id").prefetch_related("segments"):
        segments = [(s.running, s.started_at, s.ended_at, s.business_seconds) for s in clock.segments.all()]
        rows.append(
            (
                clock.ticket_id,
                clock.metric,
                clock.group_id,
                clock.state,
                clock.target_seconds,
                clock.elapsed_seconds,
                clock.running_since,
                clock.due_at,
                clock.next_check_at,
                clock.breached_at,
                clock.stopped_at,
                clock.met,
                segments,
            )
        )
    return rows


@pytest.fixture
def busy_history(at, agent, resolver, end_user, first_line_group, second_line_group):
    """Tickets with pauses, a reopen, priority changes and an escalation, acted at set instants."""
    from sla.models import Calendar, OlaTarget

    OlaTarget.objects.create(
        group=second_line_group, target_seconds=7200, calendar=Calendar.objects.get(name="Kontortid")
    )
    with at(oslo(2025, 3, 6, 14, 0)):  # Thursday
        paused = services.ticket_create(actor=agent, caller=end_user, title="Pauses", impact=2, urgency=2)
        reopened = services.ticket_create(actor=agent, caller=end_user, title="Reopen", impact=3, urgency=3)
        raised = services.ticket_create(actor=agent, caller=end_user, title="Raised", impact=3, urgency=3)
    with at(oslo(2025, 3, 6, 15, 0)):
        services.ticket_claim(ticket=paused, actor=agent)
        services.ticket_pend(ticket=paused, actor=agent, reason="customer")
        services.ticket_resolve(ticket=reopened, actor=agent, code="solved", note="Done")
        services.ticket_escalate(ticket=raised, actor=agent, group=second_line_group)
    with at(oslo(2025, 3, 10, 9, 0)):  # Monday
        services.ticket_start(ticket=paused, actor=agent)
        services.ticket_reopen(ticket=reopened, actor=end_user, reason="Again")
        services.ticket_update(ticket=raised, actor=resolver, impact=1, urgency=1)
    with at(oslo(2025, 3, 10, 11, 0)):
        services.ticket_pend(ticket=paused, actor=agent, reason="third_party")
        services.ticket_claim(ticket=raised, actor=resolver)
        services.ticket_resolve(ticket=raised, actor=resolver, code="solved", note="Fixed")
    return paused, reopened, raised


def test_rebuild_from_history_reproduces_the_live_clocks(busy_history):
    live = _snapshot()
    assert len(live) >= 7  # response and resolution of three tickets, and an OLA

    Clock.objects.all().delete()
    call_command("rebuild_clocks", stdout=io.StringIO())

    assert _snapshot() == live


def test_bulk_creation_for_new_tickets_stores_what_the_live_path_stored(busy_history):
    """The demo's path (create_clocks_in_bulk): same clocks and segments, a handful of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents.models import Ticket
    from sla.clock import create_clocks_in_bulk

    live = _snapshot()
    Clock.objects.filter(ticket=busy_history[0]).delete()  # one without clocks, two with

    with CaptureQueriesContext(connection) as captured:
        written = create_clocks_in_bulk(list(Ticket.objects.order_by("id")))

    assert _snapshot() == live
    assert written == len(live)
    # The rules, the delete (with its cascade), one read of events, two inserts: not per ticket.
    assert len(captured) <= 20


def test_rebuild_applies_a_corrected_target_and_keeps_elapsed_time(busy_history):
    paused = busy_history[0]
    before = Clock.objects.get(ticket=paused, metric="resolution")
    SlaTarget.objects.filter(priority=3, metric="resolution").update(target_seconds=4 * 27_000)

    call_command("rebuild_clocks", str(paused.pk), stdout=io.StringIO())

    after = Clock.objects.get(ticket=paused, metric="resolution")
    assert after.target_seconds == 4 * 27_000
    assert after.elapsed_seconds == before.elapsed_seconds
    assert after.pk == before.pk


def test_rebuild_of_an_unknown_ticket_is_an_error(db):
    with pytest.raises(CommandError, match="No such ticket: 999"):
        call_command("rebuild_clocks", "999")


def test_a_transition_writes_only_the_clocks_it_changes(at, agent, end_user, first_line_group):
    """The live path stores the replay incrementally: a claim stops the response clock and leaves
    the running resolution clock (its row and segments) as it was; a fresh rebuild agrees."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with at(oslo(2025, 3, 6, 9, 0)):
        ticket = services.ticket_create(actor=agent, caller=end_user, title="Printer", impact=3, urgency=3)
    resolution = Clock.objects.get(ticket=ticket, metric="resolution")
    segment_ids = list(resolution.segments.values_list("id", flat=True))

    with at(oslo(2025, 3, 6, 9, 30)), CaptureQueriesContext(connection) as captured:
        services.ticket_claim(ticket=ticket, actor=agent)

    clock_updates = [q["sql"] for q in captured if q["sql"].startswith('UPDATE "sla_clock"')]
    assert len(clock_updates) == 1  # the response clock, now stopped
    assert Clock.objects.get(ticket=ticket, metric="response").state == "stopped"
    assert list(resolution.segments.values_list("id", flat=True)) == segment_ids
    live = _snapshot()
    Clock.objects.all().delete()
    call_command("rebuild_clocks", stdout=io.StringIO())
    assert _snapshot() == live


def test_a_create_writes_its_clocks_and_segments_without_reading_them_back(
    at, agent, end_user, first_line_group
):
    """A new ticket's history is its one event and it has no clocks yet: the create inserts the
    clocks in one statement and their segments in another, reads neither back nor its history,
    and a fresh rebuild agrees with what it stored."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with at(oslo(2025, 3, 6, 9, 0)), CaptureQueriesContext(connection) as captured:
        ticket = services.ticket_create(actor=agent, caller=end_user, title="Printer", impact=3, urgency=3)

    sql = [q["sql"] for q in captured]
    assert len([s for s in sql if s.startswith('INSERT INTO "sla_clock"')]) == 1
    assert len([s for s in sql if s.startswith('INSERT INTO "sla_clocksegment"')]) == 1
    assert not [
        s
        for s in sql
        if s.startswith("SELECT") and ('FROM "sla_clock' in s or 'FROM "incidents_ticketevent"' in s)
    ]
    assert Clock.objects.filter(ticket=ticket).count() == 2  # response and resolution, both running
    live = _snapshot()
    Clock.objects.all().delete()
    call_command("rebuild_clocks", stdout=io.StringIO())
    assert _snapshot() == live
