"""Serious incidents per month and weeks without one, against figures counted by hand.

Which tickets (incidents/major.py): declared major incidents, placed by their declaration, and
priority-1 incidents on tier-1 services not (yet) declared, placed by when they were logged;
tickets linked to a major incident are part of it and not counted again. Months and ISO weeks
are Oslo ones (UTC+1 in winter).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from incidents.major import (
    iso_weeks_inside,
    iso_year_bounds,
    serious_incident_count,
    serious_incidents_by_month,
    weeks_without_serious_incident,
)
from incidents.models import Kind, Ticket
from servicedesk.models import Service
from tests.factories import ServiceFactory, TicketFactory
from tests.sla.conftest import oslo

pytestmark = pytest.mark.django_db


def declared(service: Service, at: datetime, *, logged: datetime | None = None, **kwargs: object) -> Ticket:
    return TicketFactory(
        service=service,
        priority=1,
        major_incident=True,
        major_declared_at=at,
        created_at=logged or at,
        **kwargs,
    )


@pytest.fixture
def scene() -> dict[str, Ticket]:
    pas = ServiceFactory(name="PAS", tier=1)
    printing = ServiceFactory(name="Printing", tier=2)
    tickets = {
        # Week 2 (Mon 5 Jan), January.
        "t1": declared(pas, oslo(2026, 1, 5, 10), logged=oslo(2026, 1, 5, 9, 50)),
        # Logged on New Year's Eve, declared 00:30 on 1 January (Thursday, ISO week 1): January.
        "t5": declared(printing, oslo(2026, 1, 1, 0, 30), logged=oslo(2025, 12, 31, 23)),
        # P1 on tier 1 never declared, Sunday 1 February 00:30 Oslo = 31 January 23:30 UTC:
        # February in Oslo (January in UTC), ISO week 5 either way.
        "t2": TicketFactory(service=pas, priority=1, created_at=oslo(2026, 2, 1, 0, 30)),
        # Declared Monday 2 March 00:30 Oslo = Sunday 1 March 23:30 UTC: ISO week 10 in Oslo (9 in UTC).
        "t8": declared(pas, oslo(2026, 3, 2, 0, 30)),
        # Wednesday 4 March: week 10 too, so weeks by UTC would count one more week with one.
        "t9": declared(pas, oslo(2026, 3, 4, 12)),
        # Not serious: P1 on a tier-2 service; P2 on tier 1; a P1 request; a call linked to t1.
        "t3": TicketFactory(service=printing, priority=1, created_at=oslo(2026, 1, 12)),
        "t7": TicketFactory(service=pas, priority=2, created_at=oslo(2026, 1, 19)),
        "t6": TicketFactory(service=pas, priority=1, kind=Kind.REQUEST, created_at=oslo(2026, 1, 26)),
    }
    tickets["t4"] = TicketFactory(service=pas, priority=1, created_at=oslo(2026, 2, 9), parent=tickets["t1"])
    return tickets


def test_serious_incidents_are_counted_in_the_oslo_month_of_their_declaration(
    scene: dict[str, Ticket],
) -> None:
    # January: t1, t5. February: t2. March: t8, t9. April: none.
    assert serious_incident_count(start=oslo(2026, 1, 1), end=oslo(2026, 2, 1)) == 2
    assert serious_incidents_by_month(start=oslo(2026, 1, 1), end=oslo(2026, 5, 1)) == {
        "2026-01": 2,
        "2026-02": 1,
        "2026-03": 2,
        "2026-04": 0,
    }


def test_a_month_without_serious_incidents_counts_zero(scene: dict[str, Ticket]) -> None:
    assert serious_incident_count(start=oslo(2025, 6, 1), end=oslo(2025, 7, 1)) == 0
    assert serious_incidents_by_month(start=oslo(2025, 6, 1), end=oslo(2025, 7, 1)) == {"2025-06": 0}


def test_weeks_without_a_serious_incident_over_an_iso_year(scene: dict[str, Ticket]) -> None:
    # ISO year 2026 (1 January is a Thursday): 53 weeks, Mon 29 Dec 2025 – Sun 3 Jan 2027.
    # Weeks with a serious incident: 1 (t5), 2 (t1), 5 (t2), 10 (t8, t9) → 53 − 4 = 49.
    start, end = iso_year_bounds(2026)
    assert start == oslo(2025, 12, 29)
    assert end == oslo(2027, 1, 4)
    assert len(iso_weeks_inside(start, end)) == 53
    assert weeks_without_serious_incident(start=start, end=end) == 49


def test_weeks_only_partly_inside_the_period_are_not_counted(scene: dict[str, Ticket]) -> None:
    # Calendar year 2026: the whole weeks are 2 … 52 (51 weeks; week 1 begins in 2025 and week
    # 53 ends in 2027). With incidents: 2, 5, 10 → 51 − 3 = 48.
    start, end = oslo(2026, 1, 1), oslo(2027, 1, 1)
    assert len(iso_weeks_inside(start, end)) == 51
    assert weeks_without_serious_incident(start=start, end=end) == 48


def test_a_period_shorter_than_a_week_has_no_weeks() -> None:
    assert weeks_without_serious_incident(start=oslo(2026, 1, 6), end=oslo(2026, 1, 12)) == 0


def test_the_figures_take_one_query_each(scene: dict[str, Ticket], django_assert_num_queries: object) -> None:
    start, end = iso_year_bounds(2026)
    with django_assert_num_queries(1):  # type: ignore[operator]
        weeks_without_serious_incident(start=start, end=end)
    with django_assert_num_queries(1):  # type: ignore[operator]
        serious_incidents_by_month(start=start, end=end)
