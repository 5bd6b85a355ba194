"""Small helpers shared by the change management tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from changes.models import ChangeEvent, RiskQuestion

OSLO = ZoneInfo("Europe/Oslo")


def answers(yes: bool) -> dict[int, bool]:
    """Every active risk question answered the same way: all yes is high risk, all no low."""
    return dict.fromkeys(RiskQuestion.objects.filter(active=True).values_list("pk", flat=True), yes)


def api_answers(yes: bool) -> list[dict[str, object]]:
    return [{"question": pk, "answer": value} for pk, value in answers(yes).items()]


def oslo(day: date, hour: int, minute: int = 0) -> datetime:
    """An Oslo wall-clock time as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


def evening(days_ahead: int, hours: int = 2) -> tuple[datetime, datetime]:
    """A maintenance window from 20:00 Oslo time, some days from today."""
    start = oslo(timezone.localdate() + timedelta(days=days_ahead), 20)
    return start, start + timedelta(hours=hours)


def history(change: object) -> list[tuple[str, str, str, str]]:
    return [
        (event.action, event.field, event.old_value, event.new_value)
        for event in ChangeEvent.objects.filter(change=change).order_by("id")
    ]
