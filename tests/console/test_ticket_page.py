"""The ticket page: fields, merged history and comments, files, and who may see what."""

from __future__ import annotations

import pytest

from incidents import services
from tests.factories import TicketFactory

from .helpers import ticket_url

pytestmark = pytest.mark.django_db


def test_ticket_page_shows_history_events_and_comments_in_time_order(console_for, agent, logged_ticket):
    services.comment_add(ticket=logged_ticket, actor=agent, body="Asked the caller to restart.")
    services.ticket_claim(ticket=logged_ticket, actor=agent)

    response = console_for(agent).get(ticket_url(logged_ticket.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert [entry.action for entry in response.context["timeline"]] == ["created", "comment", "claimed"]
    assert "Asked the caller to restart." in page
    assert "Claimed" in page
    assert "In progress" in page  # the state change of the claim, by its label


def test_ticket_page_shows_each_change_as_field_old_to_new(console_for, agent, logged_ticket):
    services.ticket_pend(ticket=logged_ticket, actor=agent, reason="customer")

    response = console_for(agent).get(ticket_url(logged_ticket.pk))

    assert "State New → Pending" in response.content.decode()


def test_agent_sees_internal_comments_marked_internal(console_for, agent, logged_ticket):
    services.comment_add(ticket=logged_ticket, actor=agent, body="Caller is on the VIP list.", internal=True)

    response = console_for(agent).get(ticket_url(logged_ticket.pk))

    assert "VIP list" in response.content.decode()
    assert "badge-internal" in response.content.decode()


def test_agent_who_may_work_sees_the_buttons_valid_for_a_new_ticket(console_for, agent, logged_ticket):
    response = console_for(agent).get(ticket_url(logged_ticket.pk))

    page = response.content.decode()
    for transition in ("claim", "pend", "resolve", "assign"):
        assert f"/{logged_ticket.pk}/{transition}/" in page
    for transition in ("reopen", "close"):
        assert f"/{logged_ticket.pk}/{transition}/" not in page


def test_ticket_page_links_parent_and_visible_children(
    client, end_user, other_end_user, agent, first_line_group
):

    parent = TicketFactory(
        caller=end_user, assignment_group=first_line_group, title="Network down in building A"
    )
    mine = TicketFactory(caller=end_user, parent=parent, title="My PC is offline")
    theirs = TicketFactory(caller=other_end_user, parent=parent, title="Their PC is offline")

    client.force_login(agent)
    agent_page = client.get(f"/console/tickets/{parent.pk}/").content.decode()
    child_page = client.get(f"/console/tickets/{mine.pk}/").content.decode()

    assert mine.number in agent_page and theirs.number in agent_page
    assert parent.number in child_page
