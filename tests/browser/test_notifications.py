"""An agent's SLA notifications on a 1366×768 screen, in Chromium and in bokmål: the count and the
alerts in view without scrolling sideways, each alert a link to its ticket's clocks, no WCAG 2.1
AA violation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents import services
from tests.console.test_scale import alerts

from .conftest import VIEWPORT, assert_accessible, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_agent_reads_the_notifications_in_bokmal(page, axe, live_server, agent, end_user):
    agent.preferred_language = "nb"
    agent.save(update_fields=["preferred_language"])
    ticket = services.ticket_create(actor=agent, caller=end_user, title="Armbåndskriveren skriver utydelig")
    alerts(ticket, 3)

    sign_in(page, live_server.url, agent.username)
    page.goto(f"{live_server.url}{reverse('console:notifications')}")

    assert page.locator("html").get_attribute("lang") == "nb"
    assert "3 varsler" in page.locator(".result-count").inner_text()
    rows = page.locator("table.notifications tbody tr")
    assert rows.count() == 3
    link = rows.first.get_by_role("link", name=ticket.number)
    assert link.get_attribute("href").endswith(f"/console/tickets/{ticket.pk}/#service-level")
    scroll_width, client_width = page.evaluate(
        "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert scroll_width <= client_width <= VIEWPORT["width"], "the page scrolls sideways"
    assert_accessible(axe, page, "the notifications page")
