"""Queues and "Claim next" in the console."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import State
from tests.factories import TicketFactory

from .helpers import flashed, ticket_url

pytestmark = pytest.mark.django_db


def claim_next_url(group_id: int) -> str:
    return reverse("console:queue-claim-next", kwargs={"pk": group_id})


def test_claim_next_gives_the_agent_the_oldest_highest_priority_ticket(
    console_for, resolver, second_line_group
):
    now = timezone.now()
    in_queue = {"assignment_group": second_line_group, "state": State.NEW}
    TicketFactory(priority=3, created_at=now - timedelta(hours=5), **in_queue)
    TicketFactory(priority=2, created_at=now - timedelta(hours=1), **in_queue)
    oldest_p2 = TicketFactory(priority=2, created_at=now - timedelta(hours=2), **in_queue)
    TicketFactory(priority=1, created_at=now - timedelta(hours=9), assignment_group=second_line_group,
                  state=State.IN_PROGRESS, assignee=resolver, queue_entered_at=None)

    response = console_for(resolver).post(claim_next_url(second_line_group.pk))

    assert response.status_code == 302
    assert response["Location"] == ticket_url(oldest_p2.pk)
    oldest_p2.refresh_from_db()
    assert oldest_p2.assignee == resolver
    assert oldest_p2.state == State.IN_PROGRESS


def test_claim_next_on_an_empty_queue_says_so(console_for, resolver, second_line_group):
    response = console_for(resolver).post(claim_next_url(second_line_group.pk), follow=True)

    assert response.status_code == 200
    assert "The queue is empty." in flashed(response)


def test_claim_next_from_another_groups_queue_is_refused(console_for, resolver, first_line_group):
    ticket = TicketFactory(assignment_group=first_line_group)

    response = console_for(resolver).post(claim_next_url(first_line_group.pk), follow=True)

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert "You may only claim from your own groups' queues." in flashed(response)


def test_ticket_list_shows_the_agents_queues_with_waiting_counts(console_for, resolver, second_line_group):
    TicketFactory.create_batch(3, assignment_group=second_line_group)

    response = console_for(resolver).get(reverse("console:home"))

    assert [(q.name, q.waiting) for q in response.context["queues"]] == [("Clinical systems", 3)]
    assert "Claim next" in response.content.decode()


