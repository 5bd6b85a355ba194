"""End to end in Chromium: an end user searches, reads, reports a fault and follows it; an agent
resolves it in the console; the user rates it. axe-core checks each portal page on the way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from incidents.models import Channel, Ticket
from portal.models import SurveyAnswer
from servicedesk.models import GroupLevel, Role
from tests.factories import AssignmentGroupFactory, ServiceFactory, UserFactory
from tests.knowledge.factories import ArticleFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene(db: None) -> dict[str, Any]:
    group = AssignmentGroupFactory(name="Kundesenteret", level=GroupLevel.FIRST_LINE)
    agent = UserFactory(username="agent_b", role=Role.FIRST_LINE, preferred_language="en")
    group.members.add(agent)
    user = UserFactory(username="nurse_b", role=Role.END_USER, preferred_language="en", first_name="Kari")
    ServiceFactory(name="Utskrift", owner_group=group)
    article = ArticleFactory(
        title="Skriveren skriver ikke ut",
        body="Sjekk at skriveren har **papir** og toner.\n\n- Slå av og på\n- Velg riktig skriver",
    )
    ArticleFactory(title="Bytt passord", body="Trykk Ctrl+Alt+Del.")
    return {"agent": agent, "user": user, "article": article}


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}{reverse('login')}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_label("Password").press("Enter")
    page.wait_for_load_state()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


def test_end_user_finds_help_reports_a_fault_and_rates_the_resolution(page, axe, live_server, scene):
    base = live_server.url

    # The end user lands on the portal.
    sign_in(page, base, "nurse_b")
    assert page.url == f"{base}{reverse('portal:home')}"
    assert_accessible(axe, page, "portal home")

    # Search, by keyboard: "skriveren" finds the article.
    page.get_by_label("Search for help").focus()
    page.keyboard.type("skriveren")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/portal/search/"))
    assert page.locator("mark").first.is_visible()
    assert_accessible(axe, page, "search results")

    page.get_by_role("link", name="Skriveren skriver ikke ut").click()
    page.wait_for_url(re.compile(r"/portal/articles/"))
    assert page.locator(".kb-body strong").inner_text() == "papir"
    assert_accessible(axe, page, "an article")

    # Report a fault: suggestions appear while typing the title (htmx).
    page.get_by_role("link", name="Report a fault").first.click()
    page.wait_for_url(re.compile(r"/portal/report/"))
    assert_accessible(axe, page, "report a fault")
    page.get_by_label("Which service or system is it about?").fill("Utskrift")
    page.get_by_label("What is wrong? (short)").press_sequentially("Skriveren på post 4", delay=30)
    page.locator("#suggestions").get_by_role("link", name=re.compile("Skriveren skriver ikke ut")).wait_for()
    assert_accessible(axe, page, "report a fault with suggestions")
    page.get_by_label("Describe the problem").fill("Den blinker rødt.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/portal/tickets/\d+/"))
    ticket = Ticket.objects.get(title="Skriveren på post 4")
    assert ticket.channel == Channel.PORTAL
    assert page.get_by_text(f"Your case {ticket.number} has been registered").is_visible()
    assert_accessible(axe, page, "a ticket")

    page.get_by_role("link", name="My cases").first.click()
    page.wait_for_url(re.compile(r"/portal/tickets/$"))
    assert page.get_by_role("link", name=ticket.number).is_visible()
    assert_accessible(axe, page, "my tickets")
    sign_out(page)

    # The agent resolves it in the console.
    sign_in(page, base, "agent_b")
    page.goto(f"{base}{reverse('console:ticket', kwargs={'pk': ticket.pk})}")
    page.get_by_text("Resolve…").click()
    page.get_by_label("Resolution code").select_option("solved")
    page.get_by_label("Resolution note").fill("Byttet tonerkassett.")
    page.get_by_role("button", name="Resolve", exact=True).click()
    page.wait_for_load_state()
    ticket.refresh_from_db()
    assert ticket.state == "resolved"
    sign_out(page)

    # The user rates it from the portal.
    sign_in(page, base, "nurse_b")
    page.goto(f"{base}{reverse('portal:ticket', kwargs={'pk': ticket.pk})}")
    assert page.get_by_text("Byttet tonerkassett.").is_visible()
    assert_accessible(axe, page, "a resolved ticket with the survey")
    page.get_by_label("5", exact=True).check()
    page.get_by_role("button", name="Send rating").click()
    page.wait_for_load_state()
    assert page.get_by_text("You gave us 5 of 6. Thank you!").is_visible()
    assert SurveyAnswer.objects.get(ticket=ticket).score == 5


def test_status_and_accessibility_pages_have_no_violations(page, axe, live_server, scene):
    base = live_server.url
    page.goto(f"{base}{reverse('accessibility')}")
    assert page.get_by_role("heading", name="Tilgjengelighetserklæring").is_visible()
    assert_accessible(axe, page, "the accessibility statement")

    sign_in(page, base, "nurse_b")
    page.goto(f"{base}{reverse('portal:status')}")
    assert_accessible(axe, page, "service status")


def test_console_pages_have_no_violations_and_log_a_call_suggests_articles(page, axe, live_server, scene):
    base = live_server.url
    sign_in(page, base, "agent_b")
    assert_accessible(axe, page, "the console's ticket list")

    page.goto(f"{base}{reverse('console:ticket-new')}")
    page.get_by_label("Title").press_sequentially("Skriveren virker ikke", delay=30)
    page.locator("#kb-suggestions").get_by_role(
        "link", name=re.compile("Skriveren skriver ikke ut")
    ).wait_for()
    assert_accessible(axe, page, "log a call with suggestions")

    from incidents import services

    ticket = services.ticket_create(actor=scene["agent"], caller=scene["user"], title="PC-en starter ikke")
    page.goto(f"{base}{reverse('console:ticket', kwargs={'pk': ticket.pk})}")
    assert_accessible(axe, page, "the console's ticket page")
