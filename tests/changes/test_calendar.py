"""The change calendar: a week or a month of planned changes and freeze windows, per service."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from changes import selectors
from changes.models import State

from .factories import ChangeFactory, FreezeWindowFactory
from .helpers import oslo

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(pacs, epr):
    """Tuesday 11 March 2025: a PACS change in the evening, an EPR change overnight into
    Wednesday, a draft (not on the calendar), and a freeze on EPR from Thursday."""
    return {
        "pacs": ChangeFactory(
            title="PACS patch", state=State.SCHEDULED, services=[pacs],
            planned_start=oslo(date(2025, 3, 11), 20), planned_end=oslo(date(2025, 3, 11), 22),
        ),
        "epr": ChangeFactory(
            title="EPR upgrade", state=State.APPROVED, services=[epr],
            planned_start=oslo(date(2025, 3, 11), 23), planned_end=oslo(date(2025, 3, 12), 3),
        ),
        "draft": ChangeFactory(
            title="Idea for PACS", services=[pacs],
            planned_start=oslo(date(2025, 3, 11), 9), planned_end=oslo(date(2025, 3, 11), 10),
        ),
        "freeze": FreezeWindowFactory(
            name="EPR go-live freeze", services=[epr],
            start=oslo(date(2025, 3, 13), 0), end=oslo(date(2025, 3, 20), 0),
        ),
    }  # fmt: skip


def rows(page: str) -> dict[str, str]:
    """The week table's rows by their day heading."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    result = {}
    for row in body.split("<tr")[1:]:
        day = row.split('<time datetime="', 1)[1][:10]
        result[day] = row
    return result


def test_week_view_shows_each_change_on_the_days_its_window_touches(console_for, change_manager, scene):
    page = (
        console_for(change_manager).get(reverse("changes:calendar"), {"date": "2025-03-12"}).content.decode()
    )

    days = rows(page)
    assert list(days) == [f"2025-03-{day:02d}" for day in range(10, 17)]  # Monday to Sunday
    assert "PACS patch" in days["2025-03-11"] and "PACS patch" not in days["2025-03-12"]
    assert "EPR upgrade" in days["2025-03-11"] and "EPR upgrade" in days["2025-03-12"]  # overnight
    assert "Idea for PACS" not in page  # drafts are not on the calendar
    assert "EPR go-live freeze" in days["2025-03-13"] and "EPR go-live freeze" not in days["2025-03-12"]


def test_service_filter_keeps_that_services_changes_and_freezes(console_for, change_manager, scene, pacs):
    page = (
        console_for(change_manager)
        .get(reverse("changes:calendar"), {"date": "2025-03-12", "service": pacs.pk})
        .content.decode()
    )

    assert "PACS patch" in page
    assert "EPR upgrade" not in page
    assert "EPR go-live freeze" not in page


def test_month_view_lays_out_whole_weeks_from_monday(console_for, change_manager, scene):
    response = console_for(change_manager).get(
        reverse("changes:calendar"), {"view": "month", "date": "2025-03-12"}
    )

    weeks = response.context["weeks"]
    assert weeks[0][0].date == date(2025, 2, 24) and weeks[-1][-1].date == date(2025, 4, 6)
    assert not weeks[0][0].in_period and weeks[0][5].in_period  # 1 March is a Saturday
    tuesday = next(day for week in weeks for day in week if day.date == date(2025, 3, 11))
    assert [change.title for change in tuesday.changes] == ["PACS patch", "EPR upgrade"]


def test_an_invalid_calendar_query_shows_the_error_and_the_current_week(console_for, change_manager):
    response = console_for(change_manager).get(
        reverse("changes:calendar"), {"date": "someday", "view": "year"}
    )

    assert response.status_code == 200
    assert response.context["view"] == "week"
    assert response.context["form"].errors


def test_the_timeline_marks_the_changes_the_change_page_warns_about(
    console_for, change_manager, scene, pacs, epr
):
    """Conflicts on the timeline follow the change page's rule (selectors.change_conflicts):
    a scheduled PACS change overlapping the PACS patch is marked, both ways; the EPR change
    overlapping in time but on another service is not; nor is a closed change."""
    overlap = ChangeFactory(
        title="PACS storage move",
        state=State.SCHEDULED,
        services=[pacs],
        planned_start=oslo(date(2025, 3, 11), 21),
        planned_end=oslo(date(2025, 3, 11), 23, 30),
    )
    ChangeFactory(
        title="Old PACS work", state=State.CLOSED, outcome="successful", services=[pacs],
        planned_start=oslo(date(2025, 3, 11), 21), planned_end=oslo(date(2025, 3, 11), 22),
    )  # fmt: skip

    response = console_for(change_manager).get(reverse("changes:calendar"), {"date": "2025-03-12"})

    lanes = {lane.change.title: lane for lane in response.context["timeline"].changes}
    flagged = {title for title, lane in lanes.items() if lane.conflict}
    assert flagged == {"PACS patch", "PACS storage move"}
    assert flagged == {title for title, lane in lanes.items() if selectors.change_conflicts(lane.change)}
    page = response.content.decode()
    assert page.count('class="tl-change tl-state-scheduled tl-conflict"') == 2
    # The table for screen readers says it in words.
    assert "PACS storage move" in rows(page)["2025-03-11"]
    assert "Conflicts with another scheduled change on a shared service" in rows(page)["2025-03-11"]
    assert overlap.number in page


def test_the_timeline_places_bars_over_the_week_and_shades_the_freeze(console_for, change_manager, scene):
    response = console_for(change_manager).get(reverse("changes:calendar"), {"date": "2025-03-12"})

    chart = response.context["timeline"]
    lanes = {lane.change.title: lane for lane in chart.changes}
    hour = chart.plot_width / (7 * 24)
    # Tuesday 20:00–22:00 is hours 44–46 of the week from Monday 00:00 (Oslo).
    assert lanes["PACS patch"].x == pytest.approx(chart.plot_left + 44 * hour, abs=0.1)
    assert lanes["PACS patch"].width == pytest.approx(2 * hour, abs=0.2)
    [freeze] = chart.freezes
    # Thursday 00:00 onwards, beyond the week's end: drawn to the edge, and said to go on.
    assert freeze.x == pytest.approx(chart.plot_left + 72 * hour, abs=0.1)
    assert freeze.end_x == pytest.approx(chart.plot_left + chart.plot_width, abs=0.1)
    assert freeze.ends_after and not freeze.starts_before
    page = response.content.decode()
    assert f'<rect class="tl-freeze-shade" x="{freeze.x}"' in page
    for change in (scene["pacs"], scene["epr"]):
        assert f'href="{reverse("changes:detail", args=[change.pk])}" class="tl-change' in page


def test_the_timeline_coordinates_are_not_localised(console_for, change_manager, scene):
    """Norwegian writes decimals with a comma; SVG attributes need a point."""
    change_manager.preferred_language = "nb"
    change_manager.save(update_fields=["preferred_language"])

    page = (
        console_for(change_manager).get(reverse("changes:calendar"), {"date": "2025-03-12"}).content.decode()
    )

    assert '<html lang="nb">' in page
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'x="' in svg and not any("," in value.split('"', 1)[0] for value in svg.split(' x="')[1:])
