"""Pages run a fixed number of queries, however many rows they show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.models import EventAction, Ticket, TicketEvent
from tests.factories import CategoryFactory, CommentFactory, ServiceFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def queries_for(client: Client, url: str) -> int:
    client.get(url)  # warm-up: one-off work (e.g. first-use caches) is not what we measure
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_tickets(count: int) -> None:
    # Every row with its own caller, assignee, group and service: a per-row query would show.
    for _ in range(count):
        TicketFactory(service=ServiceFactory(), assignee=UserFactory())


def add_history(ticket: Ticket, count: int) -> None:
    """Half comments, half events, each by a different person."""
    start = timezone.now()
    for i in range(count // 2):
        CommentFactory(ticket=ticket, created_at=start + timedelta(seconds=i), internal=i % 3 == 0)
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=ticket,
            actor=UserFactory(),
            action=EventAction.UPDATED,
            field="title",
            old_value=f"Title {i}",
            new_value=f"Title {i + 1}",
            created_at=start + timedelta(seconds=i, milliseconds=500),
        )
        for i in range(count - count // 2)
    )


def test_ticket_list_runs_as_many_queries_for_200_tickets_as_for_10(console_for, agent):
    client = console_for(agent)
    url = reverse("console:ticket-list")
    add_tickets(10)
    with_10 = queries_for(client, url)

    add_tickets(190)
    with_200 = queries_for(client, url)

    assert with_10 == with_200


def test_ticket_list_of_a_resolver_runs_as_many_queries_for_200_tickets_as_for_10(
    console_for, resolver, second_line_group
):
    client = console_for(resolver)
    url = reverse("console:ticket-list") + "?open=true&state=new&state=assigned"
    TicketFactory.create_batch(10, assignment_group=second_line_group, service=ServiceFactory())
    with_10 = queries_for(client, url)

    TicketFactory.create_batch(190, assignment_group=second_line_group, assignee=UserFactory())
    with_200 = queries_for(client, url)

    assert with_10 == with_200


def test_ticket_list_with_saved_views_a_chosen_assignee_and_people_found_stays_constant(
    console_for, agent, first_line_group
):
    """The list's own controls (saved views, person picker, bulk bar) cost the same for any rows."""
    from incidents.models import SavedView

    SavedView.objects.create(owner=agent, name="Mine", query="assignee=me")
    colleague = UserFactory()
    SavedView.objects.create(owner=colleague, name="Shared", query="open=true", shared_with=first_line_group)
    client = console_for(agent)
    url = reverse("console:ticket-list") + f"?assignee={agent.pk}&assignee_q=a&person_q=ag&sort=time_left"
    TicketFactory.create_batch(10, assignee=agent, service=ServiceFactory())
    with_10 = queries_for(client, url)

    TicketFactory.create_batch(190, assignee=agent, service=ServiceFactory(), caller=UserFactory())
    with_200 = queries_for(client, url)

    assert with_10 == with_200


def test_ticket_page_runs_as_many_queries_for_200_entries_as_for_10(console_for, agent):
    parent = CategoryFactory(name="Clinical")
    ticket = TicketFactory(service=ServiceFactory(), category=CategoryFactory(parent=parent), assignee=agent)
    client = console_for(agent)
    url = reverse("console:ticket", kwargs={"pk": ticket.pk})
    add_history(ticket, 10)
    with_10 = queries_for(client, url)

    add_history(ticket, 190)
    with_200 = queries_for(client, url)

    assert with_10 == with_200


def test_portal_ticket_page_runs_as_many_queries_for_200_entries_as_for_10(console_for, end_user):
    ticket = TicketFactory(caller=end_user)
    client = console_for(end_user)
    url = reverse("portal:ticket", kwargs={"pk": ticket.pk})
    add_history(ticket, 10)
    with_10 = queries_for(client, url)

    add_history(ticket, 190)
    with_200 = queries_for(client, url)

    assert with_10 == with_200
