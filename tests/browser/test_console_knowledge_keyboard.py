"""An agent finds an article for a ticket and resolves the ticket with it, by keyboard alone in
Chromium; axe finds no violations on the article page of the console."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import State, Ticket
from knowledge.models import TicketArticle
from servicedesk.models import GroupLevel, Role
from tests.factories import AssignmentGroupFactory, UserFactory
from tests.knowledge.factories import ArticleFactory

from .conftest import assert_accessible
from .test_portal_keyboard import submit, tab_to

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene(db: None) -> dict[str, Any]:
    group = AssignmentGroupFactory(name="Kundesenteret", level=GroupLevel.FIRST_LINE)
    agent = UserFactory(username="agent_kb", role=Role.FIRST_LINE, preferred_language="en")
    group.members.add(agent)
    caller = UserFactory(username="caller_kb", role=Role.END_USER)
    ticket = services.ticket_create(actor=agent, caller=caller, title="Skriveren på post 4 skriver ikke")
    article = ArticleFactory(title="Skriveren skriver ikke ut", body="Slå skriveren av og på.")
    return {"ticket": ticket, "article": article}


def test_an_agent_resolves_a_ticket_with_an_article_by_keyboard(page, axe, live_server, scene):
    base = live_server.url
    ticket: Ticket = scene["ticket"]
    page.goto(f"{base}{reverse('login')}")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("agent_kb")
    page.keyboard.press("Tab")
    page.keyboard.type("pw")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.goto(f"{base}{reverse('console:ticket', args=[ticket.pk])}")
    tab_to(page, page.get_by_role("link", name="Find, link or resolve with an article"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/console/kb/tickets/\d+/$"))
    assert_accessible(axe, page, "the console's article page for a ticket")

    # The ticket's title already found the article; open "Resolve with this article…".
    tab_to(page, page.get_by_text("Resolve with this article…"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Resolution code"))
    page.keyboard.press("ArrowDown")  # the first code
    page.keyboard.press("Tab")
    page.keyboard.type("Fulgte artikkelen sammen med innringer.")
    tab_to(page, page.get_by_role("button", name=f"Resolve {ticket.number} with this article"))
    submit(page)

    assert page.get_by_text(f"{ticket.number} resolved with the article").is_visible()
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    assert TicketArticle.objects.get(ticket=ticket, article=scene["article"]).resolved_with
