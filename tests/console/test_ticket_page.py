"""The ticket page: fields, merged history and comments, files, and who may see what."""

from __future__ import annotations

import pytest
from django.urls import reverse

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


def test_end_user_gets_404_for_another_end_users_ticket(console_for, end_user, other_end_user):
    ticket = TicketFactory(caller=other_end_user)

    response = console_for(end_user).get(ticket_url(ticket.pk))

    assert response.status_code == 404


def test_end_user_gets_404_for_another_end_users_attachment(console_for, end_user, other_end_user, attach):
    ticket = TicketFactory(caller=other_end_user)
    attachment = attach(ticket, other_end_user)

    response = console_for(end_user).get(reverse("console:attachment", kwargs={"pk": attachment.pk}))

    assert response.status_code == 404


def test_end_user_never_sees_an_internal_comment_on_their_own_ticket(
    console_for, agent, end_user, logged_ticket
):
    services.comment_add(ticket=logged_ticket, actor=agent, body="Caller is on the VIP list.", internal=True)
    services.comment_add(ticket=logged_ticket, actor=agent, body="We are looking into it.")

    response = console_for(end_user).get(ticket_url(logged_ticket.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "We are looking into it." in page
    assert "VIP list" not in page


def test_agent_sees_internal_comments_marked_internal(console_for, agent, logged_ticket):
    services.comment_add(ticket=logged_ticket, actor=agent, body="Caller is on the VIP list.", internal=True)

    response = console_for(agent).get(ticket_url(logged_ticket.pk))

    assert "VIP list" in response.content.decode()
    assert "badge-internal" in response.content.decode()


def test_internal_attachment_url_gives_404_to_the_caller(console_for, agent, end_user, logged_ticket, attach):
    attachment = attach(logged_ticket, agent, name="notes.txt", internal=True)
    url = reverse("console:attachment", kwargs={"pk": attachment.pk})

    assert console_for(end_user).get(url).status_code == 404
    assert console_for(agent).get(url).status_code == 200
    assert "notes.txt" not in console_for(end_user).get(ticket_url(logged_ticket.pk)).content.decode()


def test_end_user_sees_only_comment_and_file_forms_on_their_ticket(console_for, end_user, logged_ticket):
    response = console_for(end_user).get(ticket_url(logged_ticket.pk))

    page = response.content.decode()
    assert 'name="body"' in page
    assert 'type="file"' in page
    assert 'name="internal"' not in page
    assert "/resolve/" not in page
    assert "/claim/" not in page


def test_caller_sees_a_reopen_button_on_their_resolved_ticket(console_for, agent, end_user, logged_ticket):
    services.ticket_resolve(ticket=logged_ticket, actor=agent, code="solved", note="Reset the password.")

    response = console_for(end_user).get(ticket_url(logged_ticket.pk))

    assert "/reopen/" in response.content.decode()


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
    from tests.factories import TicketFactory

    parent = TicketFactory(
        caller=end_user, assignment_group=first_line_group, title="Network down in building A"
    )
    mine = TicketFactory(caller=end_user, parent=parent, title="My PC is offline")
    theirs = TicketFactory(caller=other_end_user, parent=parent, title="Their PC is offline")

    client.force_login(agent)
    agent_page = client.get(f"/console/tickets/{parent.pk}/").content.decode()
    client.force_login(end_user)
    end_user_page = client.get(f"/console/tickets/{parent.pk}/").content.decode()
    child_page = client.get(f"/console/tickets/{mine.pk}/").content.decode()

    assert mine.number in agent_page and theirs.number in agent_page
    assert mine.number in end_user_page and theirs.number not in end_user_page
    assert parent.number in child_page
