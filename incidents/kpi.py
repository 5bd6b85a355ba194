"""Ticket figures computed in the database (used by the console now, the monthly report later)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import ExtractHour, TruncDate

from contacts.models import Contact, ContactState
from servicedesk.models import GroupLevel

from .models import EventAction, Kind, State, Ticket, TicketEvent

REOPEN_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class FirstLineResolution:
    resolved: int
    at_first_line: int

    @property
    def rate(self) -> float | None:
        return self.at_first_line / self.resolved if self.resolved else None


# Resolved at first line: by a first-line group, never assigned to another group, not reopened
# within 7 days of a resolution, and no child ticket (e.g. a catalogue order's fulfilment task)
# held by another group (DESIGN.md). Needs the annotations of with_first_line_flags.
AT_FIRST_LINE = Q(
    resolved_by_group__level=GroupLevel.FIRST_LINE,
    reassignment_count=0,
    reopened_soon=False,
    work_elsewhere=False,
)


def with_first_line_flags(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Resolved tickets annotated with what AT_FIRST_LINE needs (filter on it for the rows)."""
    reopened_soon = TicketEvent.objects.filter(
        ticket=OuterRef("pk"),
        action=EventAction.REOPENED,
        field="state",
        details__seconds_since_resolved__lte=REOPEN_WINDOW.total_seconds(),
    )
    work_elsewhere = Ticket.objects.filter(parent=OuterRef("pk")).exclude(
        assignment_group__level=GroupLevel.FIRST_LINE
    )
    return tickets.filter(state__in=[State.RESOLVED, State.CLOSED]).annotate(
        reopened_soon=Exists(reopened_soon), work_elsewhere=Exists(work_elsewhere)
    )


def first_line_resolution(tickets: QuerySet[Ticket]) -> FirstLineResolution:
    """DESIGN.md: resolved tickets resolved by a first-line group, never assigned to another
    group, and not reopened within 7 days of a resolution ÷ all resolved tickets.

    "Resolved" includes closed tickets. A ticket whose child tickets (e.g. a catalogue order's
    fulfilment tasks) were held by another group was not resolved at first line either, even
    though the first-line group closed it. One aggregate query.
    """
    figures = with_first_line_flags(tickets).aggregate(
        resolved=Count("id"), at_first_line=Count("id", filter=AT_FIRST_LINE)
    )
    return FirstLineResolution(resolved=figures["resolved"], at_first_line=figures["at_first_line"])


def first_line_resolution_by(
    tickets: QuerySet[Ticket], *fields: str
) -> dict[tuple[Any, ...], FirstLineResolution]:
    """The same figure per value of `fields` (e.g. "service_id", "service__name"), in one grouped
    query; keys are tuples of the field values."""
    rows = (
        with_first_line_flags(tickets)
        .values(*fields)
        .annotate(resolved=Count("id"), at_first_line=Count("id", filter=AT_FIRST_LINE))
        .order_by(*fields)
    )
    return {
        tuple(row[name] for name in fields): FirstLineResolution(row["resolved"], row["at_first_line"])
        for row in rows
    }


def access_order_q() -> Q:
    """Service requests whose catalogue item is of the access category or one below it
    (DESIGN.md, "access orders"; the category's name is the setting REPORTS_ACCESS_CATEGORY)."""
    name = settings.REPORTS_ACCESS_CATEGORY
    item = "catalogue_request__item__category"
    return Q(kind=Kind.REQUEST) & (Q(**{f"{item}__name": name}) | Q(**{f"{item}__parent__name": name}))


# --- customer-centre waits ------------------------------------------------------------------

