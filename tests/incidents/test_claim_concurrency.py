"""Concurrent "claim next": each agent on its own database connection, all at once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from incidents.models import TicketEvent
from servicedesk.models import Role
from tests.factories import AssignmentGroupFactory, TicketFactory, UserFactory

# serialized_rollback: keep the migrations' seed data (the priority matrix) across the flush.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AGENTS = 16


def _claim_all_at_once(group, agents) -> list[int | None]:
    """Every agent presses "claim next" at the same instant; returns what each got."""
    barrier = threading.Barrier(len(agents))
    results: list[int | None] = [None] * len(agents)
    errors: list[BaseException] = []

    def claim(index: int) -> None:
        client = APIClient()
        client.force_authenticate(agents[index])
        try:
            barrier.wait(timeout=30)
            response = client.post(f"/api/queues/{group.pk}/claim-next/", {})
            assert response.status_code in (200, 204), response.content
            results[index] = response.json()["id"] if response.status_code == 200 else None
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(agents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def queue_with_agents():
    group = AssignmentGroupFactory(name="Customer centre", level=1)
    agents = UserFactory.create_batch(AGENTS, role=Role.FIRST_LINE)
    group.members.add(*agents)
    return group, agents


def test_sixteen_agents_get_sixteen_different_tickets(queue_with_agents):
    group, agents = queue_with_agents
    tickets = TicketFactory.create_batch(20, assignment_group=group)

    results = _claim_all_at_once(group, agents)

    assert None not in results
    assert len(set(results)) == AGENTS  # never one ticket twice
    assert set(results) <= {t.pk for t in tickets}
    claims = TicketEvent.objects.filter(action="claimed", field="assignee")
    assert Counter(claims.values_list("ticket_id", flat=True)) == Counter(dict.fromkeys(results, 1))


def test_when_the_queue_runs_dry_the_rest_get_queue_empty(queue_with_agents):
    group, agents = queue_with_agents
    tickets = TicketFactory.create_batch(10, assignment_group=group)

    results = _claim_all_at_once(group, agents)

    handed_out = [pk for pk in results if pk is not None]
    assert sorted(handed_out) == sorted(t.pk for t in tickets)  # all ten, each exactly once
    assert results.count(None) == AGENTS - 10
