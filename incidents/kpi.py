"""Ticket figures computed in the database (used by the console now, the monthly report later)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from servicedesk.models import GroupLevel

from .models import EventAction, State, Ticket, TicketEvent

REOPEN_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class FirstLineResolution:
    resolved: int
    at_first_line: int

    @property
    def rate(self) -> float | None:
        return self.at_first_line / self.resolved if self.resolved else None


def first_line_resolution(tickets: QuerySet[Ticket]) -> FirstLineResolution:
    """DESIGN.md: resolved tickets resolved by a first-line group, never assigned to another
    group, and not reopened within 7 days of a resolution ÷ all resolved tickets.

    "Resolved" includes closed tickets. One aggregate query.
    """
    reopened_soon = TicketEvent.objects.filter(
        ticket=OuterRef("pk"),
        action=EventAction.REOPENED,
        field="state",
        details__seconds_since_resolved__lte=REOPEN_WINDOW.total_seconds(),
    )
    figures = (
        tickets.filter(state__in=[State.RESOLVED, State.CLOSED])
        .annotate(reopened_soon=Exists(reopened_soon))
        .aggregate(
            resolved=Count("id"),
            at_first_line=Count(
                "id",
                filter=Q(
                    resolved_by_group__level=GroupLevel.FIRST_LINE,
                    reassignment_count=0,
                    reopened_soon=False,
                ),
            ),
        )
    )
    return FirstLineResolution(resolved=figures["resolved"], at_first_line=figures["at_first_line"])
