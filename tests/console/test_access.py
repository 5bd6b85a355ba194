"""Who may open the console, and the ticket list's filters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["console:home", "console:ticket-list", "console:ticket-new", "console:queues"]
)
def test_anonymous_user_is_redirected_to_login(name):
    url = reverse(name)

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_login_page_has_labelled_fields(db):
    response = Client().get("/login/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username"' in page
    assert '<label for="id_password"' in page


def test_ticket_list_filters_by_ticket_number(console_for, agent):
    wanted, _other = TicketFactory(), TicketFactory()

    response = console_for(agent).get(reverse("console:ticket-list"), {"q": wanted.number})

    assert list(response.context["tickets"]) == [wanted]


def test_invalid_filters_show_errors_instead_of_failing(console_for, agent):
    TicketFactory()

    response = console_for(agent).get(
        reverse("console:ticket-list"), {"assignee": "somebody", "priority": "9", "created_after": "soon"}
    )

    assert response.status_code == 200
    assert list(response.context["tickets"]) == []
    page = response.content.decode()
    assert "Use &#x27;me&#x27;, &#x27;none&#x27; or a user id." in page
    assert "Some filters are not valid" in page


def test_ticket_list_is_paginated_by_25(console_for, agent):
    TicketFactory.create_batch(30)

    first = console_for(agent).get(reverse("console:ticket-list"))
    second = console_for(agent).get(reverse("console:ticket-list"), {"page": 2})

    assert len(first.context["tickets"]) == 25
    assert len(second.context["tickets"]) == 5


# --- end users never see the console (the portal is theirs) ----------------------------------


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("console:home", "portal:home"),
        ("console:ticket-list", "portal:tickets"),
        ("console:queues", "portal:home"),
        ("console:notifications", "portal:home"),
        ("console:customer-centre", "portal:home"),
    ],
)
def test_end_user_is_sent_from_a_console_page_to_the_portal(console_for, end_user, name, target):
    response = console_for(end_user).get(reverse(name))

    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_end_user_is_sent_from_the_console_ticket_page_to_the_portal_ticket(console_for, end_user):
    ticket = TicketFactory(caller=end_user)

    response = console_for(end_user).get(reverse("console:ticket", kwargs={"pk": ticket.pk}))

    assert response["Location"] == reverse("portal:ticket", kwargs={"pk": ticket.pk})


@pytest.mark.parametrize("suffix", ["comments/", "attachments/", "resolve/", "reopen/"])
def test_end_users_posts_to_the_console_are_404_and_change_nothing(console_for, end_user, suffix):
    ticket = TicketFactory(caller=end_user)

    response = console_for(end_user).post(
        f"/console/tickets/{ticket.pk}/{suffix}", {"body": "x", "reason": "x"}
    )

    assert response.status_code == 404
    assert not ticket.comments.exists()
    assert ticket.events.count() == 0
