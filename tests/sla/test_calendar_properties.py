"""Property tests: sla/calendar.py against a brute-force minute-by-minute oracle.

The oracle is written from the documented semantics only: it walks whole-minute UTC instants and
counts a minute when its start instant lies in one of the intervals of a local date (each
interval converted with ``datetime(..., tzinfo=zone)`` and fold=0), the date's intervals being
the override's if any, else none on a closure or public holiday, else the weekday's. Random
calendars use whole minutes, and instants lie within weeks of DST changes and holidays, in
Europe/Oslo, America/New_York and Australia/Lord_Howe (whose DST shift is 30 minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla.calendar import (
    ALWAYS_OPEN,
    CalendarSpec,
    Interval,
    add_business_seconds,
    business_seconds_between,
)

MINUTE = timedelta(minutes=1)

# DST changes of 2024 and 2025 in each zone (the dates the clocks change, local).
DST_DATES = {
    "Europe/Oslo": [date(2024, 3, 31), date(2024, 10, 27), date(2025, 3, 30), date(2025, 10, 26)],
    "America/New_York": [date(2024, 3, 10), date(2024, 11, 3), date(2025, 3, 9), date(2025, 11, 2)],
    "Australia/Lord_Howe": [date(2024, 4, 7), date(2024, 10, 6), date(2025, 4, 6), date(2025, 10, 5)],
}
# Norwegian holidays and other awkward dates: Easter 2024 and 2025, 17 May, Ascension, Christmas,
# New Year, the leap day.
HOLIDAY_DATES = [
    date(2024, 3, 28),
    date(2025, 4, 17),
    date(2024, 5, 17),
    date(2025, 5, 29),
    date(2024, 12, 24),
    date(2025, 12, 31),
    date(2024, 2, 29),
]

# Minutes of the day, biased towards the DST change hours (01:00–03:30), midnight and office hours.
MINUTE_POINTS = st.one_of(
    st.sampled_from([0, 60, 90, 120, 150, 180, 210, 480, 720, 930, 1380, 1440]),
    st.integers(60, 210),
    st.integers(0, 1440),
)

# For the DST change day itself: mostly the small hours, where the clocks change.
NIGHT_POINTS = st.one_of(st.integers(0, 240), st.sampled_from([1440]), st.integers(0, 1440))


def as_time(minute_of_day: int) -> time:
    return time(0) if minute_of_day == 1440 else time(minute_of_day // 60, minute_of_day % 60)


@st.composite
def day_intervals(
    draw: st.DrawFn, min_count: int = 0, points: st.SearchStrategy[int] = MINUTE_POINTS
) -> tuple[Interval, ...]:
    count = draw(st.integers(min_count, 3))
    points = sorted(draw(st.lists(points, min_size=2 * count, max_size=2 * count, unique=True)))
    return tuple((as_time(a), as_time(b)) for a, b in zip(points[::2], points[1::2], strict=True))


@dataclass(frozen=True)
class Case:
    spec: CalendarSpec
    anchor: datetime  # local midnight of a DST change or holiday, in UTC


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(sorted(DST_DATES)))
    anchor_date = draw(st.one_of(st.sampled_from(DST_DATES[zone]), st.sampled_from(HOLIDAY_DATES)))
    weekly = tuple(draw(day_intervals()) for _day in range(7))
    if not any(weekly):
        weekly = (((time(9), time(17)),), *weekly[1:])
    near = st.integers(-10, 10).map(lambda k: anchor_date + timedelta(days=k))
    closures = frozenset(draw(st.lists(near, max_size=4)))
    # sometimes override a closed date: the override wins
    override_day = st.one_of(near, st.sampled_from(sorted(closures))) if closures else near
    override_dates = draw(st.lists(override_day, max_size=3, unique=True))
    overrides = tuple((d, draw(day_intervals())) for d in override_dates)
    spec = CalendarSpec(
        timezone=zone,
        weekly=weekly,
        holiday_country=draw(st.sampled_from([None, "NO"])),
        closures=closures,
        overrides=overrides,
    )
    local_midnight = datetime(anchor_date.year, anchor_date.month, anchor_date.day, tzinfo=ZoneInfo(zone))
    return Case(spec, local_midnight.astimezone(UTC))


def instants(case: Case) -> st.SearchStrategy[datetime]:
    """Whole-minute UTC instants within two weeks of the case's anchor, often just before it."""
    minutes = st.one_of(st.integers(-2 * 1440, 1440), st.integers(-14 * 1440, 14 * 1440))
    return minutes.map(lambda m: case.anchor + m * MINUTE)


