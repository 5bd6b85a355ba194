"""Availability per service and month, against figures computed by hand in the comments.

Oslo is UTC+1 in winter (CET) and UTC+2 in summer (CEST). In 2026 summer time starts on Sunday
29 March (02:00 → 03:00: March has 31 × 86,400 − 3,600 s) and ends on Sunday 25 October
(03:00 → 02:00: October has 31 × 86,400 + 3,600 s).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from servicedesk.models import Service
from sla.availability import availability_by_service, month_bounds, tier1_availability
from tests.factories import OutageFactory, ServiceFactory

from .conftest import oslo

pytestmark = pytest.mark.django_db

JANUARY = 31 * 86_400  # 2,678,400 s, no DST change
MARCH = 31 * 86_400 - 3_600  # 2,674,800 s
OCTOBER = 31 * 86_400 + 3_600  # 2,682,000 s


@pytest.fixture
def pas() -> Service:
    return ServiceFactory(name="PAS", tier=1)


@pytest.fixture
def epr() -> Service:
    return ServiceFactory(name="EPR", tier=1)


@pytest.fixture
def printing() -> Service:
    return ServiceFactory(name="Printing", tier=2)


def by_name(start: datetime, end: datetime, **kwargs: object) -> dict[str, object]:
    return {row.service_name: row for row in availability_by_service(start=start, end=end, **kwargs)}  # type: ignore[arg-type]


def test_month_bounds_are_oslo_midnights_in_utc() -> None:
    assert month_bounds(2026, 1) == (
        datetime(2025, 12, 31, 23, tzinfo=UTC),
        datetime(2026, 1, 31, 23, tzinfo=UTC),
    )
    assert month_bounds(2026, 12) == (
        datetime(2026, 11, 30, 23, tzinfo=UTC),
        datetime(2026, 12, 31, 23, tzinfo=UTC),
    )
    start, end = month_bounds(2026, 3)
    assert (end - start).total_seconds() == MARCH
    start, end = month_bounds(2026, 10)
    assert (end - start).total_seconds() == OCTOBER


def test_overlapping_outages_are_merged_and_planned_ones_are_left_out_of_the_unplanned_figure(
    pas: Service, epr: Service, printing: Service
) -> None:
    # PAS, 5 January: 10:00–12:00 and 11:00–13:30 overlap → one stretch 10:00–13:30 = 12,600 s.
    OutageFactory(service=pas, started_at=oslo(2026, 1, 5, 10), ended_at=oslo(2026, 1, 5, 12))
    OutageFactory(service=pas, started_at=oslo(2026, 1, 5, 11), ended_at=oslo(2026, 1, 5, 13, 30))
    # PAS, 10 January 02:00–06:00 planned (a change) = 14,400 s planned, 0 unplanned.
    OutageFactory(service=pas, started_at=oslo(2026, 1, 10, 2), ended_at=oslo(2026, 1, 10, 6), planned=True)
    start, end = month_bounds(2026, 1)

    rows = by_name(start, end, now=oslo(2026, 3, 1))

    row = rows["PAS"]
    assert (row.period_seconds, row.unplanned_seconds, row.planned_seconds) == (JANUARY, 12_600, 14_400)
    assert row.availability == pytest.approx(1 - 12_600 / 2_678_400)  # 0.995296…
    # A service that exists and had no outage: available all month, explicitly 1.0.
    assert rows["Printing"].unplanned_seconds == 0
    assert rows["Printing"].availability == 1.0
    assert rows["EPR"].availability == 1.0


def test_an_outage_spanning_two_months_counts_in_each_month_its_own_part(pas: Service) -> None:
    # 31 January 23:00 → 1 February 01:00 Oslo: 3,600 s in January, 3,600 s in February.
    OutageFactory(service=pas, started_at=oslo(2026, 1, 31, 23), ended_at=oslo(2026, 2, 1, 1))
    now = oslo(2026, 6, 1)

    january = by_name(*month_bounds(2026, 1), now=now)["PAS"]
    february = by_name(*month_bounds(2026, 2), now=now)["PAS"]

    assert january.unplanned_seconds == 3_600
    assert february.unplanned_seconds == 3_600
    assert february.period_seconds == 28 * 86_400
    assert february.availability == pytest.approx(1 - 3_600 / 2_419_200)


def test_an_outage_across_the_spring_dst_change_counts_real_seconds_not_wall_clock_hours(
    pas: Service,
) -> None:
    # 29 March 01:00 CET → 04:00 CEST reads as three hours on the wall, but is 2 h = 7,200 s.
    OutageFactory(service=pas, started_at=oslo(2026, 3, 29, 1), ended_at=oslo(2026, 3, 29, 4))

    row = by_name(*month_bounds(2026, 3), now=oslo(2026, 6, 1))["PAS"]

    assert (row.period_seconds, row.unplanned_seconds) == (MARCH, 7_200)
    assert row.availability == pytest.approx(1 - 7_200 / 2_674_800)


def test_october_has_an_hour_more(pas: Service) -> None:
    # 25 October 02:00 CEST → 02:00 CET (the hour repeated) is 3,600 s; October has 2,682,000 s.
    OutageFactory(
        service=pas,
        started_at=datetime(2026, 10, 25, 0, tzinfo=UTC),
        ended_at=datetime(2026, 10, 25, 1, tzinfo=UTC),
    )

    row = by_name(*month_bounds(2026, 10), now=oslo(2027, 1, 1))["PAS"]

    assert (row.period_seconds, row.unplanned_seconds) == (OCTOBER, 3_600)


def test_an_open_outage_counts_until_now_and_the_current_month_until_now(pas: Service, epr: Service) -> None:
    # Now: 10 February 12:00 Oslo. February so far: 9.5 days = 820,800 s.
    # PAS down since 06:00 today and still down: 6 h = 21,600 s.
    OutageFactory(service=pas, started_at=oslo(2026, 2, 10, 6), ended_at=None)
    with time_machine.travel(oslo(2026, 2, 10, 12), tick=False):
        rows = by_name(*month_bounds(2026, 2))
        tier1 = tier1_availability(start=month_bounds(2026, 2)[0], end=month_bounds(2026, 2)[1])

    assert rows["PAS"].period_seconds == 820_800
    assert rows["PAS"].unplanned_seconds == 21_600
    assert rows["PAS"].availability == pytest.approx(1 - 21_600 / 820_800)
    # Mean of PAS (0.973684…) and EPR (1.0) = 1 − 10,800 / 820,800.
    assert tier1 == pytest.approx(1 - 10_800 / 820_800)


def test_an_open_outage_in_a_past_month_counts_to_the_end_of_that_month(pas: Service) -> None:
    # Down since 31 January 20:00 Oslo and still down on 10 February: January holds 4 h of it.
    OutageFactory(service=pas, started_at=oslo(2026, 1, 31, 20), ended_at=None)

    row = by_name(*month_bounds(2026, 1), now=oslo(2026, 2, 10))["PAS"]

    assert row.unplanned_seconds == 14_400


def test_a_future_period_is_empty_and_has_no_availability(pas: Service) -> None:
    OutageFactory(service=pas, started_at=oslo(2026, 12, 1), ended_at=oslo(2026, 12, 2))

    row = by_name(*month_bounds(2026, 12), now=oslo(2026, 2, 10))["PAS"]

    assert (row.period_seconds, row.unplanned_seconds, row.planned_seconds) == (0, 0, 0)
    assert row.availability is None
    assert (
        tier1_availability(
            start=month_bounds(2026, 12)[0], end=month_bounds(2026, 12)[1], now=oslo(2026, 2, 10)
        )
        is None
    )


def test_a_month_with_no_outages_at_all_is_fully_available(pas: Service, printing: Service) -> None:
    rows = by_name(*month_bounds(2025, 4), now=oslo(2026, 2, 10))

    assert {name: row.availability for name, row in rows.items()} == {"PAS": 1.0, "Printing": 1.0}
    assert rows["PAS"].period_seconds == 30 * 86_400


def test_tier1_availability_is_the_mean_over_tier_1_services_and_ignores_other_tiers(
    pas: Service, epr: Service, printing: Service
) -> None:
    # January: PAS down 12,600 s, EPR 3,600 s, Printing (tier 2) 100,000 s.
    # Mean over PAS and EPR = 1 − (12,600 + 3,600) / 2 / 2,678,400 = 1 − 8,100 / 2,678,400.
    OutageFactory(service=pas, started_at=oslo(2026, 1, 5, 10), ended_at=oslo(2026, 1, 5, 13, 30))
    OutageFactory(service=epr, started_at=oslo(2026, 1, 20, 8), ended_at=oslo(2026, 1, 20, 9))
    OutageFactory(
        service=printing, started_at=oslo(2026, 1, 7), ended_at=oslo(2026, 1, 7) + timedelta(seconds=100_000)
    )
    start, end = month_bounds(2026, 1)

    assert tier1_availability(start=start, end=end, now=oslo(2026, 3, 1)) == pytest.approx(
        1 - 8_100 / 2_678_400
    )
    assert [row.service_name for row in availability_by_service(start=start, end=end, tier=1)] == [
        "EPR",
        "PAS",
    ]
    assert by_name(start, end, now=oslo(2026, 3, 1))["Printing"].unplanned_seconds == 100_000


def test_inactive_services_are_not_reported(pas: Service) -> None:
    ServiceFactory(name="Old fax", tier=1, active=False)

    assert [
        row.service_name for row in availability_by_service(start=oslo(2026, 1, 1), end=oslo(2026, 2, 1))
    ] == ["PAS"]


def test_availability_reads_services_and_outages_in_two_queries_whatever_their_number(
    pas: Service, epr: Service, django_assert_num_queries: object
) -> None:
    for day in range(1, 20):
        OutageFactory(service=pas, started_at=oslo(2026, 1, day, 1), ended_at=oslo(2026, 1, day, 2))
    with django_assert_num_queries(2):  # type: ignore[operator]
        availability_by_service(start=oslo(2026, 1, 1), end=oslo(2026, 2, 1), now=oslo(2026, 3, 1))
