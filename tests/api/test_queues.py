"""Queues and "claim next"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import State, TicketEvent

pytestmark = pytest.mark.django_db


def test_claim_next_hands_out_highest_priority_then_longest_waiting(api_for, agent, end_user, ticket_of):
    now = timezone.now()
    ticket_of(end_user, priority=3, queue_entered_at=now - timedelta(hours=5))
    older_p2 = ticket_of(end_user, priority=2, queue_entered_at=now - timedelta(hours=2))
    ticket_of(end_user, priority=2, queue_entered_at=now - timedelta(hours=1))
    ticket_of(end_user, priority=1, state=State.IN_PROGRESS, assignee=agent)  # already taken
    queue = agent.assignment_groups.get()

    response = api_for(agent).post(f"/api/queues/{queue.pk}/claim-next/", {})

    assert response.status_code == 200
    assert response.json()["id"] == older_p2.pk
    assert response.json()["state"] == State.IN_PROGRESS
    claim = TicketEvent.objects.get(ticket=older_p2, field="assignee")
    assert 7100 < claim.details["queue_wait_seconds"] < 7300  # about the two hours it waited


def test_claim_next_on_an_empty_queue_is_204(api_for, agent):
    queue = agent.assignment_groups.get()

    response = api_for(agent).post(f"/api/queues/{queue.pk}/claim-next/", {})

    assert response.status_code == 204


def test_queues_list_counts_unclaimed_tickets(api_for, agent, end_user, ticket_of, first_line_group):
    ticket_of(end_user)
    ticket_of(end_user)
    ticket_of(end_user, state=State.IN_PROGRESS, assignee=agent)

    queues = api_for(agent).get("/api/queues/").json()

    assert {q["name"]: q["waiting"] for q in queues} == {"Customer centre": 2}


def test_resolver_cannot_claim_from_another_groups_queue(
    api_for, resolver, end_user, ticket_of, first_line_group
):
    ticket = ticket_of(end_user)

    response = api_for(resolver).post(f"/api/queues/{first_line_group.pk}/claim-next/", {})

    assert response.status_code == 404  # another group's queue is not even listed for them
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_end_user_sees_no_queues(api_for, end_user, first_line_group):
    assert api_for(end_user).get("/api/queues/").json() == []
