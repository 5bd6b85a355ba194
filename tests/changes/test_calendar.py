"""The change calendar: a week or a month of planned changes and freeze windows, per service."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

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
