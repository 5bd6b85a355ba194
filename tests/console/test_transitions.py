"""State buttons on the ticket page: each calls its service; refusals change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import State, Ticket
from tests.factories import AssignmentGroupFactory, TicketFactory

from .helpers import flashed, ticket_url, transition_url

pytestmark = pytest.mark.django_db


def snapshot(ticket: Ticket) -> tuple[object, ...]:
    ticket.refresh_from_db()
    return (
        ticket.state,
        ticket.assignee_id,
        ticket.assignment_group_id,
        ticket.updated_at,
        ticket.events.count(),
    )


def test_agent_resolves_a_ticket_from_its_page(console_for, agent, logged_ticket):
    response = console_for(agent).post(
        transition_url(logged_ticket.pk, "resolve"),
        {"code": "solved", "note": "Password reset."},
        follow=True,
    )

    logged_ticket.refresh_from_db()
    assert logged_ticket.state == State.RESOLVED
    assert f"{logged_ticket.number} is resolved." in flashed(response)


def test_resolver_of_another_group_changes_nothing(console_for, resolver):
    # Given a ticket of another group that the resolver may see (they called it in) ...
    ticket = TicketFactory(caller=resolver, assignment_group=AssignmentGroupFactory(name="Network"))
    before = snapshot(ticket)

    # ... when they try to resolve it from the console
    response = console_for(resolver).post(
        transition_url(ticket.pk, "resolve"), {"code": "solved", "note": "Fixed."}, follow=True
    )

    # then they are told no, and the ticket is as it was.
    assert response.redirect_chain[0] == (ticket_url(ticket.pk), 302)
    assert "You may not change tickets of another group." in flashed(response)
    assert snapshot(ticket) == before


def test_resolver_cannot_reach_a_ticket_of_another_group_they_may_not_see(console_for, resolver):
    ticket = TicketFactory(assignment_group=AssignmentGroupFactory(name="Network"))
    before = snapshot(ticket)

    response = console_for(resolver).post(transition_url(ticket.pk, "claim"))

    assert response.status_code == 404
    assert snapshot(ticket) == before


def test_closing_a_new_ticket_is_refused_and_changes_nothing(console_for, agent, logged_ticket):
    before = snapshot(logged_ticket)

    response = console_for(agent).post(transition_url(logged_ticket.pk, "close"), follow=True)

    assert "A ticket that is New cannot become Closed." in flashed(response)
    assert snapshot(logged_ticket) == before


def test_starting_a_closed_ticket_is_refused_and_changes_nothing(console_for, agent, logged_ticket):
    services.ticket_resolve(ticket=logged_ticket, actor=agent, code="solved", note="Done.")
    services.ticket_close(ticket=logged_ticket, actor=agent)
    before = snapshot(logged_ticket)

    response = console_for(agent).post(transition_url(logged_ticket.pk, "start"), follow=True)

    assert "A ticket that is Closed cannot become In progress." in flashed(response)
    assert snapshot(logged_ticket) == before


def test_pend_without_a_reason_is_refused_with_a_message(console_for, agent, logged_ticket):
    before = snapshot(logged_ticket)

    response = console_for(agent).post(transition_url(logged_ticket.pk, "pend"), {"reason": ""}, follow=True)

    assert any("Reason" in message for message in flashed(response))
    assert snapshot(logged_ticket) == before


def test_agent_assigns_a_ticket_to_a_group_member(
    console_for, agent, resolver, second_line_group, logged_ticket
):
    console_for(agent).post(
        reverse("console:ticket-assign", kwargs={"pk": logged_ticket.pk}),
        {"group": second_line_group.pk, "assignee": resolver.pk, "note": "For the EPR team"},
    )

    logged_ticket.refresh_from_db()
    assert logged_ticket.assignment_group == second_line_group
    assert logged_ticket.assignee == resolver


def test_transitions_accept_only_post(console_for, agent, logged_ticket):
    response = console_for(agent).get(transition_url(logged_ticket.pk, "claim"))

    assert response.status_code == 405