OSLO = ZoneInfo("Europe/Oslo")


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: the continuous percentile (linear interpolation)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def _percentile(sorted_values: list[float], fraction: float) -> float | None:
    """The same continuous percentile in Python (for SQLite, which has no percentile_cont)."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


@dataclass(frozen=True)
class WaitStatistics:
    """Waits of the contacts offered in a period (DESIGN.md, "average wait").

    Waits are answered − offered over answered contacts; abandoned contacts are reported apart
    (count, rate over answered + abandoned, mean time to abandon). Contacts still waiting count
    as offered only. Percentiles are continuous (linear interpolation, as numpy's default).
    """

    offered: int
    answered: int
    abandoned: int
    mean_wait: float | None
    p50_wait: float | None
    p90_wait: float | None
    answered_within_target: int
    mean_time_to_abandon: float | None
    target_seconds: float

    @property
    def within_target_share(self) -> float | None:
        return self.answered_within_target / self.answered if self.answered else None

    @property
    def abandon_rate(self) -> float | None:
        ended = self.answered + self.abandoned
        return self.abandoned / ended if ended else None


def _wait_aggregates(target_seconds: float) -> dict[str, Any]:
    answered = Q(state=ContactState.ANSWERED)
    aggregates: dict[str, Any] = {
        "offered": Count("id"),
        "answered": Count("id", filter=answered),
        "abandoned": Count("id", filter=Q(state=ContactState.ABANDONED)),
        "mean_wait": Avg("wait_seconds", filter=answered),
        "answered_within_target": Count("id", filter=answered & Q(wait_seconds__lte=target_seconds)),
        "mean_time_to_abandon": Avg("wait_seconds", filter=Q(state=ContactState.ABANDONED)),
    }
    if connection.vendor == "postgresql":
        # NULL for the others: percentile_cont skips NULLs, so only answered waits count.
        answered_wait = Case(When(answered, then=F("wait_seconds")))
        aggregates["p50_wait"] = PercentileCont(answered_wait, 0.5)
        aggregates["p90_wait"] = PercentileCont(answered_wait, 0.9)
    return aggregates


def _statistics(row: dict[str, Any], waits: list[float] | None, target_seconds: float) -> WaitStatistics:
    if waits is not None:  # SQLite: the percentiles from the sorted waits
        row = {**row, "p50_wait": _percentile(waits, 0.5), "p90_wait": _percentile(waits, 0.9)}
    return WaitStatistics(
        offered=row["offered"],
        answered=row["answered"],
        abandoned=row["abandoned"],
        mean_wait=row["mean_wait"],
        p50_wait=row["p50_wait"],
        p90_wait=row["p90_wait"],
        answered_within_target=row["answered_within_target"],
        mean_time_to_abandon=row["mean_time_to_abandon"],
        target_seconds=target_seconds,
    )


def wait_statistics(contacts: QuerySet[Contact], *, target_seconds: float = 60) -> WaitStatistics:
    """Wait figures over the given contacts, in one aggregate query (two on SQLite)."""
    row = contacts.aggregate(**_wait_aggregates(target_seconds))
    waits = None if connection.vendor == "postgresql" else _answered_waits(contacts)
    return _statistics(row, waits, target_seconds)


def _answered_waits(contacts: QuerySet[Contact]) -> list[float]:
    values = contacts.filter(state=ContactState.ANSWERED).values_list("wait_seconds", flat=True)
    return sorted(w for w in values if w is not None)


GROUPINGS: dict[str, Any] = {
    "queue": F("queue__name"),
    "hour": ExtractHour("offered_at", tzinfo=OSLO),  # hour of day the contact came in, Oslo time
    "day": TruncDate("offered_at", tzinfo=OSLO),  # by the day it came in, even if answered after midnight
}


def wait_statistics_by(
    contacts: QuerySet[Contact], by: str, *, target_seconds: float = 60
) -> dict[Any, WaitStatistics]:
    """Wait figures per queue, per hour of day or per day (Europe/Oslo), in one grouped query."""
    key = GROUPINGS[by]
    rows = contacts.annotate(group_key=key).values("group_key").annotate(**_wait_aggregates(target_seconds))
    result = {}
    for row in rows.order_by("group_key"):
        waits = None
        if connection.vendor != "postgresql":
            waits = _answered_waits(contacts.annotate(group_key=key).filter(group_key=row["group_key"]))
        result[row["group_key"]] = _statistics(dict(row), waits, target_seconds)
    return result
