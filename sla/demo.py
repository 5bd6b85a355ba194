"""Demo data of the sla app: how long each group may hold a ticket (OLA targets), and the SLA
clocks of the demo's ticket history (called by `manage.py demo_data`; never in production).

The SLA policies and the office-hours calendar themselves come from migrations.
"""

from __future__ import annotations

from collections.abc import Iterable

from incidents.models import Ticket
from servicedesk.models import AssignmentGroup

from .clock import create_clocks_in_bulk
from .models import Calendar, OlaTarget

# OLA per group level: first line 30 min, second line 1 business day, third line 3, vendor 5.
OLA_SECONDS = {1: 1800, 2: 27_000, 3: 81_000, 4: 135_000}


def seed_ola_targets(groups: Iterable[AssignmentGroup]) -> None:
    """One OLA target per group, in business seconds on office hours (kept if it exists)."""
    office = Calendar.objects.filter(name="Kontortid").first()
    if office is None:  # seeded by a migration; a database without it gets no OLA targets
        return
    for group in groups:
        OlaTarget.objects.get_or_create(
            group=group,
            priority=None,
            defaults={"target_seconds": OLA_SECONDS[group.level], "calendar": office},
        )


def seed_clocks(latest: int) -> int:
    """The SLA clocks of the `latest` tickets (by id), derived from their history as the live path
    would have; returns how many clocks were made.

    In bulk: these tickets are new and nobody works on them yet (no per-ticket locks).
    """
    tickets = list(Ticket.objects.order_by("id")[Ticket.objects.count() - latest :])
    return create_clocks_in_bulk(tickets)
