"""The manager's monthly report on a 1366×768 screen, in Chromium: the page does not scroll
sideways; a table wider than the screen (24 months of trends) scrolls in a region of its own,
which the keyboard reaches; no WCAG 2.1 AA violation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from reports import services
from reports.models import Trigger
from reports.months import Month
from tests.reports.conftest import march  # noqa: F401 -- the fixture: a month of tickets and contacts

from .conftest import VIEWPORT, assert_accessible, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_report_fits_the_screen_and_its_wide_tables_scroll_on_their_own(page, axe, live_server, march):  # noqa: F811
    services.snapshot_create(
        month=Month(2026, 3), trigger=Trigger.MANAGER, now=datetime(2026, 4, 2, tzinfo=UTC)
    )
    sign_in(page, live_server.url, march.manager.username)
    page.goto(f"{live_server.url}{reverse('reports:dashboard')}?month=2026-03")

    scroll_width, client_width = page.evaluate(
        "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert scroll_width <= client_width, "the page scrolls sideways"
    regions = page.locator(".table-wrap:has(table.report-table)")
    assert regions.count() == page.locator("table.report-table").count()
    wide = [
        regions.nth(i)
        for i in range(regions.count())
        if regions.nth(i).evaluate("r => r.scrollWidth > r.clientWidth")
    ]
    assert wide, "the 24-month trend table is wider than the screen"
    for region in wide:
        # A scrolling region is a keyboard stop, named after its table.
        assert region.get_attribute("tabindex") == "0"
        region.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle(), timeout=3000)
    assert page.locator("html").evaluate("h => h.scrollWidth") <= VIEWPORT["width"]
    assert_accessible(axe, page, "the monthly report")

    # The tables behind its figures, in the same regions.
    for name in ("reports:contacts", "reports:outages"):
        page.goto(f"{live_server.url}{reverse(name)}?month=2026-03")
        assert page.locator(".table-wrap[role=region] table.report-table").count() == 1
        assert page.evaluate("document.scrollingElement.scrollWidth") <= VIEWPORT["width"]
        assert_accessible(axe, page, name)
