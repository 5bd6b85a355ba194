"""Reads for the panels beside the log-a-call form: the caller's tickets and possible duplicates.

Each panel is one query, already scoped to what the agent may see, whatever its row count.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from servicedesk.models import Service, User

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


# Possible duplicates: the same service's tickets of the last hours whose titles are similar.
DUPLICATE_HOURS = 8
DUPLICATES = 5
# pg_trgm similarity (shared trigrams ÷ all trigrams of both titles). Two titles sharing only a
# common word ("… ikke …") score about 0.2; rewordings of the same fault 0.4 and more.
SIMILARITY = 0.3
MIN_TITLE = 3


def possible_duplicates_for(user: User, service: Service | None, title: str) -> list[Ticket]:
    """Tickets the agent may see, on the same service, from the last hours, with a similar title."""
    title = title.strip()
    if service is None or len(title) < MIN_TITLE:
        return []
    since = timezone.now() - timedelta(hours=DUPLICATE_HOURS)
    # The (service, created_at) index leaves only the last hours' rows of one service to compare.
    recent = tickets_visible_to(user).filter(service=service, created_at__gte=since)
    similar: QuerySet[Ticket]
    if connection.vendor == "postgresql":
        similar = (
            recent.annotate(similarity=TrigramSimilarity("title", title))
            .filter(similarity__gte=SIMILARITY)
            .order_by("-similarity", "-created_at")
        )
    else:
        # SQLite (the zero-setup demo): any longer word of the title, newest first.
        words = [word for word in title.split() if len(word) >= 4][:8] or [title]
        matches = Q()
        for word in words:
            matches |= Q(title__icontains=word)
        similar = recent.filter(matches).order_by("-created_at")
    return list(_panel_rows(similar)[:DUPLICATES])
