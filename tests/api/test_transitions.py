"""The ticket lifecycle through the API: every transition checked, every change recorded."""

from __future__ import annotations

import pytest

from incidents.models import State, TicketEvent

pytestmark = pytest.mark.django_db


def _events(ticket):
    return [
        (e.action, e.field, e.old_value, e.new_value)
        for e in TicketEvent.objects.filter(ticket=ticket).order_by("id")
    ]


def test_full_lifecycle_yields_one_event_per_changed_field(
    api_for, agent, resolver, end_user, second_line_group, ticket_of
):
    ticket = ticket_of(end_user)
    agent_api, resolver_api = api_for(agent), api_for(resolver)

    steps = [
        (agent_api, "escalate", {"group": second_line_group.pk}),
        (resolver_api, "claim", {}),
        (resolver_api, "pend", {"reason": "customer"}),
        (resolver_api, "start", {}),
        (resolver_api, "resolve", {"code": "solved", "note": "Replaced the toner"}),
        (agent_api, "reopen", {"reason": "Still streaks"}),
        (resolver_api, "resolve", {"code": "solved", "note": "Replaced the drum"}),
        (agent_api, "close", {}),
    ]
    for client, transition, body in steps:
        response = client.post(f"/api/tickets/{ticket.pk}/{transition}/", body)
        assert response.status_code == 200, (transition, response.json())

    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert ticket.reassignment_count == 1
    assert ticket.reopen_count == 1
    assert _events(ticket) == [
        ("escalated", "assignment_group", "Customer centre", "Clinical systems"),
        ("escalated", "state", "new", "assigned"),
        ("claimed", "assignee", "", str(resolver)),
        ("claimed", "state", "assigned", "in_progress"),
        ("pended", "state", "in_progress", "pending"),
        ("pended", "pending_reason", "", "customer"),
        ("started", "state", "pending", "in_progress"),
        ("started", "pending_reason", "customer", ""),
        ("resolved", "state", "in_progress", "resolved"),
        ("resolved", "resolution_code", "", "solved"),
        ("resolved", "resolution_note", "", "Replaced the toner"),
        ("reopened", "state", "resolved", "in_progress"),
        ("reopened", "resolution_code", "solved", ""),
        ("reopened", "resolution_note", "Replaced the toner", ""),
        ("resolved", "state", "in_progress", "resolved"),
        ("resolved", "resolution_code", "", "solved"),
        ("resolved", "resolution_note", "", "Replaced the drum"),
        ("closed", "state", "resolved", "closed"),
    ]


def test_events_endpoint_shows_the_history_with_actor(api_for, agent, end_user, ticket_of):
    ticket = ticket_of(end_user)
    api_for(agent).post(f"/api/tickets/{ticket.pk}/claim/", {})

    events = api_for(agent).get(f"/api/tickets/{ticket.pk}/events/").json()

    assert [(e["action"], e["field"]) for e in events] == [("claimed", "assignee"), ("claimed", "state")]
    assert events[0]["actor"]["id"] == agent.pk
    assert events[0]["details"]["queue_wait_seconds"] >= 0


def test_created_ticket_has_a_created_event(api_for, agent, end_user, first_line_group):
    body = api_for(agent).post("/api/tickets/", {"caller": end_user.pk, "title": "No sound"}).json()

    events = api_for(agent).get(f"/api/tickets/{body['id']}/events/").json()

    assert [e["action"] for e in events] == ["created"]


@pytest.mark.parametrize(
    ("state", "transition", "body"),
    [
        (State.NEW, "close", {}),
        (State.CLOSED, "start", {}),
        (State.CLOSED, "reopen", {}),
        (State.NEW, "reopen", {}),
        (State.CLOSED, "resolve", {"code": "solved", "note": "x"}),
        (State.RESOLVED, "pend", {"reason": "customer"}),
    ],
)
def test_illegal_transition_is_409_and_changes_nothing(
    api_for, agent, end_user, ticket_of, state, transition, body
):
    ticket = ticket_of(end_user, state=state, assignee=agent)

    response = api_for(agent).post(f"/api/tickets/{ticket.pk}/{transition}/", body)

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    ticket.refresh_from_db()
    assert ticket.state == state
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_claiming_an_already_claimed_ticket_is_409(api_for, agent, end_user, ticket_of, first_line_group):
    from tests.factories import UserFactory

    other = UserFactory(role="first_line")
    first_line_group.members.add(other)
    ticket = ticket_of(end_user)
    api_for(agent).post(f"/api/tickets/{ticket.pk}/claim/", {})

    response = api_for(other).post(f"/api/tickets/{ticket.pk}/claim/", {})

    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_assign_to_someone_outside_the_group_is_refused(
    api_for, agent, end_user, ticket_of, second_line_group
):
    ticket = ticket_of(end_user)

    response = api_for(agent).post(
        f"/api/tickets/{ticket.pk}/assign/", {"group": second_line_group.pk, "assignee": agent.pk}
    )

    assert response.status_code == 400
    assert "assignee" in response.json()
    ticket.refresh_from_db()
    assert ticket.assignment_group != second_line_group


def test_end_user_reopens_their_resolved_ticket(api_for, agent, end_user, ticket_of):
    ticket = ticket_of(end_user, state=State.RESOLVED, assignee=agent, resolution_code="solved")

    response = api_for(end_user).post(f"/api/tickets/{ticket.pk}/reopen/", {"reason": "It broke again"})

    assert response.status_code == 200
    assert response.json()["state"] == State.IN_PROGRESS


def test_end_user_cannot_resolve_their_own_ticket(api_for, end_user, ticket_of):
    ticket = ticket_of(end_user)

    response = api_for(end_user).post(f"/api/tickets/{ticket.pk}/resolve/", {"code": "solved", "note": "x"})

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.state == State.NEW


def test_a_work_note_given_with_an_escalation_is_kept_on_its_history_rows(
    api_for, agent, end_user, ticket_of, second_line_group
):
    ticket = ticket_of(end_user)

    response = api_for(agent).post(
        f"/api/tickets/{ticket.pk}/escalate/", {"group": second_line_group.pk, "note": "Monitoring: EPR down"}
    )

    assert response.status_code == 200
    event = TicketEvent.objects.get(ticket=ticket, field="assignment_group")
    assert event.details["note"] == "Monitoring: EPR down"