class Oracle:
    """Working minutes by brute force, straight from the documented semantics."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self.holidays = holidays.country_holidays(spec.holiday_country) if spec.holiday_country else {}
        self.overrides: dict[date, list[Interval]] = {}
        for day, intervals in spec.overrides:
            self.overrides.setdefault(day, []).extend(intervals)
        self.cache: dict[date, list[tuple[datetime, datetime]]] = {}

    def intervals_utc(self, day: date) -> list[tuple[datetime, datetime]]:
        if day not in self.cache:
            if day in self.overrides:
                local = self.overrides[day]
            elif day in self.spec.closures or day in self.holidays:
                local = []
            else:
                local = list(self.spec.weekly[day.weekday()])
            spans = []
            for start, end in local:
                end_day = day + timedelta(days=1) if end == time(0) else day
                spans.append(
                    (
                        datetime.combine(day, start, tzinfo=self.zone).astimezone(UTC),
                        datetime.combine(end_day, end, tzinfo=self.zone).astimezone(UTC),
                    )
                )
            self.cache[day] = spans
        return self.cache[day]

    def working(self, minute: datetime) -> bool:
        local_day = minute.astimezone(self.zone).date()
        for day in (local_day - timedelta(days=1), local_day, local_day + timedelta(days=1)):
            for start, end in self.intervals_utc(day):
                if start <= minute < end:
                    return True
        return False

    def working_minutes(self, start: datetime, end: datetime) -> list[datetime]:
        found = []
        minute = start
        while minute < end:
            if self.working(minute):
                found.append(minute)
            minute += MINUTE
        return found


# Sized so the whole file runs in about 20 s.
ORACLE = settings(max_examples=200, deadline=None)
FAST = settings(max_examples=200, deadline=None)


@ORACLE
@given(data=st.data())
def test_business_seconds_between_matches_the_minute_oracle(data: st.DataObject) -> None:
    case = data.draw(cases())
    start = data.draw(instants(case))
    end = start + data.draw(st.integers(-1440, 6 * 1440)) * MINUTE

    expected = 60 * len(Oracle(case.spec).working_minutes(start, end))

    assert business_seconds_between(case.spec, start, end) == expected


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_intervals_on_a_dst_change_day_match_the_minute_oracle(data: st.DataObject) -> None:
    # Only the change day is open, with random intervals around the changed hour: a wall time in
    # the spring gap or the repeated autumn hour converts with fold=0.
    zone = data.draw(st.sampled_from(sorted(DST_DATES)))
    change_day = data.draw(st.sampled_from(DST_DATES[zone]))
    spec = CalendarSpec(
        timezone=zone,
        weekly=((),) * 7,
        holiday_country=None,
        overrides=((change_day, data.draw(day_intervals(min_count=1, points=NIGHT_POINTS))),),
    )
    midnight = datetime.combine(change_day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    start = midnight + data.draw(st.integers(-180, 360)) * MINUTE
    end = midnight + 1440 * MINUTE
    worked = Oracle(spec).working_minutes(start, end)
    n = data.draw(st.integers(0, len(worked)))

    assert business_seconds_between(spec, start, end) == 60 * len(worked)
    assert add_business_seconds(spec, start, 60 * n) == (start if n == 0 else worked[n - 1] + MINUTE)


@ORACLE
@given(data=st.data())
def test_add_business_seconds_matches_the_minute_oracle(data: st.DataObject) -> None:
    case = data.draw(cases())
    start = data.draw(instants(case))
    window = data.draw(st.integers(0, 6 * 1440)) * MINUTE
    worked = Oracle(case.spec).working_minutes(start, start + window)
    # any target the oracle can answer inside the window: the end of the n-th working minute
    n = data.draw(st.integers(0, len(worked)))
    expected = start if n == 0 else worked[n - 1] + MINUTE

    assert add_business_seconds(case.spec, start, 60 * n) == expected


@FAST
@given(data=st.data())
def test_business_seconds_between_undoes_add_business_seconds(data: st.DataObject) -> None:
    case = data.draw(cases())
    start = data.draw(instants(case))
    seconds = 60 * data.draw(st.integers(0, 20 * 1440))

    due = add_business_seconds(case.spec, start, seconds)

    assert due >= start
    assert business_seconds_between(case.spec, start, due) == seconds


@ORACLE
@given(data=st.data())
def test_add_business_seconds_of_the_count_reaches_end_or_the_last_working_instant(
    data: st.DataObject,
) -> None:
    case = data.draw(cases())
    start = data.draw(instants(case))
    end = start + data.draw(st.integers(0, 6 * 1440)) * MINUTE

    reached = add_business_seconds(case.spec, start, business_seconds_between(case.spec, start, end))

    assert start <= reached <= end
    if end > start and Oracle(case.spec).working(end - MINUTE):  # end is inside working time
        assert reached == end


@FAST
@given(data=st.data())
def test_both_functions_are_monotonic(data: st.DataObject) -> None:
    case = data.draw(cases())
    start = data.draw(instants(case))
    short, long = sorted(60 * data.draw(st.integers(0, 10 * 1440)) for _ in range(2))
    near, far = sorted(start + data.draw(st.integers(0, 20 * 1440)) * MINUTE for _ in range(2))

    assert add_business_seconds(case.spec, start, short) <= add_business_seconds(case.spec, start, long)
    assert business_seconds_between(case.spec, start, near) <= business_seconds_between(case.spec, start, far)


@FAST
@given(data=st.data())
def test_counts_add_up_over_consecutive_spans(data: st.DataObject) -> None:
    case = data.draw(cases())
    a, b, c = sorted(data.draw(instants(case)) for _ in range(3))
    spec = case.spec

    assert business_seconds_between(spec, a, b) + business_seconds_between(spec, b, c) == (
        business_seconds_between(spec, a, c)
    )


@FAST
@given(data=st.data())
def test_adding_in_two_steps_equals_adding_at_once(data: st.DataObject) -> None:
    case = data.draw(cases())
    start = data.draw(instants(case))
    first, second = (60 * data.draw(st.integers(0, 5 * 1440)) for _ in range(2))
    spec = case.spec

    assert add_business_seconds(spec, add_business_seconds(spec, start, first), second) == (
        add_business_seconds(spec, start, first + second)
    )


@FAST
@given(
    offset=st.integers(0, 3 * 366 * 86_400 * 10**6),  # microseconds into 2024–2026
    seconds=st.integers(0, 40 * 86_400),
)
def test_always_open_counts_plain_elapsed_time(offset: int, seconds: int) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(microseconds=offset)

    due = add_business_seconds(ALWAYS_OPEN, start, seconds)

    assert due == start + timedelta(seconds=seconds)
    assert business_seconds_between(ALWAYS_OPEN, start, due) == seconds


THIS_YEAR = datetime.now(UTC).year


@pytest.mark.parametrize("year", range(THIS_YEAR - 3, THIS_YEAR + 4))
@pytest.mark.parametrize("side", ["before", "after"])
@pytest.mark.parametrize(
    ("zone", "hours"),
    [("America/New_York", (time(20), time(0))), ("Pacific/Auckland", (time(0), time(4)))],
    ids=["west of utc late evenings", "east of utc early mornings"],
)
def test_working_time_next_to_new_year_in_utc_is_complete_whichever_year_is_asked_first(
    zone: str, hours: Interval, side: str, year: int
) -> None:
    # West of UTC, 31 December's evening falls on 1 January in UTC; east of it, 1 January's
    # morning falls on 31 December. The day on either side of midnight UTC is asked on a new
    # spec (a unique closure), so that first query decides which years its table holds.
    def fresh(tag: int) -> CalendarSpec:
        return CalendarSpec(
            timezone=zone,
            weekly=((hours,),) * 7,
            holiday_country=None,
            closures=frozenset({date(year, 7, tag)}),
        )

    new_year = datetime(year, 1, 1, tzinfo=UTC)
    start = new_year - timedelta(days=1) if side == "before" else new_year
    end = start + timedelta(days=1)
    worked = Oracle(fresh(1)).working_minutes(start, end)

    assert business_seconds_between(fresh(1), start, end) == 60 * len(worked)
    assert add_business_seconds(fresh(2), start, 60 * len(worked)) == worked[-1] + MINUTE
