"""The change calendar's timeline in Chromium: bars over the week, the freeze shaded, the
conflicting pair marked, each change reached by Tab and opened with Enter, no axe violations."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from changes.models import State
from servicedesk.models import Role
from tests.changes.factories import ChangeFactory, FreezeWindowFactory
from tests.changes.helpers import oslo
from tests.factories import ServiceFactory, UserFactory

from .conftest import assert_accessible
from .test_portal_journey import sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene(db: None) -> dict[str, Any]:
    """Week of Monday 15 December 2025: two core-network changes overlapping on Tuesday
    evening (a conflict), a PACS change on Wednesday, and the Christmas freeze from Friday."""
    UserFactory(username="cab_t", role=Role.CHANGE_MANAGER)
    network, pacs = ServiceFactory(name="Nettverk"), ServiceFactory(name="PACS")
    tuesday, wednesday = date(2025, 12, 16), date(2025, 12, 17)
    return {
        "switch": ChangeFactory(
            title="Replace core switch", state=State.SCHEDULED, services=[network],
            planned_start=oslo(tuesday, 20), planned_end=oslo(tuesday, 23),
        ),
        "firewall": ChangeFactory(
            title="Firewall rules", state=State.SCHEDULED, services=[network],
            planned_start=oslo(tuesday, 22), planned_end=oslo(wednesday, 1),
        ),
        "pacs": ChangeFactory(
            title="PACS patch", state=State.APPROVED, services=[pacs],
            planned_start=oslo(wednesday, 18), planned_end=oslo(wednesday, 20),
        ),
        "freeze": FreezeWindowFactory(
            name="Christmas freeze", start=oslo(date(2025, 12, 19), 0), end=oslo(date(2026, 1, 2), 0)
        ),
    }  # fmt: skip


def test_the_timeline_shows_bars_freeze_and_conflicts_and_works_by_keyboard(page, axe, live_server, scene):
    base = live_server.url
    sign_in(page, base, "cab_t")
    page.goto(f"{base}{reverse('changes:calendar')}?date=2025-12-17")
    if os.environ.get("TIMELINE_SCREENSHOT"):
        page.screenshot(path=os.environ["TIMELINE_SCREENSHOT"], full_page=True)

    bars = page.locator("svg.change-timeline a.tl-change")
    assert bars.count() == 3
    conflicting = page.locator("svg.change-timeline a.tl-conflict")
    assert sorted(conflicting.evaluate_all("links => links.map(a => a.dataset.change)")) == sorted(
        [scene["switch"].number, scene["firewall"].number]
    )
    shade = page.locator("svg.change-timeline rect.tl-freeze-shade").bounding_box()
    plot = page.locator("svg.change-timeline rect.tl-plot").bounding_box()
    # Friday 00:00 to the end of the week: the last three of seven days, the full height.
    assert shade["width"] == pytest.approx(plot["width"] * 3 / 7, abs=2)
    assert shade["x"] + shade["width"] == pytest.approx(plot["x"] + plot["width"], abs=2)
    assert shade["height"] == pytest.approx(plot["height"], abs=2)
    switch = page.locator(f'a.tl-change[data-change="{scene["switch"].number}"] rect.tl-bar').bounding_box()
    # Tuesday 20:00 is 1 day 20 hours into the 168-hour week.
    assert switch["x"] == pytest.approx(plot["x"] + plot["width"] * 44 / 168, abs=2)
    assert_accessible(axe, page, "the change calendar's timeline")

    # By keyboard: Tab reaches the first change's link in the timeline, Enter opens it.
    first = page.locator(f'a.tl-change[data-change="{scene["switch"].number}"]')
    for _ in range(80):
        page.keyboard.press("Tab")
        if first.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first change in the timeline")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('changes:detail', args=[scene['switch'].pk])}")

    # The month view keeps its address and draws the same bars over the days of December.
    page.goto(f"{base}{reverse('changes:calendar')}?view=month&date=2025-12-17")
    if os.environ.get("TIMELINE_SCREENSHOT"):
        page.screenshot(path=os.environ["TIMELINE_SCREENSHOT"] + ".month.png", full_page=True)
    assert page.locator("svg.change-timeline a.tl-change").count() == 3
    assert page.locator("svg.change-timeline a.tl-conflict").count() == 2
