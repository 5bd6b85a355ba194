# mypy: disallow-untyped-defs, disallow-incomplete-defs, disallow-any-generics, warn-return-any
# mypy: disallow-untyped-calls, no-implicit-reexport
"""Serious incidents ("alvorlige hendelser" in the annual report): which tickets, and the figures.

A **serious incident** is a major incident (DESIGN.md): an incident ticket declared major by a
manager, or a priority-1 incident on a tier-1 service (which proposes a major incident) even if
nobody has declared it yet. Calls linked to a major incident (their parent is one) are the same
incident, not more of them, and do not count.

It is **placed in time** by its declaration (`major_declared_at`), or, for a P1 on a tier-1
service not declared, by when it was logged (`created_at`). Both are fixed once written, so a
month's figure computed later (a stored snapshot, a recomputation) stays the same; the impact
start is not used because managers may still correct it on the outage.

Months and weeks are Europe/Oslo ones; weeks are ISO weeks (Monday 00:00 to Monday 00:00).
Every figure is one aggregate query over the few serious incidents (two partial indexes).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, DateTimeField, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek

from .models import Kind, Ticket

OSLO = ZoneInfo("Europe/Oslo")


def _placed_in(start: datetime, end: datetime) -> Q:
    declared = Q(major_declared_at__gte=start, major_declared_at__lt=end)
    proposed = Q(
        major_declared_at__isnull=True,
        kind=Kind.INCIDENT,
        priority=1,
        service__tier=1,
        created_at__gte=start,
        created_at__lt=end,
    )
    return declared | proposed


def serious_incidents(*, start: datetime, end: datetime) -> QuerySet[Ticket]:
    """The serious incidents placed in [start, end), annotated with `placed_at`."""
    return (
        Ticket.objects.filter(_placed_in(start, end))
        .exclude(parent__major_incident=True)
        .annotate(placed_at=Coalesce("major_declared_at", "created_at", output_field=DateTimeField()))
    )


def serious_incident_count(*, start: datetime, end: datetime) -> int:
    return serious_incidents(start=start, end=end).count()


def _local_midnight(day: date) -> datetime:
    # Local midnight → UTC (never inside a Norwegian DST gap, which is at 02:00).
    return datetime.combine(day, time(0), tzinfo=OSLO).astimezone(UTC)


def iso_weeks_inside(start: datetime, end: datetime) -> list[date]:
    """The Mondays of the ISO weeks (Oslo) lying wholly inside [start, end)."""
    local = start.astimezone(OSLO)
    monday = local.date() - timedelta(days=local.weekday())
    if _local_midnight(monday) < start:
        monday += timedelta(days=7)
    weeks = []
    while _local_midnight(monday + timedelta(days=7)) <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def iso_year_bounds(year: int) -> tuple[datetime, datetime]:
    """The ISO year (Monday of week 1 to Monday of next year's week 1, Oslo) as UTC instants:
    [start, end) holding exactly the 52 or 53 weeks the annual report counts."""
    return (
        _local_midnight(date.fromisocalendar(year, 1, 1)),
        _local_midnight(date.fromisocalendar(year + 1, 1, 1)),
    )


def weeks_without_serious_incident(*, start: datetime, end: datetime) -> int:
    """How many ISO weeks wholly inside [start, end) had no serious incident."""
    weeks = iso_weeks_inside(start, end)
    if not weeks:
        return 0
    first, stop = _local_midnight(weeks[0]), _local_midnight(weeks[-1] + timedelta(days=7))
    with_incident = {
        week.astimezone(OSLO).date()
        for week in serious_incidents(start=first, end=stop)
        .annotate(week=TruncWeek("placed_at", tzinfo=OSLO))
        .order_by()
        .values_list("week", flat=True)
        .distinct()
    }
    return sum(1 for monday in weeks if monday not in with_incident)


def _months(start: datetime, end: datetime) -> list[str]:
    """Every Oslo month "YYYY-MM" that [start, end) touches, in order."""
    if end <= start:
        return []
    local, last = start.astimezone(OSLO), (end - timedelta(microseconds=1)).astimezone(OSLO)
    year, month = local.year, local.month
    months = []
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def serious_incidents_by_month(*, start: datetime, end: datetime) -> dict[str, int]:
    """ "YYYY-MM" (Oslo) → serious incidents placed in [start, end) in that month; every month the
    period touches is present, with 0 when there were none."""
    counts = dict.fromkeys(_months(start, end), 0)
    rows = (
        serious_incidents(start=start, end=end)
        .annotate(month=TruncMonth("placed_at", tzinfo=OSLO))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("month", "n")
    )
    for month, n in rows:
        counts[f"{month.astimezone(OSLO):%Y-%m}"] = n
    return counts
