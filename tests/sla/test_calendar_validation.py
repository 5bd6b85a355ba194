"""Bad calendars and bad arguments are refused with a clear message (sla/calendar.py)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest

from sla.calendar import (
    ALWAYS_OPEN,
    STANDARD_OFFICE,
    CalendarError,
    CalendarSpec,
    add_business_seconds,
    business_seconds_between,
    validate,
)

OFFICE_DAY = ((time(8), time(16)),)
START = datetime(2025, 1, 13, 9, 0, tzinfo=UTC)


def week(*days: tuple[tuple[time, time], ...]) -> tuple[tuple[tuple[time, time], ...], ...]:
    """Monday's intervals first; days not given are closed."""
    return days + ((),) * (7 - len(days))


def today() -> date:
    return datetime.now(UTC).date()


def test_the_shipped_calendars_are_valid() -> None:
    validate(STANDARD_OFFICE)
    validate(ALWAYS_OPEN)


def test_a_whole_day_and_touching_intervals_are_valid() -> None:
    validate(CalendarSpec(weekly=week(((time(0), time(0)),), ((time(8), time(12)), (time(12), time(16))))))


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(CalendarError, match="Unknown time zone 'Europe/Bergen'"):
        validate(CalendarSpec(timezone="Europe/Bergen", weekly=week(OFFICE_DAY)))


def test_unknown_time_zone_is_refused_by_the_arithmetic_too() -> None:
    with pytest.raises(CalendarError, match="Unknown time zone"):
        add_business_seconds(CalendarSpec(timezone="Mars/Olympus", weekly=week(OFFICE_DAY)), START, 60)


def test_overlapping_intervals_in_one_day_are_refused() -> None:
    spec = CalendarSpec(weekly=week((), ((time(8), time(12)), (time(11), time(16)))))

    with pytest.raises(CalendarError, match=r"Tuesday: intervals overlap \(08:00–12:00, 11:00–16:00\)"):
        validate(spec)


def test_overlapping_intervals_in_an_override_are_refused() -> None:
    spec = CalendarSpec(
        weekly=week(OFFICE_DAY),
        overrides=(
            (date(2024, 12, 24), ((time(8), time(12)),)),
            (date(2024, 12, 24), ((time(10), time(13)),)),  # same date: combined, and they overlap
        ),
    )

    with pytest.raises(CalendarError, match="Override 2024-12-24: intervals overlap"):
        validate(spec)


def test_an_inverted_interval_is_refused() -> None:
    with pytest.raises(CalendarError, match="Monday: interval 16:00–08:00 ends before it starts"):
        validate(CalendarSpec(weekly=week(((time(16), time(8)),))))


def test_an_empty_interval_is_refused() -> None:
    with pytest.raises(
        CalendarError, match="Wednesday: interval 09:00–09:00 ends before it starts or is empty"
    ):
        validate(CalendarSpec(weekly=week((), (), ((time(9), time(9)),))))


def test_interval_times_with_a_time_zone_are_refused() -> None:
    with pytest.raises(CalendarError, match="without tzinfo"):
        validate(CalendarSpec(weekly=week(((time(8, tzinfo=UTC), time(16, tzinfo=UTC)),))))


def test_a_week_without_seven_days_is_refused() -> None:
    with pytest.raises(CalendarError, match="exactly 7 entries"):
        validate(CalendarSpec(weekly=(OFFICE_DAY,) * 5))


def test_a_closure_given_as_a_datetime_is_refused() -> None:
    closures = frozenset({datetime(2025, 5, 2, tzinfo=UTC)})

    with pytest.raises(CalendarError, match="closures must be a frozenset of dates"):
        validate(CalendarSpec(weekly=week(OFFICE_DAY), closures=closures))  # type: ignore[arg-type]


def test_an_unknown_holiday_country_is_refused() -> None:
    with pytest.raises(CalendarError, match="Unknown holiday country 'XX'"):
        validate(CalendarSpec(weekly=week(OFFICE_DAY), holiday_country="XX"))


def test_a_calendar_with_all_days_empty_has_no_working_time() -> None:
    with pytest.raises(CalendarError, match="no working time"):
        validate(CalendarSpec())


@pytest.mark.timeout(5)
def test_adding_on_a_calendar_with_all_days_empty_fails_instead_of_hanging() -> None:
    with pytest.raises(CalendarError, match="no working time"):
        add_business_seconds(CalendarSpec(), START, 60)


def test_a_calendar_closed_for_the_coming_year_has_no_working_time() -> None:
    closures = frozenset(today() + timedelta(days=k) for k in range(-7, 400))

    with pytest.raises(CalendarError, match="no working time in the coming year"):
        validate(CalendarSpec(weekly=week(OFFICE_DAY), closures=closures))


def test_a_calendar_whose_only_opening_is_an_override_in_the_past_has_no_working_time() -> None:
    spec = CalendarSpec(weekly=week(), overrides=((date(2020, 1, 6), OFFICE_DAY),))

    with pytest.raises(CalendarError, match="no working time in the coming year"):
        validate(spec)


@pytest.mark.timeout(5)
def test_adding_on_a_calendar_closed_by_closures_gives_up_after_the_horizon() -> None:
    first = date(2025, 1, 1)
    closures = frozenset(first + timedelta(days=k) for k in range(30 * 366))
    spec = CalendarSpec(weekly=week(*(OFFICE_DAY,) * 7), closures=closures)

    with pytest.raises(CalendarError, match="fewer than 60 working seconds in the 20 years after"):
        add_business_seconds(spec, datetime(2025, 1, 2, tzinfo=UTC), 60)


def test_negative_seconds_are_refused() -> None:
    with pytest.raises(CalendarError, match="must not be negative"):
        add_business_seconds(STANDARD_OFFICE, START, -1)


@pytest.mark.parametrize("seconds", [math.nan, math.inf], ids=["not a number", "infinity"])
def test_seconds_that_are_not_finite_are_refused(seconds: float) -> None:
    with pytest.raises(CalendarError, match="must be finite"):
        add_business_seconds(STANDARD_OFFICE, START, seconds)


def test_adding_to_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware datetime") as raised:
        add_business_seconds(STANDARD_OFFICE, datetime(2025, 1, 13, 9, 0), 60)  # noqa: DTZ001 -- the point

    assert raised.type is ValueError  # a bad argument, not a bad calendar


@pytest.mark.parametrize("naive", ["start", "end"])
def test_counting_with_a_naive_instant_is_refused(naive: str) -> None:
    instants = {"start": START, "end": START + timedelta(hours=1)}
    instants[naive] = instants[naive].replace(tzinfo=None)

    with pytest.raises(ValueError, match=f"{naive} must be an aware datetime"):
        business_seconds_between(STANDARD_OFFICE, instants["start"], instants["end"])
