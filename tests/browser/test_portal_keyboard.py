"""The portal by keyboard alone, in Chromium: no click, no fill, only Tab, typing, arrows, Enter
and Space, as someone who cannot use a mouse works. Every control reached shows a focus ring."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Channel, State, Ticket
from portal.models import SurveyAnswer
from servicedesk.models import GroupLevel, Role
from tests.factories import AssignmentGroupFactory, ServiceFactory, UserFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# More Tab presses than any page here has controls before the one wanted.
TAB_LIMIT = 80


@pytest.fixture
def scene(db: None) -> dict[str, Any]:
    group = AssignmentGroupFactory(name="Kundesenteret", level=GroupLevel.FIRST_LINE)
    agent = UserFactory(username="agent_k", role=Role.FIRST_LINE)
    group.members.add(agent)
    user = UserFactory(username="porter_k", role=Role.END_USER, preferred_language="en")
    ServiceFactory(name="Telefoni", owner_group=group)
    solved = services.ticket_create(actor=agent, caller=user, title="Telefonen på vaktrommet er død")
    services.ticket_claim(ticket=solved, actor=agent)
    services.ticket_resolve(ticket=solved, actor=agent, code="solved", note="Byttet ledning.")
    return {"user": user, "solved": solved}


def focused(locator: Any) -> bool:
    return bool(locator.evaluate("element => element === document.activeElement"))


def tab_to(page: Any, locator: Any, *, backwards: bool = False) -> None:
    """Press Tab until the control has the keyboard focus; fail if it is never reached."""
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if focused(locator):
            outline = locator.evaluate("element => getComputedStyle(element).outlineStyle")
            assert outline != "none", "the focused control shows no focus ring"
            return
    raise AssertionError(f"{locator} is not reachable by Tab")


def submit(page: Any) -> None:
    """Enter on the focused button, and wait for the page the form's POST leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_an_end_user_does_everything_by_keyboard(page, axe, live_server, scene):
    base = live_server.url
    page.goto(f"{base}{reverse('login')}")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("porter_k")
    page.keyboard.press("Tab")
    page.keyboard.type("pw")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{reverse('portal:home')}")

    # The first Tab reaches the skip link, which becomes visible and moves the focus to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert focused(skip) and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Report a fault: service picked from the list by typing, title, description, send.
    tab_to(page, page.get_by_role("link", name="Report a fault").first, backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/portal/report/$"))
    tab_to(page, page.get_by_label("Which service or system is it about?"))
    page.keyboard.type("Telefoni")
    page.keyboard.press("Tab")
    page.keyboard.type("Ingen summetone på 4. etasje")
    page.keyboard.press("Tab")
    page.keyboard.type("Gjelder alle telefonene i gangen.")
    tab_to(page, page.get_by_role("button", name="Send"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/portal/tickets/\d+/$"))
    reported = Ticket.objects.get(title="Ingen summetone på 4. etasje")
    assert reported.channel == Channel.PORTAL and reported.caller == scene["user"]

    # A message on the new case, typed and sent.
    tab_to(page, page.get_by_label("Add a message"))
    page.keyboard.type("Nummeret er 55 12 34 56.")
    tab_to(page, page.get_by_role("button", name="Send message"))
    submit(page)
    assert page.get_by_text("Nummeret er 55 12 34 56.").is_visible()

    # My cases → the resolved one: rate it with the arrow keys, then confirm it is fixed.
    tab_to(page, page.get_by_role("link", name="My cases").first, backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/portal/tickets/$"))
    tab_to(page, page.get_by_role("link", name="Resolved and closed"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/portal/tickets/\?show=closed$"))
    tab_to(page, page.get_by_role("link", name=scene["solved"].number))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/portal/tickets/{scene['solved'].pk}/$"))
    tab_to(page, page.get_by_label("1", exact=True))
    page.keyboard.press("Space")
    for _ in range(4):  # 1 → 5, as a radio group is walked
        page.keyboard.press("ArrowRight")
    assert page.get_by_label("5", exact=True).is_checked()
    tab_to(page, page.get_by_role("button", name="Send rating"))
    submit(page)
    assert page.get_by_text("You gave us 5 of 6. Thank you!").is_visible()
    assert SurveyAnswer.objects.get(ticket=scene["solved"]).score == 5

    tab_to(page, page.get_by_role("button", name="It is fixed"), backwards=True)
    submit(page)
    scene["solved"].refresh_from_db()
    assert scene["solved"].state == State.CLOSED

    # The language switch, by keyboard: the page comes back in bokmål and stays so.
    tab_to(page, page.get_by_role("button", name="Norsk"), backwards=True)
    submit(page)
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.get_by_role("link", name="Mine saker").first.is_visible()
    scene["user"].refresh_from_db()
    assert scene["user"].preferred_language == "nb"
    assert_accessible(axe, page, "a closed ticket in bokmål")
