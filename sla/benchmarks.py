# mypy: disallow-untyped-defs, disallow-incomplete-defs, disallow-any-generics, warn-return-any
"""Micro-benchmarks of the SLA calendar arithmetic (printed by a management command).

The requirement: at least 100,000 due-date computations a second on one core for a
three-business-day target across a public holiday on the standard office calendar.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .calendar import STANDARD_OFFICE, add_business_seconds

THREE_BUSINESS_DAYS = 3 * 27_000  # 3 × 7.5 h on Mon–Fri 08:00–15:30

# Days before a holiday, so the three business days run across it: the Monday to Wednesday
# before Easter 2025 (Maundy Thursday, Good Friday, Easter Monday closed), the days before
# 17 May 2024, Ascension Day 2025 and Christmas 2024.
_DAYS = (
    date(2025, 4, 14),
    date(2025, 4, 15),
    date(2025, 4, 16),
    date(2024, 5, 15),
    date(2024, 5, 16),
    date(2025, 5, 27),
    date(2025, 5, 28),
    date(2024, 12, 23),
    date(2024, 12, 24),
)


def realistic_starts() -> list[datetime]:
    """Ticket creation instants as the database returns them: aware UTC, every 7 minutes of the
    day (inside and outside office hours) on days just before a holiday."""
    oslo = ZoneInfo("Europe/Oslo")
    starts: list[datetime] = []
    for day in _DAYS:
        midnight = datetime(day.year, day.month, day.day, tzinfo=oslo)
        starts.extend((midnight + timedelta(minutes=7 * i)).astimezone(UTC) for i in range(24 * 60 // 7))
    return starts


def bench_due_dates(n: int = 200_000) -> dict[str, float]:
    """Time ``n`` calls of add_business_seconds(STANDARD_OFFICE, start, 3 business days)."""
    starts = realistic_starts()
    for start in starts:  # warm the calendar's cached table
        add_business_seconds(STANDARD_OFFICE, start, THREE_BUSINESS_DAYS)
    count = len(starts)
    spec = STANDARD_OFFICE
    began = time.perf_counter()
    for i in range(n):
        add_business_seconds(spec, starts[i % count], THREE_BUSINESS_DAYS)
    seconds = time.perf_counter() - began
    return {"calls": n, "seconds": seconds, "per_second": n / seconds}
