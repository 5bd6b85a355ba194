"""Log a call: one submit creates the ticket and resolves, escalates or keeps it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from incidents import selectors
from incidents.models import EventAction, State, Ticket

from .helpers import ticket_url

pytestmark = pytest.mark.django_db

NEW_URL = reverse("console:ticket-new")


def call_data(caller_id: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "caller": caller_id,
        "kind": "incident",
        "channel": "phone",
        "impact": 3,
        "urgency": 3,
        "title": "Cannot print from the ward PC",
        "description": "Printer shows offline.",
        "outcome": "keep",
    }
    data.update(overrides)
    return data


def test_log_call_page_autofocuses_the_caller_search(console_for, agent):
    response = console_for(agent).get(NEW_URL)

    assert response.status_code == 200
    assert 'id="caller-q"' in response.content.decode()
    assert "autofocus" in response.content.decode()


def test_call_resolved_now_is_resolved_by_the_agents_first_line_group(
    console_for, agent, end_user, first_line_group
):
    response = console_for(agent).post(
        NEW_URL,
        call_data(
            end_user.pk, outcome="resolve", resolution_code="solved", resolution_note="Restarted the spooler."
        ),
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == ticket_url(ticket.pk)
    assert ticket.state == State.RESOLVED
    assert ticket.resolved_by_group == first_line_group
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions.count(EventAction.CREATED) == 1
    assert set(actions) == {EventAction.CREATED, EventAction.RESOLVED}


def test_call_escalated_lands_in_the_second_line_groups_queue(
    console_for, agent, end_user, second_line_group, resolver
):
    response = console_for(agent).post(
        NEW_URL, call_data(end_user.pk, outcome="escalate", escalate_to=second_line_group.pk)
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.assignment_group == second_line_group
    assert ticket.assignee is None
    assert ticket.reassignment_count == 1
    assert [q.waiting for q in selectors.queues_for(resolver)] == [1]


def test_call_kept_is_in_progress_with_the_agent(console_for, agent, end_user):
    console_for(agent).post(NEW_URL, call_data(end_user.pk))

    ticket = Ticket.objects.get()
    assert ticket.state == State.IN_PROGRESS
    assert ticket.assignee == agent


def test_success_message_shows_the_ticket_number(console_for, agent, end_user):
    response = console_for(agent).post(NEW_URL, call_data(end_user.pk), follow=True)

    ticket = Ticket.objects.get()
    assert ticket.number in response.content.decode()


def test_call_without_title_shows_a_form_error_and_creates_no_ticket(console_for, agent, end_user):
    response = console_for(agent).post(NEW_URL, call_data(end_user.pk, title=""))

    assert response.status_code == 400
    assert response.context["form"].errors["title"]
    assert Ticket.objects.count() == 0


def test_call_with_an_unknown_caller_id_shows_a_form_error(console_for, agent):
    response = console_for(agent).post(NEW_URL, call_data(999_999))

    assert response.status_code == 400
    assert response.context["form"].errors["caller"] == ["That caller does not exist or is no longer active."]
    assert Ticket.objects.count() == 0


def test_resolve_now_without_a_note_shows_a_form_error(console_for, agent, end_user):
    response = console_for(agent).post(
        NEW_URL, call_data(end_user.pk, outcome="resolve", resolution_code="solved")
    )

    assert response.context["form"].errors["resolution_note"]
    assert Ticket.objects.count() == 0


def test_refused_escalation_is_shown_on_the_group_field_and_nothing_is_saved(
    console_for, agent, end_user, first_line_group
):
    # Given the agent's own group: the service refuses to "escalate" to it.
    response = console_for(agent).post(
        NEW_URL, call_data(end_user.pk, outcome="escalate", escalate_to=first_line_group.pk)
    )

    assert response.status_code == 400
    assert response.context["form"].errors["escalate_to"] == ["The ticket is already with that group."]
    assert Ticket.objects.count() == 0


def test_re_shown_form_keeps_the_chosen_caller_selected(console_for, agent, end_user):
    response = console_for(agent).post(NEW_URL, call_data(end_user.pk, title=""))

    assert f'value="{end_user.pk}" id="caller-{end_user.pk}" checked' in response.content.decode()


def test_end_user_may_not_log_a_call_in_the_console(console_for, end_user):
    response = console_for(end_user).get(NEW_URL)

    assert response.status_code == 302  # end users are sent to the portal
    assert response["Location"].startswith("/portal/")
