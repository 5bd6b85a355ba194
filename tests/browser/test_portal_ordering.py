"""End to end in Chromium: an end user orders an item in the portal and their line manager
approves it in the portal. axe-core checks the catalogue, the order form and the approvals."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from catalogue.models import CatalogueRequest, Decision, FieldType, RequestState
from servicedesk.models import GroupLevel, Role
from tests.catalogue.factories import (
    ApprovalStepFactory,
    CatalogueItemFactory,
    FormFieldFactory,
    TaskTemplateFactory,
)
from tests.factories import AssignmentGroupFactory, CategoryFactory, UserFactory

from .conftest import assert_accessible
from .test_portal_journey import sign_in, sign_out

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene(db: None) -> dict[str, Any]:
    first_line = AssignmentGroupFactory(name="Kundesenteret", level=GroupLevel.FIRST_LINE)
    equipment = AssignmentGroupFactory(name="Utstyrsforvaltning", level=GroupLevel.SECOND_LINE)
    manager = UserFactory(
        username="ward_manager_b", role=Role.END_USER, preferred_language="en", first_name="Berit"
    )
    nurse = UserFactory(
        username="nurse_c", role=Role.END_USER, preferred_language="en", line_manager=manager
    )
    category = CategoryFactory(name="Utstyr")
    item = CatalogueItemFactory(
        name="Trådløst headset", description="Headset for telefon.", category=category
    )
    FormFieldFactory(item=item, key="model", label="Which model", type=FieldType.TEXT, required=True)
    FormFieldFactory(item=item, key="why", label="What is it for", type=FieldType.TEXT, required=False)
    ApprovalStepFactory(item=item, order=1)
    TaskTemplateFactory(item=item, title="Lever headset", group=equipment)
    CatalogueItemFactory(name="Ekstra skjerm", category=category)
    return {"first_line": first_line, "manager": manager, "nurse": nurse, "item": item}


def test_end_user_orders_in_the_portal_and_the_line_manager_approves_there(page, axe, live_server, scene):
    base = live_server.url

    # The end user finds the item from the portal's menu, by searching the catalogue.
    sign_in(page, base, "nurse_c")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Order").click()
    page.wait_for_url(re.compile(r"/portal/order/$"))
    assert_accessible(axe, page, "the catalogue")
    page.get_by_label("Search the catalogue").fill("headset")
    page.get_by_label("Search the catalogue").press("Enter")
    page.wait_for_url(re.compile(r"/portal/order/\?q=headset"))
    assert page.get_by_role("link", name="Ekstra skjerm").count() == 0
    assert_accessible(axe, page, "catalogue search results")
    page.get_by_role("link", name="Trådløst headset").click()
    page.wait_for_url(re.compile(r"/portal/order/items/\d+/$"))
    assert_accessible(axe, page, "the order form")

    # Sending without the required answer shows the error on the field; nothing is stored.
    page.get_by_role("button", name="Send the order").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").filter(has_text="The order was not sent").is_visible()
    assert not CatalogueRequest.objects.exists()
    assert_accessible(axe, page, "the order form with an error")

    # Filled in, by keyboard, the order is sent and waits for the line manager.
    page.get_by_label(re.compile("^Which model")).fill("Jabra Engage 65")
    page.get_by_label(re.compile("^What is it for")).fill("Telefonvakt")
    page.get_by_label(re.compile("^What is it for")).press("Enter")
    page.wait_for_url(re.compile(r"/portal/order/mine/\d+/$"))
    order = CatalogueRequest.objects.get()
    assert order.state == RequestState.AWAITING_APPROVAL
    registered = f"Your order {order.ticket.number} is registered and waits for approval."
    assert page.get_by_text(registered).is_visible()
    assert_accessible(axe, page, "an order")
    page.get_by_role("link", name="My orders").first.click()
    page.wait_for_url(re.compile(r"/portal/order/mine/$"))
    assert page.get_by_text("Approval by Berit").is_visible()
    assert_accessible(axe, page, "my orders")
    sign_out(page)

    # The line manager sees it waiting on the portal home and approves it in the portal.
    sign_in(page, base, "ward_manager_b")
    assert page.url == f"{base}{reverse('portal:home')}"
    page.get_by_role("link", name="All approvals").click()
    page.wait_for_url(re.compile(r"/portal/order/approvals/$"))
    assert page.get_by_text("Jabra Engage 65").is_visible()
    assert_accessible(axe, page, "approvals waiting for me")
    page.get_by_label("Comment (optional)").fill("Godkjent")
    page.get_by_role("button", name=f"Approve {order.ticket.number}").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"You approved {order.ticket.number}.").is_visible()

    order.refresh_from_db()
    approval = order.approvals.get()
    assert (approval.decision, approval.comment, approval.approver) == (
        Decision.APPROVED,
        "Godkjent",
        scene["manager"],
    )
    assert order.state == RequestState.FULFILLING
