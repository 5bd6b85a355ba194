"""Reads for the panels beside the log-a-call form: the caller's tickets and possible duplicates.

Each panel is one query, already scoped to what the agent may see, whatever its row count.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from servicedesk.models import User

from .models import OPEN_STATES, Ticket
from .selectors import tickets_visible_to

# Besides the open ones, the caller's tickets of the last two weeks: "I called last week about …".
RECENT_DAYS = 14
CALLER_TICKETS = 10


def _panel_rows(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_related("service", "assignment_group", "assignee")


def caller_tickets_for(user: User, caller: User | None) -> list[Ticket]:
    """The caller's open tickets first, then their recent ones, newest first (at most ten)."""
    if caller is None:
        return []
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    tickets = (
        tickets_visible_to(user)
        .filter(caller=caller)
        .filter(Q(state__in=OPEN_STATES) | Q(created_at__gte=since) | Q(resolved_at__gte=since))
        .annotate(
            closed_first=Case(
                When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("closed_first", "-created_at", "-id")
    )
    return list(_panel_rows(tickets)[:CALLER_TICKETS])
