"""The agents' ticket list on a 1366×768 laptop screen, in Chromium: every default column in
view without scrolling sideways, 25 tickets on one screen, the person picker by keyboard, and no
WCAG 2.1 AA violation with the saved views and the bulk bar on the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from incidents import services
from incidents.models import Ticket
from servicedesk.models import GroupLevel, Role
from tests.factories import AssignmentGroupFactory, ServiceFactory, UserFactory

from .conftest import VIEWPORT, assert_accessible, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Titles as agents type them in the demo: long enough to wrap onto several lines in a narrow cell.
TITLES = [
    "Blue screen on the medication room PC after the night's Windows update",
    "Access to the lab system for a new biomedical laboratory scientist on ward 4B",
    "Wristband printer prints faded labels in the emergency department reception",
    "Calendar does not sync to the phone since the password was changed yesterday",
    "Shared mailbox for the outpatient clinic missing in Outlook on two PCs",
    "Headset for phone calls in the customer centre crackles on every call",
]
COLUMNS = [
    "Number",
    "Title",
    "Caller",
    "Service",
    "Priority",
    "State",
    "Group",
    "Assignee",
    "Resolution due",
    "Created",
]


@pytest.fixture
def scene(db: None) -> dict[str, Any]:
    desk = AssignmentGroupFactory(name="Kundesenteret", level=GroupLevel.FIRST_LINE)
    agent = UserFactory(username="agent_l", first_name="Emma", last_name="Solheim", role=Role.FIRST_LINE)
    colleague = UserFactory(
        username="agent_m", first_name="Marte", last_name="Gulbrandsen", role=Role.FIRST_LINE
    )
    desk.members.add(agent, colleague)
    services_ = [
        ServiceFactory(name=name, owner_group=desk) for name in ("Workstation", "Laboratory systems")
    ]
    for i in range(30):
        caller = UserFactory(first_name="Torbjørn", last_name=f"Andreassen-Kristiansen {i}")
        ticket = services.ticket_create(
            actor=agent, caller=caller, title=TITLES[i % len(TITLES)], service=services_[i % 2]
        )
        if i % 3 == 0:
            services.ticket_assign(ticket=ticket, actor=agent, group=desk, assignee=colleague)
    return {"agent": agent, "colleague": colleague}


def test_every_default_column_and_25_rows_fit_a_1366_by_768_screen(page, axe, live_server, scene):
    sign_in(page, live_server.url, "agent_l")
    page.goto(f"{live_server.url}{reverse('console:ticket-list')}")

    scroll_width, client_width = page.evaluate(
        "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert scroll_width <= client_width, "the page scrolls sideways"
    headers = page.locator("table.tickets thead th")
    names = [name.strip() for name in headers.all_inner_texts()]
    assert names == ["Select", *COLUMNS]  # the row checkboxes' column, then the default columns
    for i in range(headers.count()):
        box = headers.nth(i).bounding_box()
        assert box is not None and box["width"] > 0
        assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"], f"{names[i]} is cut off"

    # One line per ticket: the table's head and 25 rows take no more than the screen's height
    # (scrolled so that the head is at the top, the 25 rows are all in view at once).
    rows = page.locator("table.tickets tbody tr")
    assert rows.count() >= 25
    head_top = page.locator("table.tickets thead").bounding_box()["y"]
    last = rows.nth(24).bounding_box()
    assert last["y"] + last["height"] - head_top <= VIEWPORT["height"]
    # The whole title is one hover away.
    first_title = page.locator("table.tickets tbody td.col-title").first
    assert first_title.get_attribute("title") in TITLES

    # Sensible on other screens too: a wide one shows the queues beside the list, a narrow one
    # drops the least needed columns; neither scrolls sideways.
    for width, height, hidden in ((1920, 1080, []), (800, 900, ["Caller", "Service", "Group", "Created"])):
        page.set_viewport_size({"width": width, "height": height})
        scroll_width, client_width = page.evaluate(
            "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
        )
        assert scroll_width <= client_width, f"the page scrolls sideways at {width} px"
        for name in COLUMNS:
            header = page.locator("table.tickets thead th", has_text=name).first
            assert header.is_visible() == (name not in hidden), (width, name)
    page.set_viewport_size(VIEWPORT)

    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_label("Action").select_option("assign")
    page.get_by_text("Save these filters").click()
    assert_accessible(axe, page, "the ticket list with its saved views and bulk bar")


def test_the_assignee_filter_finds_a_person_by_name_with_the_keyboard(page, live_server, scene):
    sign_in(page, live_server.url, "agent_l")
    page.goto(f"{live_server.url}{reverse('console:ticket-list')}")

    page.get_by_label("Find an assignee by name").focus()
    page.keyboard.type("Gulbr")
    colleague = scene["colleague"]
    chosen = page.get_by_label("Assignee", exact=True)
    expect(chosen).to_have_value(str(colleague.pk))  # the first person found is chosen
    assert chosen.locator("option:checked").inner_text() == f"Marte Gulbrandsen ({colleague.username})"
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in the search box submits the filters

    assert re.search(rf"[?&]assignee={colleague.pk}(&|$)", page.url)
    assert page.locator("table.tickets tbody tr").count() == 10


def test_in_bokmal_every_badge_stays_whole_inside_its_cell(page, live_server, scene):
    # Bokmål's labels are longer ("Under arbeid", "Pauset, 2 t 5 min"): a badge too long for its
    # column ends in an ellipsis inside the cell, its whole text one hover away, never cut mid-letter
    # at the cell's edge.
    agent = scene["agent"]
    agent.preferred_language = "nb"
    agent.save(update_fields=["preferred_language"])
    for i, ticket in enumerate(Ticket.objects.filter(assignee__isnull=True).order_by("-id")[:6]):
        services.ticket_claim(ticket=ticket, actor=agent)
        if i % 2:
            services.ticket_pend(ticket=ticket, actor=agent, reason="customer")
    sign_in(page, live_server.url, "agent_l")
    page.goto(f"{live_server.url}{reverse('console:ticket-list')}")
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.locator("table.tickets .state", has_text="Under arbeid").count() >= 3

    badges = page.evaluate(
        """[...document.querySelectorAll('table.tickets tbody :is(.state, .priority, .badge)')].map(b => {
             const cell = b.closest('td').getBoundingClientRect(), box = b.getBoundingClientRect();
             return {text: b.textContent, title: b.title, right: box.right, edge: cell.right,
                     cut: b.scrollWidth > b.clientWidth};
           })"""
    )
    assert len(badges) >= 3 * 25
    outside = [b["text"] for b in badges if b["right"] > b["edge"] + 0.5]
    assert outside == [], "badges cut at the cell's edge"
    untitled = [b["text"] for b in badges if b["cut"] and b["text"] not in b["title"]]
    assert untitled == [], "shortened badges without their whole text on hover"
