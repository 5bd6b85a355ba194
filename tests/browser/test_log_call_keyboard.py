"""Log a call by keyboard alone, in Chromium at 1366×768: find the caller, see their open ticket,
pick a common call, resolve at first line, or add the call as a note to the caller's ticket."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import CallTemplate, Comment, Kind, State, Ticket
from servicedesk.models import GroupLevel, Role
from tests.factories import AssignmentGroupFactory, CategoryFactory, ServiceFactory, UserFactory

from .conftest import assert_accessible
from .test_portal_keyboard import focused, tab_to

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene(db: None) -> dict[str, Any]:
    centre = AssignmentGroupFactory(name="Kundesenteret", level=GroupLevel.FIRST_LINE)
    agent = UserFactory(username="agent_k", role=Role.FIRST_LINE, preferred_language="en")
    centre.members.add(agent)
    network = AssignmentGroupFactory(name="Nettverk", level=GroupLevel.SECOND_LINE)
    caller = UserFactory(username="ingrid_h", first_name="Ingrid", last_name="Haugland", role=Role.END_USER)
    accounts = ServiceFactory(name="Brukerkontoer og tilgang", owner_group=centre)
    printing = ServiceFactory(name="Utskrift", owner_group=centre)
    reset = CategoryFactory(name="Passordbytte")
    reset.services.add(accounts)
    CategoryFactory(name="Skriver").services.add(printing)
    CallTemplate.objects.create(
        name="Passord",
        title="Glemt passord",
        description="Identitet kontrollert.",
        kind=Kind.REQUEST,
        service=accounts,
        category=reset,
        impact=3,
        urgency=2,
        position=1,
    )
    CallTemplate.objects.create(
        name="Skriver", title="Skriveren skriver ikke ut", service=printing, position=2
    )
    earlier = services.ticket_create(actor=agent, caller=caller, title="Skriveren på post 4 er død")
    return {
        "network": network,
        "agent": agent,
        "caller": caller,
        "accounts": accounts,
        "reset": reset,
        "earlier": earlier,
    }


def sign_in_and_open_log_a_call(page: Any, base: str) -> None:
    page.goto(f"{base}{reverse('login')}")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("agent_k")
    page.keyboard.press("Tab")
    page.keyboard.type("pw")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    tab_to(page, page.get_by_role("link", name="Log a call"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/console/tickets/new/$"))


def find_caller(page: Any) -> None:
    # The search box has the focus when the page opens; one match is chosen at once.
    assert focused(page.locator("#caller-q"))
    page.keyboard.type("Haugland")
    page.get_by_role("heading", name="Tickets of Ingrid Haugland").wait_for()


def test_an_agent_logs_and_resolves_a_call_by_keyboard_alone(page, axe, live_server, scene):
    sign_in_and_open_log_a_call(page, live_server.url)
    find_caller(page)
    assert page.get_by_text("Skriveren på post 4 er død").is_visible()

    # A common call fills the form: title, service, category (of that service) and priority.
    page.keyboard.press("Alt+m")
    assert focused(page.get_by_role("link", name="Passord"))
    page.keyboard.press("Enter")
    assert page.get_by_label("Title").input_value() == "Glemt passord"
    category = page.get_by_label("Category")
    page.wait_for_function(
        "value => document.querySelector('#id_category').value === value", arg=str(scene["reset"].pk)
    )
    assert category.locator("option", has_text="Skriver").count() == 0  # another service's category
    page.locator("[data-priority]", has_text="P4 – Low").wait_for()  # impact 3 × urgency 2
    # The description has the focus, to add what this caller said.
    page.keyboard.type(" Ringt tilbake på mobil.")
    assert_accessible(axe, page, "log a call with a caller and a common call chosen")

    # Raise the urgency: the priority follows before saving.
    page.keyboard.press("Alt+t")
    tab_to(page, page.get_by_label("Urgency"))
    page.keyboard.press("Home")  # 1 – High
    page.locator("[data-priority]", has_text="P3 – Moderate").wait_for()

    # Resolve at first line, and log the call.
    page.keyboard.press("Alt+r")
    assert focused(page.get_by_label("Resolution code"))
    page.keyboard.type("Request")  # type-ahead in the closed list: "Request fulfilled"
    page.keyboard.press("Tab")
    page.keyboard.type("Passord tilbakestilt, bytte ved neste pålogging.")
    with page.expect_navigation():
        page.keyboard.press("Alt+s")

    ticket = Ticket.objects.exclude(pk=scene["earlier"].pk).get()
    assert page.url.endswith(reverse("console:ticket", kwargs={"pk": ticket.pk}))
    assert ticket.caller == scene["caller"]
    assert (ticket.title, ticket.kind) == ("Glemt passord", Kind.REQUEST)
    assert "Ringt tilbake på mobil." in ticket.description
    assert (ticket.service, ticket.category) == (scene["accounts"], scene["reset"])
    assert (ticket.impact, ticket.urgency, ticket.priority) == (3, 1, 3)
    assert ticket.state == State.RESOLVED


def test_an_agent_adds_the_call_to_the_callers_open_ticket_by_keyboard(page, live_server, scene):
    sign_in_and_open_log_a_call(page, live_server.url)
    find_caller(page)

    page.keyboard.press("Alt+t")
    page.keyboard.type("Skriveren er fortsatt død")
    page.keyboard.press("Alt+n")
    assert focused(page.get_by_role("button", name=f"Add as note to {scene['earlier'].number}"))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_text(f"The call was added as a note to {scene['earlier'].number}.").is_visible()
    assert page.get_by_label("Title").input_value() == ""  # ready for the next call
    assert Comment.objects.get(ticket=scene["earlier"]).body == "Skriveren er fortsatt død"
    assert Ticket.objects.count() == 1


def test_an_agent_sends_a_call_to_a_second_line_group_by_keyboard(page, live_server, scene):
    sign_in_and_open_log_a_call(page, live_server.url)
    find_caller(page)

    page.keyboard.press("Alt+t")
    page.keyboard.type("Ingen nettverk på post 7")
    page.keyboard.press("Alt+g")
    assert focused(page.get_by_role("combobox", name="Escalate to group"))
    page.keyboard.type("Nettverk")  # type-ahead in the closed list
    with page.expect_navigation():
        page.keyboard.press("Alt+s")

    ticket = Ticket.objects.get(title="Ingen nettverk på post 7")
    assert page.get_by_text(f"{ticket.number} logged and escalated to Nettverk.").is_visible()
    assert ticket.assignment_group == scene["network"]
    assert ticket.caller == scene["caller"]
