"""The bulk generator writes tickets with their history, comments, clocks and alerts, shaped
like the real data, and a second run appends to the same groups and agents."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from incidents.models import OPEN_STATES, Comment, Ticket, TicketEvent
from servicedesk.models import AssignmentGroup, User
from sla.models import Clock, ClockAlert, ClockState

pytestmark = pytest.mark.django_db


def generate(tickets: int) -> str:
    out = StringIO()
    call_command("generate_tickets", "--tickets", str(tickets), stdout=out)
    return out.getvalue()


def test_generated_tickets_have_history_comments_and_clocks() -> None:
    generate(500)

    assert Ticket.objects.count() == 500
    # One resolution clock per ticket; running while open (unless pending), stopped once resolved.
    assert Clock.objects.count() == 500
    assert not Ticket.objects.annotate(n=Count("clocks")).exclude(n=1).exists()
    assert (
        not Clock.objects.filter(ticket__resolved_at__isnull=False).exclude(state=ClockState.STOPPED).exists()
    )
    assert not Clock.objects.filter(ticket__state="in_progress").exclude(state=ClockState.RUNNING).exists()
    assert ClockAlert.objects.count() == Clock.objects.filter(breached_at__isnull=False).count() > 0
    # Every ticket has its "created" event; resolved ones a "resolved" one; some comments.
    assert TicketEvent.objects.filter(action="created").count() == 500
    resolved = Ticket.objects.filter(resolved_at__isnull=False).count()
    assert TicketEvent.objects.filter(action="resolved").count() == resolved
    assert Comment.objects.count() > 100
    # Shaped like the real data: priority 3 for most, most tickets resolved, a few still open.
    assert Ticket.objects.filter(priority=3).count() > 350
    assert 350 < resolved < 500
    assert Ticket.objects.filter(state__in=OPEN_STATES).exists()
    # Open tickets of second-line groups have agents of that group.
    worked = Ticket.objects.filter(state="in_progress", assignee__isnull=False).select_related("assignee")
    for ticket in worked[:20]:
        assert ticket.assignment_group_id in set(
            ticket.assignee.assignment_groups.values_list("id", flat=True)
        )


def test_second_run_appends_to_the_same_groups_and_agents() -> None:
    generate(200)
    groups = AssignmentGroup.objects.count()
    people = User.objects.count()

    out = generate(300)

    assert "appending to 200 generated tickets" in out
    assert Ticket.objects.count() == 500
    assert Clock.objects.count() == 500
    assert AssignmentGroup.objects.count() == groups
    assert User.objects.count() == people


def test_refuses_other_databases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        generate(10)
    assert not Ticket.objects.exists()
