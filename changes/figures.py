"""Change figures for the monthly report, computed in the database over a period [start, end).

DESIGN.md: changes implemented; failed share = failed or backed-out ÷ implemented; releases on
plan = releases deployed on or before their planned date ÷ releases deployed. Months are
Europe/Oslo months (`month_period`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Q

from .models import FAILED_OUTCOMES, Change, ChangeType, Release

OSLO = ZoneInfo("Europe/Oslo")


def month_period(year: int, month: int) -> tuple[datetime, datetime]:
    """The Oslo calendar month as UTC instants [start, end): local midnights, DST-aware."""
    start = datetime(year, month, 1, tzinfo=OSLO)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=OSLO)
    return start.astimezone(UTC), end.astimezone(UTC)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class ChangeFigures:
    implemented: int
    failed: int  # failed or backed out
    emergency: int
    caused_incidents: int  # implemented changes that caused at least one incident

    @property
    def failed_share(self) -> float | None:
        return _share(self.failed, self.implemented)

    @property
    def emergency_share(self) -> float | None:
        return _share(self.emergency, self.implemented)


def change_figures(start: datetime, end: datetime) -> ChangeFigures:
    """Implemented changes are those with an outcome (in review or closed) whose implementation
    ended in [start, end). One aggregate query."""
    caused = Change.caused_incidents.through.objects.filter(change_id=OuterRef("pk"))
    figures = (
        Change.objects.exclude(outcome="")
        .filter(actual_end__gte=start, actual_end__lt=end)
        .annotate(caused=Exists(caused))
        .aggregate(
            implemented=Count("id"),
            failed=Count("id", filter=Q(outcome__in=FAILED_OUTCOMES)),
            emergency=Count("id", filter=Q(change_type=ChangeType.EMERGENCY)),
            caused_incidents=Count("id", filter=Q(caused=True)),
        )
    )
    return ChangeFigures(**figures)


@dataclass(frozen=True)
class ReleaseFigures:
    deployed: int
    on_plan: int

    @property
    def on_plan_share(self) -> float | None:
        return _share(self.on_plan, self.deployed)


def release_figures(start: datetime, end: datetime) -> ReleaseFigures:
    """Releases deployed in the period (by their Oslo deployment date) and how many on plan."""
    # Release dates are Oslo calendar dates: compare them with the period's local dates.
    first_day = start.astimezone(OSLO).date()
    after_last_day = end.astimezone(OSLO).date()
    figures = Release.objects.filter(
        deployed_date__gte=first_day, deployed_date__lt=after_last_day
    ).aggregate(deployed=Count("id"), on_plan=Count("id", filter=Q(deployed_date__lte=F("planned_date"))))
    return ReleaseFigures(**figures)
