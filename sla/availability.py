# mypy: disallow-untyped-defs, disallow-incomplete-defs, disallow-any-generics, warn-return-any
# mypy: disallow-untyped-calls, no-implicit-reexport
"""Availability per service and period, from the outages (DESIGN.md, "availability").

Definitions (the monthly report reads these, so they are stated once, here):

- **Period**: `[start, end)` clipped to `now`: the seconds of the period that have happened.
  For a whole past month that is every second of the Oslo month (a March has an hour less, an
  October an hour more, than 31 × 86,400 s); for the current month it is from its start to now;
  for a period wholly in the future it is empty (0 s) and the availability is None.
- **Outage seconds**: each outage clipped to the period, an open outage counted to the end of the
  period (so to now while it lasts); overlapping outages of one service merged, so two alarms for
  one failure count once. Planned and unplanned outages are merged separately: the unplanned
  figure never includes a planned outage, and an unplanned outage inside a planned window still
  counts as unplanned (it happened; the plan did not announce it).
- **Availability** = 1 − unplanned seconds ÷ period seconds. A service that exists (is active)
  and had no outage in a non-empty period is 1.0; None means only "no period to measure".
- **Tier 1** = the mean availability of the active tier-1 services (each counts the same,
  whatever its size), None when there are none or the period is empty.

Cost: two queries whatever the period: the services, and the outages overlapping the period
(a few a month, found by the (service, started_at) index); the merging runs over those rows in
Python. Ticket rows are never read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from servicedesk.models import Service

from .models import Outage

OSLO = ZoneInfo("Europe/Oslo")

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class ServiceAvailability:
    service_id: int
    service_name: str
    tier: int
    period_seconds: int  # seconds of [start, end) clipped to now (0 when wholly in the future)
    unplanned_seconds: int  # merged unplanned outage seconds inside the period
    planned_seconds: int  # merged planned outage seconds inside the period
    availability: float | None  # 1 - unplanned/period (None when period_seconds == 0)


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The Oslo calendar month as aware UTC instants [first midnight, next month's midnight)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, not {month}")
    # Local midnight → UTC: midnight is never in a DST gap in Norway (changes happen at 02:00/03:00).
    first = datetime(year, month, 1, tzinfo=OSLO)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=OSLO)
    return first.astimezone(UTC), following.astimezone(UTC)


def merged_seconds(intervals: list[Interval]) -> int:
    """Total seconds covered by the intervals, overlaps counted once."""
    total = 0.0
    current: Interval | None = None
    for begin, finish in sorted(intervals):
        if current is None or begin > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (begin, finish)
        elif finish > current[1]:
            current = (current[0], finish)
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return round(total)


def _period(start: datetime, end: datetime, now: datetime | None) -> tuple[datetime, datetime]:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("start and end must be aware datetimes")
    now = now or timezone.now()
    stop = min(end, now)
    return start, max(start, stop)


def availability_by_service(
    *, start: datetime, end: datetime, now: datetime | None = None, tier: int | None = None
) -> list[ServiceAvailability]:
    """Every active service (of the tier, if given), ordered by tier and name, with its figures
    for [start, end) clipped to now."""
    begin, stop = _period(start, end, now)
    services = Service.objects.filter(active=True)
    if tier is not None:
        services = services.filter(tier=tier)
    rows = list(services.order_by("tier", "name", "id").values_list("id", "name", "tier"))
    unplanned: dict[int, list[Interval]] = defaultdict(list)
    planned: dict[int, list[Interval]] = defaultdict(list)
    if stop > begin:
        outages = Outage.objects.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=begin),
            service_id__in=[row[0] for row in rows],
            started_at__lt=stop,
        ).values_list("service_id", "started_at", "ended_at", "planned")
        for service_id, started_at, ended_at, is_planned in outages:
            clipped = (max(started_at, begin), min(ended_at or stop, stop))
            if clipped[1] > clipped[0]:
                (planned if is_planned else unplanned)[service_id].append(clipped)
    period_seconds = round((stop - begin).total_seconds())
    result = []
    for service_id, name, service_tier in rows:
        down = merged_seconds(unplanned[service_id])
        result.append(
            ServiceAvailability(
                service_id=service_id,
                service_name=name,
                tier=service_tier,
                period_seconds=period_seconds,
                unplanned_seconds=down,
                planned_seconds=merged_seconds(planned[service_id]),
                availability=1 - down / period_seconds if period_seconds else None,
            )
        )
    return result


def tier1_availability(*, start: datetime, end: datetime, now: datetime | None = None) -> float | None:
    """The mean availability over the active tier-1 services (DESIGN.md's overall figure)."""
    figures = [
        row.availability
        for row in availability_by_service(start=start, end=end, now=now, tier=1)
        if row.availability is not None
    ]
    return sum(figures) / len(figures) if figures else None
