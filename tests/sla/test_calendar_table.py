"""Hand-computed cases for the business-calendar arithmetic (sla/calendar.py).

Starts are given in Europe/Oslo local time; expected instants are written in UTC, with the Oslo
wall time in the comment. Oslo is UTC+1 in winter (CET) and UTC+2 in summer (CEST); in 2025 the
clocks go forward on Sunday 30 March and back on Sunday 26 October.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import (
    ALWAYS_OPEN,
    STANDARD_OFFICE,
    CalendarSpec,
    add_business_seconds,
    business_seconds_between,
)

OSLO = ZoneInfo("Europe/Oslo")
HOUR = 3600
OFFICE_DAY = 27_000  # 08:00–15:30 = 7.5 h

# Mon–Fri 08:00–11:30 (3.5 h) and 12:00–16:00 (4 h) = 7.5 h a day; Christmas Eve 2024
# (a Tuesday) shortened to 08:00–12:00; Norwegian public holidays closed.
SPLIT = CalendarSpec(
    weekly=((((time(8), time(11, 30)), (time(12), time(16))),) * 5) + ((), ()),
    overrides=((date(2024, 12, 24), ((time(8), time(12)),)),),
)
# Open only on Sundays, all day (00:00–24:00 local), no holidays: the two 2025 DST changes fall
# on Sundays, so those days are 23 h and 25 h long.
SUNDAYS = CalendarSpec(weekly=((),) * 6 + (((time(0), time(0)),),), holiday_country=None)

# The office calendar with the admin's exceptions: open 10:00–12:00 on 17 May 2024 (a public
# holiday), Thursday 16 May 2024 both closed and overridden to 09:00–10:00, Wed 15 Jan 2025 closed.
EXCEPTIONS = CalendarSpec(
    weekly=STANDARD_OFFICE.weekly,
    closures=frozenset({date(2024, 5, 16), date(2025, 1, 15)}),
    overrides=(
        (date(2024, 5, 16), ((time(9), time(10)),)),
        (date(2024, 5, 17), ((time(10), time(12)),)),
    ),
)


def oslo(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


# One case per block: calendar, start, seconds, expected instant.
# fmt: off
ADD_CASES = [
    pytest.param(
        # Tue 06:00 → counting starts at 08:00; 08:00 + 1 h = 09:00 CET = 08:00Z
        STANDARD_OFFICE, oslo(2025, 1, 14, 6, 0), HOUR, utc(2025, 1, 14, 8, 0),
        id="a start before opening counts from the opening",
    ),
    pytest.param(
        # Tue 17:00 is after closing → Wed 08:00 + 1 h = Wed 09:00 CET = 08:00Z
        STANDARD_OFFICE, oslo(2025, 1, 14, 17, 0), HOUR, utc(2025, 1, 15, 8, 0),
        id="a start after closing continues the next morning",
    ),
    pytest.param(
        # Fri 14:30–15:30 = 1 h; weekend closed; Mon 08:00 + 1 h = Mon 09:00 CET = 08:00Z
        STANDARD_OFFICE, oslo(2025, 1, 17, 14, 30), 2 * HOUR, utc(2025, 1, 20, 8, 0),
        id="friday afternoon runs into monday morning",
    ),
    pytest.param(
        # Wed 16 Apr 14:00–15:30 = 1.5 h; Thu 17 (Skjærtorsdag), Fri 18 (Langfredag), weekend,
        # Mon 21 (2. påskedag) closed; Tue 22 = 7.5 h, Wed 23 = 7.5 h → 16.5 h; the last 6 h on
        # Thu 24: 08:00 + 6 h = 14:00 CEST = 12:00Z
        STANDARD_OFFICE, oslo(2025, 4, 16, 14, 0), 3 * OFFICE_DAY, utc(2025, 4, 24, 12, 0),
        id="three business days from the wednesday before easter skip the easter holidays",
    ),
    pytest.param(
        # Wed 27 Mar 2024 15:00–15:30 = 0.5 h; Thu 28, Fri 29 Easter holidays, weekend (DST starts
        # Sun 31), Mon 1 Apr (2. påskedag) closed; Tue 2 Apr 08:00 + 0.5 h = 08:30 CEST = 06:30Z
        STANDARD_OFFICE, oslo(2024, 3, 27, 15, 0), HOUR, utc(2024, 4, 2, 6, 30),
        id="easter 2024 and the spring dst change together",
    ),
    pytest.param(
        # Thu 16 May 2024 15:00–15:30 = 0.5 h; Fri 17 May (Grunnlovsdag) closed, weekend, Mon 20
        # May (2. pinsedag) closed; Tue 21 08:00 + 0.5 h = 08:30 CEST = 06:30Z
        STANDARD_OFFICE, oslo(2024, 5, 16, 15, 0), HOUR, utc(2024, 5, 21, 6, 30),
        id="the seventeenth of may and whit monday are skipped",
    ),
    pytest.param(
        # Wed 28 May 2025 12:00–15:30 = 3.5 h; Thu 29 May (Kristi himmelfartsdag) closed;
        # Fri 30 08:00 + 4 h = 12:00 CEST = 10:00Z
        STANDARD_OFFICE, oslo(2025, 5, 28, 12, 0), OFFICE_DAY, utc(2025, 5, 30, 10, 0),
        id="ascension day is skipped",
    ),
    pytest.param(
        # Fri 28 Mar 15:00 CET–15:30 = 0.5 h; DST starts Sun 30 Mar; Mon 31 08:00 + 0.5 h = 08:30
        # CEST = 06:30Z (the same wall time as before the change, one hour earlier in UTC)
        STANDARD_OFFICE, oslo(2025, 3, 28, 15, 0), HOUR, utc(2025, 3, 31, 6, 30),
        id="office hours across the spring dst change keep wall time and shift utc",
    ),
    pytest.param(
        # Fri 24 Oct 15:00 CEST–15:30 = 0.5 h; DST ends Sun 26 Oct; Mon 27 08:30 CET = 07:30Z
        STANDARD_OFFICE, oslo(2025, 10, 24, 15, 0), HOUR, utc(2025, 10, 27, 7, 30),
        id="office hours across the autumn dst change keep wall time and shift utc",
    ),
    pytest.param(
        # Sat 29 Mar 23:00 CET = 22:00Z; + 4 h real time = 02:00Z = Sun 04:00 CEST (5 h on the wall)
        ALWAYS_OPEN, oslo(2025, 3, 29, 23, 0), 4 * HOUR, utc(2025, 3, 30, 2, 0),
        id="always open across the spring dst change adds real time",
    ),
    pytest.param(
        # Sat 25 Oct 23:00 CEST = 21:00Z; + 4 h = 01:00Z = Sun 02:00 CET (3 h on the wall)
        ALWAYS_OPEN, oslo(2025, 10, 25, 23, 0), 4 * HOUR, utc(2025, 10, 26, 1, 0),
        id="always open across the autumn dst change adds real time",
    ),
    pytest.param(
        # Thu 17 Apr 10:00 CEST = 08:00Z; + 22.5 h = Fri 06:30Z (08:30 CEST): holidays do not count
        ALWAYS_OPEN, oslo(2025, 4, 17, 10, 0), 3 * OFFICE_DAY, utc(2025, 4, 18, 6, 30),
        id="always open ignores public holidays",
    ),
    pytest.param(
        # Sun 30 Mar opens 00:00 CET = Sat 23:00Z and closes at Mon 00:00 CEST = Sun 22:00Z:
        # 23 h, so 23 h of work ends exactly at the end of that Sunday
        SUNDAYS, oslo(2025, 3, 29, 12, 0), 23 * HOUR, utc(2025, 3, 30, 22, 0),
        id="the spring dst sunday from 00:00 to 24:00 holds 23 hours",
    ),
    pytest.param(
        # 23 h on Sun 30 Mar, then Sun 6 Apr 00:00 CEST = Sat 5 Apr 22:00Z + 1 h = 23:00Z
        SUNDAYS, oslo(2025, 3, 29, 12, 0), 24 * HOUR, utc(2025, 4, 5, 23, 0),
        id="a 24 hour target does not fit into the spring dst sunday",
    ),
    pytest.param(
        # Sun 26 Oct opens 00:00 CEST = Sat 22:00Z, closes Mon 00:00 CET = Sun 23:00Z: 25 h
        SUNDAYS, oslo(2025, 10, 25, 12, 0), 25 * HOUR, utc(2025, 10, 26, 23, 0),
        id="the autumn dst sunday from 00:00 to 24:00 holds 25 hours",
    ),
    pytest.param(
        # Sun 26 Oct 00:00 CEST = Sat 22:00Z; 3 h later = 01:00Z, which is 02:00 CET (the
        # second 02:00 of the night)
        SUNDAYS, oslo(2025, 10, 25, 12, 0), 3 * HOUR, utc(2025, 10, 26, 1, 0),
        id="counting through the repeated autumn hour",
    ),
    pytest.param(
        # Wed 28 Feb 2024 15:00–15:30 = 0.5 h; Thu 29 Feb 08:00 + 7 h = 15:00 CET = 14:00Z
        STANDARD_OFFICE, oslo(2024, 2, 28, 15, 0), OFFICE_DAY, utc(2024, 2, 29, 14, 0),
        id="the leap day 29 february 2024 is a working day",
    ),
    pytest.param(
        # Mon 08:00 + 7.5 h = 15:30 CET = 14:30Z, the same day
        STANDARD_OFFICE, oslo(2025, 1, 13, 8, 0), OFFICE_DAY, utc(2025, 1, 13, 14, 30),
        id="a start exactly at opening gets the whole day",
    ),
    pytest.param(
        # Mon 15:30 is closing time, nothing left; Tue 08:00 + 1 min = 08:01 CET = 07:01Z
        STANDARD_OFFICE, oslo(2025, 1, 13, 15, 30), 60, utc(2025, 1, 14, 7, 1),
        id="a start exactly at closing continues the next morning",
    ),
    pytest.param(
        # zero seconds: the start itself (Sat 12:00 CET = 11:00Z), even outside working time
        STANDARD_OFFICE, oslo(2025, 1, 18, 12, 0), 0, utc(2025, 1, 18, 11, 0),
        id="zero seconds returns the start even outside working time",
    ),
    pytest.param(
        # Mon 15:00 + 0.5 h = 15:30 CET = 14:30Z, the interval's end, not Tue 08:00
        STANDARD_OFFICE, oslo(2025, 1, 13, 15, 0), 1800, utc(2025, 1, 13, 14, 30),
        id="a target reached at closing time is closing time not the next opening",
    ),
    pytest.param(
        # Mon 11:00–11:30 = 0.5 h; lunch 11:30–12:00; 12:00 + 0.5 h = 12:30 CET = 11:30Z
        SPLIT, oslo(2025, 1, 13, 11, 0), HOUR, utc(2025, 1, 13, 11, 30),
        id="two intervals a day skip the lunch break",
    ),
    pytest.param(
        # Mon 11:00 + 0.5 h = 11:30 CET = 10:30Z, the end of the morning, not 12:00
        SPLIT, oslo(2025, 1, 13, 11, 0), 1800, utc(2025, 1, 13, 10, 30),
        id="a target reached at the start of lunch is the start of lunch",
    ),
    pytest.param(
        # Mon 23 Dec 15:00–16:00 = 1 h; Tue 24 Dec (override 08:00–12:00) 08:00 + 3 h = 11:00 CET
        # = 10:00Z
        SPLIT, oslo(2024, 12, 23, 15, 0), 4 * HOUR, utc(2024, 12, 24, 10, 0),
        id="christmas eve counts its shortened morning",
    ),
    pytest.param(
        # Tue 24 Dec 11:00–12:00 = 1 h (shortened day ends at noon); Wed 25 and Thu 26 Dec closed
        # (juledager); Fri 27 08:00 + 1 h = 09:00 CET = 08:00Z
        SPLIT, oslo(2024, 12, 24, 11, 0), 2 * HOUR, utc(2024, 12, 27, 8, 0),
        id="christmas eve closes at noon and christmas days are skipped",
    ),
    pytest.param(
        # no rounding: Mon 09:00:00 CET + 1.5 s = 08:00:01.5Z
        STANDARD_OFFICE, oslo(2025, 1, 13, 9, 0), 1.5, utc(2025, 1, 13, 8, 0, 1, 500_000),
        id="fractions of a second are kept",
    ),
]
# fmt: on


@pytest.mark.parametrize(("spec", "start", "seconds", "expected"), ADD_CASES)
def test_add_business_seconds_gives_the_hand_computed_instant(
    spec: CalendarSpec, start: datetime, seconds: float, expected: datetime
) -> None:
    result = add_business_seconds(spec, start, seconds)

    assert result == expected
    assert result.utcoffset() == timedelta(0)


# One case per block: calendar, start, end, expected business seconds.
# fmt: off
BETWEEN_CASES = [
    pytest.param(
        # Fri 14:00–15:30 = 1.5 h; Sat, Sun closed; Mon 08:00–10:00 = 2 h → 3.5 h = 12,600 s
        STANDARD_OFFICE, oslo(2025, 1, 17, 14, 0), oslo(2025, 1, 20, 10, 0), 12_600,
        id="a weekend does not count",
    ),
    pytest.param(
        # Wed 16 Apr 12:00–15:30 = 3.5 h; Thu–Mon Easter closed; Tue 22 08:00–12:00 = 4 h → 7.5 h
        STANDARD_OFFICE, oslo(2025, 4, 16, 12, 0), oslo(2025, 4, 22, 12, 0), OFFICE_DAY,
        id="the easter holidays do not count",
    ),
    pytest.param(
        # Mon 13 – Thu 16 May 2024 = 4 × 7.5 h; Fri 17 May closed → 108,000 s
        STANDARD_OFFICE, oslo(2024, 5, 13, 8, 0), oslo(2024, 5, 20, 8, 0), 4 * OFFICE_DAY,
        id="the seventeenth of may does not count",
    ),
    pytest.param(
        # Mon 26 – Fri 30 May 2025 minus Thu 29 (Ascension) = 4 × 7.5 h
        STANDARD_OFFICE, oslo(2025, 5, 26, 0, 0), oslo(2025, 6, 2, 0, 0), 4 * OFFICE_DAY,
        id="a week with ascension day has four working days",
    ),
    pytest.param(
        # reversed arguments → 0
        STANDARD_OFFICE, oslo(2025, 1, 20, 10, 0), oslo(2025, 1, 17, 14, 0), 0,
        id="reversed arguments give zero",
    ),
    pytest.param(
        # Fri 16:00 → Mon 07:00 lies wholly in the closed gap → 0
        STANDARD_OFFICE, oslo(2025, 1, 17, 16, 0), oslo(2025, 1, 20, 7, 0), 0,
        id="start and end in the same closed gap give zero",
    ),
    pytest.param(
        # Thu 29 Feb 2024 is an ordinary Thursday: 7.5 h
        STANDARD_OFFICE, oslo(2024, 2, 29, 0, 0), oslo(2024, 3, 1, 0, 0), OFFICE_DAY,
        id="the leap day counts as a full working day",
    ),
    pytest.param(
        # Sat 12:00 CET (11:00Z) → Sun 12:00 CEST (10:00Z) = 23 h of real time
        ALWAYS_OPEN, oslo(2025, 3, 29, 12, 0), oslo(2025, 3, 30, 12, 0), 23 * HOUR,
        id="always open over the spring dst change counts 23 real hours between noons",
    ),
    pytest.param(
        # Sat 12:00 CEST (10:00Z) → Sun 12:00 CET (11:00Z) = 25 h of real time
        ALWAYS_OPEN, oslo(2025, 10, 25, 12, 0), oslo(2025, 10, 26, 12, 0), 25 * HOUR,
        id="always open over the autumn dst change counts 25 real hours between noons",
    ),
    pytest.param(
        # the only open day of the week, Sun 30 Mar 2025, is 23 h long
        SUNDAYS, oslo(2025, 3, 24, 0, 0), oslo(2025, 3, 31, 0, 0), 23 * HOUR,
        id="a whole spring dst sunday counts 23 hours",
    ),
    pytest.param(
        # the only open day of the week, Sun 26 Oct 2025, is 25 h long
        SUNDAYS, oslo(2025, 10, 20, 0, 0), oslo(2025, 10, 27, 0, 0), 25 * HOUR,
        id="a whole autumn dst sunday counts 25 hours",
    ),
    pytest.param(
        # Mon 11:00–11:30 = 0.5 h, lunch, 12:00–13:00 = 1 h → 1.5 h = 5,400 s
        SPLIT, oslo(2025, 1, 13, 11, 0), oslo(2025, 1, 13, 13, 0), 5400,
        id="the lunch break does not count",
    ),
    pytest.param(
        # Tue 24 Dec override 08:00–12:00 = 4 h; Wed 25, Thu 26 Dec holidays → 14,400 s
        SPLIT, oslo(2024, 12, 24, 0, 0), oslo(2024, 12, 27, 0, 0), 4 * HOUR,
        id="christmas eve counts four hours and christmas days none",
    ),
    pytest.param(
        # Fri 17 May 2024 is a holiday, but the override opens it 10:00–12:00 → 2 h
        EXCEPTIONS, oslo(2024, 5, 17, 0, 0), oslo(2024, 5, 18, 0, 0), 2 * HOUR,
        id="an override opens a public holiday",
    ),
    pytest.param(
        # Thu 16 May 2024 is both a closure and an override 09:00–10:00: the override wins → 1 h
        EXCEPTIONS, oslo(2024, 5, 16, 0, 0), oslo(2024, 5, 17, 0, 0), HOUR,
        id="an override wins over a closure on the same date",
    ),
    pytest.param(
        # Tue 14 Jan 2025 7.5 h; Wed 15 Jan closed → 27,000 s
        EXCEPTIONS, oslo(2025, 1, 14, 0, 0), oslo(2025, 1, 16, 0, 0), OFFICE_DAY,
        id="a closure closes an ordinary working day",
    ),
]
# fmt: on


@pytest.mark.parametrize(("spec", "start", "end", "expected"), BETWEEN_CASES)
def test_business_seconds_between_gives_the_hand_computed_count(
    spec: CalendarSpec, start: datetime, end: datetime, expected: float
) -> None:
    assert business_seconds_between(spec, start, end) == expected
