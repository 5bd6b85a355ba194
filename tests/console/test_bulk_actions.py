"""Bulk actions on the ticket list: assign, escalate, change priority, row by row through the
services (each row's history written); refused rows reported; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import EventAction, State, Ticket, TicketEvent
from servicedesk.models import Role
from tests.factories import AssignmentGroupFactory, TicketFactory, UserFactory

from .helpers import flashed

pytestmark = pytest.mark.django_db

BULK = reverse("console:ticket-bulk")


def _post(client, tickets, **data):
    payload = {"tickets": [t.pk for t in tickets], "list_query": "open=true", **data}
    return client.post(BULK, payload)


def _history(ticket: Ticket, *actions: str) -> list[TicketEvent]:
    return list(ticket.events.filter(action__in=actions))


@pytest.fixture
def tickets(agent, end_user):
    return [services.ticket_create(actor=agent, caller=end_user, title=f"Printer {i}") for i in range(3)]


def test_agent_assigns_the_selected_tickets_to_a_member_of_a_group(
    console_for, agent, tickets, resolver, second_line_group
):
    response = _post(
        console_for(agent), tickets, action="assign", group=second_line_group.pk, assignee=resolver.pk
    )

    assert (
        response.status_code == 302 and response["Location"] == reverse("console:ticket-list") + "?open=true"
    )
    for ticket in tickets:
        ticket.refresh_from_db()
        assert (ticket.assignment_group, ticket.assignee, ticket.state) == (
            second_line_group,
            resolver,
            State.ASSIGNED,
        )
        assert {e.field for e in _history(ticket, EventAction.ASSIGNED, EventAction.ESCALATED)} >= {
            "assignment_group",
            "assignee",
        }


def test_a_person_outside_the_chosen_group_is_refused_before_anything_is_saved(
    console_for, agent, tickets, second_line_group
):
    stranger = UserFactory(role=Role.RESOLVER, first_name="Siri", last_name="Utenfor")
    events = TicketEvent.objects.count()

    response = _post(
        console_for(agent), tickets, action="assign", group=second_line_group.pk, assignee=stranger.pk
    )

    assert response.status_code == 400
    assert "That person is not a member of Clinical systems." in response.content.decode()
    assert TicketEvent.objects.count() == events
    assert not Ticket.objects.filter(assignment_group=second_line_group).exists()
    # The list comes back with the same rows ticked.
    assert response.context["selected_ids"] == {t.pk for t in tickets}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "assign"}, "Choose the group."),
        ({"action": "escalate", "group": "999999"}, "Select a valid choice."),
        ({"action": "fly"}, "Select a valid choice."),
        ({"action": "priority", "impact": "1"}, "Choose the urgency."),
        ({"action": "priority", "impact": "9", "urgency": "1"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_form_error_and_changes_nothing(console_for, agent, tickets, data, message):
    events = TicketEvent.objects.count()

    response = _post(console_for(agent), tickets, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert TicketEvent.objects.count() == events


def test_no_ticket_selected_is_a_form_error(console_for, agent, second_line_group):
    response = _post(console_for(agent), [], action="escalate", group=second_line_group.pk)

    assert response.status_code == 400
    assert "Select at least one ticket." in response.content.decode()


def test_tickets_the_actor_may_not_change_are_refused_row_by_row_and_the_others_change(
    console_for, resolver, second_line_group
):
    third_line = AssignmentGroupFactory(name="Network")
    own = TicketFactory.create_batch(2, assignment_group=second_line_group, state=State.ASSIGNED)
    # Visible to the resolver (they called it in) but another group's ticket.
    foreign = TicketFactory(assignment_group=third_line, caller=resolver, state=State.NEW)
    closed = TicketFactory(assignment_group=second_line_group, state=State.CLOSED)
    invisible = TicketFactory(assignment_group=third_line)

    response = console_for(resolver).post(
        BULK,
        {
            "tickets": [t.pk for t in [*own, foreign, closed, invisible]],
            "action": "escalate",
            "group": third_line.pk,
        },
        follow=True,
    )

    shown = flashed(response)
    assert f"{foreign.number} not changed: You may not change tickets of another group." in shown
    assert f"{closed.number} not changed: A closed ticket cannot be assigned." in shown
    assert f"#{invisible.pk} not changed: No such ticket." in shown
    assert "2 tickets changed." in shown
    for ticket in own:
        ticket.refresh_from_db()
        assert ticket.assignment_group == third_line
        assert _history(ticket, EventAction.ASSIGNED, EventAction.ESCALATED)
    foreign.refresh_from_db()
    assert foreign.assignment_group == third_line and not foreign.events.exists()


def test_when_every_selected_ticket_is_refused_nothing_changes_and_the_list_says_why(
    console_for, resolver, second_line_group
):
    ticket = TicketFactory(assignment_group=second_line_group, state=State.ASSIGNED)

    response = _post(console_for(resolver), [ticket], action="escalate", group=second_line_group.pk)

    assert response.status_code == 400
    assert "None of the selected tickets could be changed." in response.content.decode()
    assert not ticket.events.exists()


def test_change_priority_sets_impact_and_urgency_and_the_matrix_gives_the_priority(
    console_for, agent, tickets
):
    response = _post(console_for(agent), tickets, action="priority", impact="1", urgency="1")

    assert response.status_code == 302
    for ticket in tickets:
        ticket.refresh_from_db()
        assert (ticket.impact, ticket.urgency, ticket.priority) == (1, 1, 1)
        changed = {e.field: (e.old_value, e.new_value) for e in _history(ticket, EventAction.UPDATED)}
        assert changed["priority"] == ("4", "1")


def test_end_users_cannot_use_bulk_actions(console_for, end_user, tickets, second_line_group):
    response = _post(console_for(end_user), tickets, action="escalate", group=second_line_group.pk)

    assert response.status_code in (403, 404)
    assert not Ticket.objects.filter(assignment_group=second_line_group).exists()


def test_the_bar_offers_the_actions_and_a_checkbox_per_row(console_for, agent, tickets):
    page = console_for(agent).get(reverse("console:ticket-list")).content.decode()

    assert 'action="/console/tickets/bulk/"' in page
    for ticket in tickets:
        assert f'name="tickets" value="{ticket.pk}"' in page
    for label in ("Assign", "Escalate to a group", "Change priority"):
        assert f">{label}</option>" in page
