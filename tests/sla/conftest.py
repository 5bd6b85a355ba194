from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

OSLO = ZoneInfo("Europe/Oslo")


def oslo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An Oslo wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=OSLO).astimezone(UTC)


@pytest.fixture
def at() -> Callable[[datetime], Iterator[None]]:
    """`with at(instant):` — the services act at that instant (Python's clock is moved)."""

    @contextmanager
    def travel(instant: datetime) -> Iterator[None]:
        with time_machine.travel(instant, tick=False):
            yield

    return travel
