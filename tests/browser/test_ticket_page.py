"""In Chromium: an agent edits a ticket's details on its page and hands it to another group;
choosing the group reloads the assignee list with that group's members only. axe-core checks
the page with its forms open, and with a form error."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Ticket, TicketEvent
from servicedesk.models import GroupLevel, Role
from tests.factories import AssignmentGroupFactory, UserFactory

from .conftest import assert_accessible
from .test_portal_journey import sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene(db: None) -> dict[str, Any]:
    desk = AssignmentGroupFactory(name="Customer centre", level=GroupLevel.FIRST_LINE)
    epr = AssignmentGroupFactory(name="EPR", level=GroupLevel.SECOND_LINE)
    agent = UserFactory(username="agent_t", role=Role.FIRST_LINE, preferred_language="en", first_name="Ada")
    colleague = UserFactory(role=Role.FIRST_LINE, first_name="Carl", last_name="Desk")
    desk.members.add(agent, colleague)
    resolver = UserFactory(role=Role.RESOLVER, first_name="Rita", last_name="Epr")
    epr.members.add(resolver)
    caller = UserFactory(role=Role.END_USER)
    ticket = services.ticket_create(actor=agent, caller=caller, title="EPR freezes on ward 3")
    return {"ticket": ticket, "epr": epr, "resolver": resolver}


def options(page: Any, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(f"{selector} option").all_inner_texts()][1:]


def test_agent_edits_the_details_and_reassigns_with_a_work_note(page, axe, live_server, scene):
    ticket: Ticket = scene["ticket"]
    base = live_server.url
    sign_in(page, base, "agent_t")
    page.goto(f"{base}{reverse('console:ticket', kwargs={'pk': ticket.pk})}")

    # Edit: a higher urgency and impact give a higher priority
    page.get_by_text("Edit details…").click()
    assert_accessible(axe, page, "the ticket page with the edit form open")
    page.locator("#edit_impact").select_option("1")
    page.locator("#edit_urgency").select_option("1")
    page.wait_for_function("() => document.querySelector('#edit-priority').textContent === 'P1 – Critical'")
    page.get_by_role("button", name="Save details").click()
    page.wait_for_load_state()
    assert "Its priority is now P1 – Critical" in page.locator(".messages").inner_text()

    # Assign: the list holds the desk's members; choosing EPR reloads it with EPR's members
    page.get_by_text("Assign or escalate…").click()
    desk = options(page, "#assign_assignee")
    assert "Carl Desk" in desk and "Rita Epr" not in desk
    page.locator("#assign_group").select_option(str(scene["epr"].pk))
    page.wait_for_function(
        "() => document.querySelector('#assign_assignee option:nth-child(2)')?.textContent.includes('Rita')"
    )
    assert options(page, "#assign_assignee") == ["Rita Epr"]
    assert_accessible(axe, page, "the ticket page with the assign form open")

    # Without a work note the browser asks for one; a blank one, the server: nothing is saved
    page.locator("#assign_assignee").select_option(str(scene["resolver"].pk))
    page.get_by_role("button", name="Assign", exact=True).click()
    assert page.locator("#assign_note").evaluate("note => note.validity.valueMissing")
    page.locator("#assign_note").fill("   ")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_load_state()
    assert "Write a work note" in page.locator("#assign").inner_text()
    assert_accessible(axe, page, "the ticket page with an assign error")
    assert not TicketEvent.objects.filter(ticket=ticket, field="assignment_group").exists()

    # With it, the ticket moves and the note is in its history
    page.locator("#assign_note").fill("Freezes since the 10:00 update; ward 3 only")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_load_state()
    ticket.refresh_from_db()
    assert ticket.assignment_group == scene["epr"]
    assert ticket.assignee == scene["resolver"]
    assert "Freezes since the 10:00 update; ward 3 only" in page.locator("#timeline").inner_text()
