# mypy: disallow-untyped-defs, disallow-incomplete-defs, disallow-any-generics, warn-return-any
# mypy: disallow-untyped-calls, no-implicit-reexport
"""Business-calendar arithmetic: pure functions, no ORM, no database.

A calendar (``CalendarSpec``) says which real instants are *working time*; the two functions
measure and add working time:

- ``business_seconds_between(spec, start, end)``: working seconds in ``[start, end)``
  (0.0 if ``end <= start``).
- ``add_business_seconds(spec, start, seconds)``: the earliest instant ``t >= start`` at which
  ``seconds`` working seconds have elapsed since ``start``. ``seconds == 0`` gives ``start``; when
  the target is reached exactly at the end of a working interval the answer is that end (15:30
  on the dot for the office calendar), not the next opening. Returns an aware UTC datetime.

Semantics, precisely:

1. Which intervals a local date ``d`` has, in order of precedence:
   a. ``overrides``: if ``d`` is listed, its intervals replace the weekday's. An override is
      explicit data for that date, so it wins over the holiday list and over ``closures`` (an
      admin can open on a public holiday; an override with no intervals closes the date).
      Several entries for the same date are combined; their intervals must not overlap.
   b. ``closures`` and the public holidays of ``holiday_country`` (from the ``holidays``
      package, whole day closed): no intervals.
   c. otherwise ``weekly[d.weekday()]`` (0 = Monday … 6 = Sunday).
2. A local interval ``[s, e)`` on date ``d`` covers the real instants from
   ``datetime.combine(d, s, tzinfo=tz)`` up to ``datetime.combine(d, e, tzinfo=tz)``
   (``e == time(0)`` means 24:00, i.e. the next date's 00:00), both converted to UTC with
   zoneinfo's default ``fold=0``. Across a DST change the real length of an interval is therefore
   what the wall clock shows: a 00:00–24:00 day in Europe/Oslo is 23 h on the spring change and
   25 h on the autumn one. A wall time inside the spring gap maps (fold=0) to the offset before
   the change, so 02:30 on 2025-03-30 in Oslo is 01:30 UTC (= 03:30 CEST); an interval that maps
   to nothing (end not after start in UTC) is empty.
3. Working time is the union of all those instants (overlaps created by a DST gap count once).
4. ``always_open``: every instant is working time (plain elapsed real time); weekly intervals,
   holidays, closures and overrides are ignored.

Exactness: everything is computed in integer microseconds since the Unix epoch, so whole-second
inputs give exact results; there is no rounding to minutes. Fractional ``seconds`` are rounded
to the nearest microsecond.

Performance: per spec we lazily build (and cache) a flat, sorted list of merged working intervals
in UTC microseconds for a range of years around the queries, with the cumulative working time at
each interval's end. ``business_seconds_between`` is then two bisections and
``add_business_seconds`` one more: O(log n) per call, no zoneinfo work per call. The table grows
(by at least doubling its span) when a query falls outside it.

A calendar with no working time cannot reach a due time: ``validate`` rejects it (nothing in
the weekly pattern or overrides, or nothing in the year ahead), and ``add_business_seconds``
gives up with ``CalendarError`` when the target is not reached within ``HORIZON_YEARS`` years
of ``start`` instead of searching forever.
"""

from __future__ import annotations

import bisect
import itertools
import math
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = [
    "ALWAYS_OPEN",
    "HORIZON_YEARS",
    "STANDARD_OFFICE",
    "CalendarError",
    "CalendarSpec",
    "Interval",
    "add_business_seconds",
    "business_seconds_between",
    "validate",
]

Interval = tuple[time, time]  # local [start, end); end == time(0) means 24:00 (end of the day)

# add_business_seconds gives up when the target is not reached this many years after start.
HORIZON_YEARS = 20

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_US_PER_S = 1_000_000
_US_PER_DAY = 86_400 * _US_PER_S
_MIDNIGHT = time(0)
# Intervals of local date d lie within d 00:00 − 26 h .. d+1 00:00 + 26 h as UTC wall time (UTC
# offsets stay within ±26 h), so a table built for whole years is complete for instants more
# than two days inside its years.
_MARGIN_US = 2 * _US_PER_DAY
# Years the table may cover; keeps date arithmetic (d + 1 day, year ± 1) inside datetime's range.
_MIN_YEAR = 2
_MAX_YEAR = 9997


class CalendarError(ValueError):
    """A bad calendar (or request): unknown zone, overlapping or inverted intervals, no working time."""


@dataclass(frozen=True)
class CalendarSpec:
    timezone: str = "Europe/Oslo"  # IANA name
    weekly: tuple[tuple[Interval, ...], ...] = ((),) * 7  # index 0 = Monday … 6 = Sunday
    always_open: bool = False  # 24/7: every instant counts, no holidays
    holiday_country: str | None = "NO"  # public holidays (whole day closed); None = none
    closures: frozenset[date] = frozenset()  # extra closed dates
    # Dates whose intervals replace the weekday's (e.g. Christmas Eve 08:00–12:00). An override
    # wins over the holiday list and closures; see the module docstring.
    overrides: tuple[tuple[date, tuple[Interval, ...]], ...] = ()


_OFFICE_DAY: tuple[Interval, ...] = ((time(8), time(15, 30)),)
_CLOSED_DAY: tuple[Interval, ...] = ()
_OFFICE_WEEK = (_OFFICE_DAY,) * 5 + (_CLOSED_DAY,) * 2
STANDARD_OFFICE = CalendarSpec(weekly=_OFFICE_WEEK)  # Mon–Fri 08:00–15:30 Europe/Oslo, NO holidays
ALWAYS_OPEN = CalendarSpec(always_open=True, holiday_country=None)


# ---------------------------------------------------------------------------------------------
# Validation


def _time_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * _US_PER_S + value.microsecond


def _check_day(intervals: object, where: str) -> list[tuple[int, int]]:
    """Check one date's intervals; return them as sorted (start, end) microseconds of the day."""
    if not isinstance(intervals, tuple):
        raise CalendarError(f"{where}: intervals must be a tuple of (start, end) pairs.")
    spans: list[tuple[int, int]] = []
    for interval in intervals:
        if not (
            isinstance(interval, tuple) and len(interval) == 2 and all(isinstance(t, time) for t in interval)
        ):
            raise CalendarError(f"{where}: {interval!r} is not a (start, end) pair of times.")
        start, end = interval
        if start.tzinfo is not None or end.tzinfo is not None:
            raise CalendarError(f"{where}: interval times are local wall-clock times, without tzinfo.")
        start_us = _time_us(start)
        end_us = _US_PER_DAY if end == _MIDNIGHT else _time_us(end)
        if end_us <= start_us:
            raise CalendarError(
                f"{where}: interval {start:%H:%M}–{end:%H:%M} ends before it starts or is empty "
                "(use 00:00 as the end for midnight at the end of the day)."
            )
        spans.append((start_us, end_us))
    spans.sort()
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        if s2 < e1:
            raise CalendarError(f"{where}: intervals overlap ({_fmt(spans)}).")
    return spans


def _fmt(spans: list[tuple[int, int]]) -> str:
    def hhmm(us: int) -> str:
        minutes = us // (60 * _US_PER_S)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return ", ".join(f"{hhmm(s)}–{hhmm(e)}" for s, e in spans)


_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _is_plain_date(value: object) -> bool:
    # datetime is a subclass of date but never equal to one: it would silently match nothing.
    return isinstance(value, date) and not isinstance(value, datetime)


def _check_structure(spec: CalendarSpec) -> ZoneInfo:
    """Everything that can be checked without looking at a clock; returns the time zone."""
    if not isinstance(spec.timezone, str) or not spec.timezone:
        raise CalendarError("The time zone must be an IANA name such as 'Europe/Oslo'.")
    try:
        tz = ZoneInfo(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CalendarError(f"Unknown time zone {spec.timezone!r}.") from error
    if not isinstance(spec.weekly, tuple) or len(spec.weekly) != 7:
        raise CalendarError("weekly must be a tuple of exactly 7 entries, Monday to Sunday.")
    has_intervals = False
    for weekday, intervals in enumerate(spec.weekly):
        has_intervals |= bool(_check_day(intervals, _WEEKDAY_NAMES[weekday]))
    if not isinstance(spec.closures, frozenset) or any(not _is_plain_date(d) for d in spec.closures):
        raise CalendarError("closures must be a frozenset of dates (not datetimes).")
    if not isinstance(spec.overrides, tuple):
        raise CalendarError("overrides must be a tuple of (date, intervals) pairs.")
    for day, intervals in _override_map(spec).items():
        has_intervals |= bool(_check_day(intervals, f"Override {day.isoformat()}"))
    if spec.holiday_country is not None:
        _holiday_dates(spec.holiday_country, 2000)  # raises CalendarError for an unknown country
    if not spec.always_open and not has_intervals:
        raise CalendarError(
            "The calendar has no working time: every day of the week (and every override) is empty."
        )
    return tz


def _override_map(spec: CalendarSpec) -> dict[date, tuple[Interval, ...]]:
    combined: dict[date, tuple[Interval, ...]] = {}
    for entry in spec.overrides:
        if not (isinstance(entry, tuple) and len(entry) == 2 and _is_plain_date(entry[0])):
            raise CalendarError(f"Override {entry!r} is not a (date, intervals) pair.")
        day, intervals = entry
        if not isinstance(intervals, tuple):
            raise CalendarError(f"Override {day.isoformat()}: intervals must be a tuple of pairs.")
        combined[day] = combined.get(day, ()) + tuple(intervals)
    return combined


def validate(spec: CalendarSpec) -> None:
    """Raise CalendarError with a clear message if the calendar is malformed or never works.

    Besides the structure (zone, intervals, dates) it checks that the year ahead of today
    contains some working time, so a calendar closed by closures alone is rejected too.
    """
    _check_structure(spec)
    if spec.always_open:
        return
    # The only place that reads the clock: "the year ahead" is relative to today.
    now = datetime.now(UTC)
    if business_seconds_between(spec, now, now + timedelta(days=366)) <= 0:
        raise CalendarError("The calendar has no working time in the coming year (all days closed).")


# ---------------------------------------------------------------------------------------------
# The table of working intervals


@lru_cache(maxsize=4096)
def _holiday_dates(country: str, year: int) -> frozenset[date]:
    try:
        found = holidays.country_holidays(country, years=year)
    except NotImplementedError as error:
        raise CalendarError(f"Unknown holiday country {country!r}.") from error
    return frozenset(found.keys())


def _local_us(tz: ZoneInfo, day: date, at_us: int) -> int:
    """UTC microseconds of local wall time ``day + at_us`` (fold=0, as the docstring says)."""
    if at_us == _US_PER_DAY:
        day = day + timedelta(days=1)
        at_us = 0
    seconds, micro = divmod(at_us, _US_PER_S)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    # Local time converts to UTC here, with zoneinfo's default fold=0.
    local = datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=tz)
    return (local - _EPOCH) // _ONE_US


def _local_spans(spec: CalendarSpec, tz: ZoneInfo, lo_year: int, hi_year: int) -> list[tuple[int, int]]:
    """Every date's intervals in years lo..hi as (start, end) UTC µs, per the module docstring."""
    weekdays = [_check_day(intervals, "") for intervals in spec.weekly]
    overrides = {d: _check_day(i, "") for d, i in _override_map(spec).items()}
    closed: set[date] = set(spec.closures)
    if spec.holiday_country is not None:
        for year in range(lo_year, hi_year + 1):
            closed |= _holiday_dates(spec.holiday_country, year)

    spans: list[tuple[int, int]] = []
    one_day = timedelta(days=1)
    day = date(lo_year, 1, 1)
    last = date(hi_year, 12, 31)
    while day <= last:
        local = overrides.get(day)  # an override wins over holidays and closures
        if local is None:
            local = [] if day in closed else weekdays[day.weekday()]
        for start_us, end_us in local:
            start = _local_us(tz, day, start_us)
            end = _local_us(tz, day, end_us)
            if end > start:  # an interval inside a DST gap can map to nothing
                spans.append((start, end))
        day += one_day
    return spans


class _Table:
    """Merged working intervals (UTC µs) for the local dates of years lo..hi, with running sums."""

    __slots__ = ("cum_end", "ends", "hi_year", "lo_year", "starts", "valid_hi", "valid_lo")

    def __init__(self, spec: CalendarSpec, tz: ZoneInfo, lo_year: int, hi_year: int) -> None:
        self.lo_year = lo_year
        self.hi_year = hi_year
        # Complete (no interval missing) for instants in [valid_lo, valid_hi].
        self.valid_lo = (datetime(lo_year, 1, 1, tzinfo=UTC) - _EPOCH) // _ONE_US + _MARGIN_US
        self.valid_hi = (datetime(hi_year + 1, 1, 1, tzinfo=UTC) - _EPOCH) // _ONE_US - _MARGIN_US

        raw = [] if spec.always_open else _local_spans(spec, tz, lo_year, hi_year)
        raw.sort()

        starts: list[int] = []
        ends: list[int] = []
        for start, end in raw:
            if ends and start <= ends[-1]:  # overlapping (DST gap) or touching: one interval
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        cum_end: list[int] = []
        total = 0
        for start, end in zip(starts, ends, strict=True):
            total += end - start
            cum_end.append(total)
        self.starts = starts
        self.ends = ends
        self.cum_end = cum_end

    def cum(self, at: int) -> int:
        """Working µs from the table's beginning up to instant ``at`` (µs)."""
        i = bisect.bisect_right(self.ends, at)
        if i == len(self.ends):
            return self.cum_end[-1] if self.cum_end else 0
        start = self.starts[i]
        return self.cum_end[i] - self.ends[i] + (at if at > start else start)


class _Entry:
    __slots__ = ("spec", "table", "tz")

    def __init__(self, spec: CalendarSpec, tz: ZoneInfo, table: _Table) -> None:
        self.spec = spec
        self.tz = tz
        self.table = table


_lock = threading.Lock()
_entries: dict[CalendarSpec, _Entry] = {}
_MAX_ENTRIES = 256
# The last spec used, checked by identity first: hashing a spec costs more than the arithmetic.
_last: _Entry | None = None


def _entry(spec: CalendarSpec) -> _Entry:
    global _last
    last = _last
    if last is not None and last.spec is spec:
        return last
    try:
        found = _entries.get(spec)
    except TypeError:  # unhashable: a list or set where the spec wants a tuple or frozenset
        _check_structure(spec)  # says which field
        raise
    if found is None:
        tz = _check_structure(spec)
        this_year = datetime.now(UTC).year  # only a starting size; any year is built on demand
        found = _Entry(spec, tz, _Table(spec, tz, this_year - 1, this_year + 1))
        with _lock:
            if len(_entries) >= _MAX_ENTRIES:
                _entries.pop(next(iter(_entries)))
            _entries[spec] = found
    _last = found
    return found


def _year_of(us: int) -> int:
    return (_EPOCH + timedelta(microseconds=us)).year


def _covering(entry: _Entry, lo_us: int, hi_us: int) -> _Table:
    """The entry's table, rebuilt if needed so that it is complete on [lo_us, hi_us]."""
    table = entry.table
    if table.valid_lo <= lo_us and hi_us <= table.valid_hi:
        return table
    min_us = (datetime(_MIN_YEAR, 1, 1, tzinfo=UTC) - _EPOCH) // _ONE_US + _MARGIN_US
    max_us = (datetime(_MAX_YEAR + 1, 1, 1, tzinfo=UTC) - _EPOCH) // _ONE_US - _MARGIN_US
    if lo_us < min_us or hi_us > max_us:
        raise CalendarError(f"Instants must lie between the years {_MIN_YEAR} and {_MAX_YEAR}.")
    lo = min(table.lo_year, _year_of(lo_us - _MARGIN_US))
    hi = max(table.hi_year, _year_of(hi_us + _MARGIN_US))
    span = table.hi_year - table.lo_year + 1
    # Grow by at least the current span so a run of extensions costs O(final size) overall.
    if lo < table.lo_year:
        lo = min(lo, table.lo_year - span)
    if hi > table.hi_year:
        hi = max(hi, table.hi_year + span)
    table = _Table(entry.spec, entry.tz, max(lo, _MIN_YEAR), min(hi, _MAX_YEAR))
    entry.table = table  # one reference swap: readers see the old or the new table, both valid
    return table


# ---------------------------------------------------------------------------------------------
# The two functions


def _instant_us(value: datetime, name: str) -> int:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}.")
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (got naive {value.isoformat()}).")
    return (value - _EPOCH) // _ONE_US


def _seconds_us(seconds: float) -> int:
    if isinstance(seconds, int):
        us = seconds * _US_PER_S
    else:
        if not math.isfinite(seconds):
            raise CalendarError(f"seconds must be finite, got {seconds!r}.")
        us = round(seconds * _US_PER_S)
    if us < 0:
        raise CalendarError(f"seconds must not be negative, got {seconds!r}.")
    return us


def business_seconds_between(spec: CalendarSpec, start: datetime, end: datetime) -> float:
    """Working seconds in [start, end); 0.0 if end <= start. Both must be aware."""
    start_us = _instant_us(start, "start")
    end_us = _instant_us(end, "end")
    if spec.always_open:
        _entry(spec)  # validates the spec once
        return max(end_us - start_us, 0) / _US_PER_S
    if end_us <= start_us:
        _entry(spec)
        return 0.0
    entry = _entry(spec)
    table = _covering(entry, start_us, end_us)
    return (table.cum(end_us) - table.cum(start_us)) / _US_PER_S


def add_business_seconds(spec: CalendarSpec, start: datetime, seconds: float) -> datetime:
    """The earliest instant t >= start at which ``seconds`` working seconds have elapsed.

    Returns an aware UTC datetime; ``seconds == 0`` returns ``start`` (in UTC). Raises
    CalendarError for negative seconds or when the target is not reached within
    HORIZON_YEARS years of start, ValueError for a naive start.
    """
    start_us = _instant_us(start, "start")
    need = _seconds_us(seconds)
    entry = _entry(spec)
    if need == 0 or spec.always_open:
        return _from_us(start_us + need)

    table = entry.table
    if not (table.valid_lo <= start_us <= table.valid_hi):
        table = _covering(entry, start_us, start_us)
    horizon_us: int | None = None
    while True:
        target = table.cum(start_us) + need
        cum_end = table.cum_end
        j = bisect.bisect_left(cum_end, target)
        if j < len(cum_end):
            # The target falls inside interval j (or exactly at its end): cum_end[j-1] < target.
            result = table.ends[j] - (cum_end[j] - target)
            if result <= table.valid_hi:
                return _EPOCH + timedelta(microseconds=result)  # inside the table: in range
        # Not reached inside the complete part of the table: extend it, up to the horizon.
        if horizon_us is None:
            horizon_us = _horizon_us(start)
        if table.valid_hi >= horizon_us:
            raise CalendarError(
                f"The calendar has fewer than {seconds} working seconds in the {HORIZON_YEARS} "
                f"years after {start.isoformat()}."
            )
        table = _covering(entry, start_us, min(table.valid_hi + 365 * _US_PER_DAY, horizon_us))


def _from_us(us: int) -> datetime:
    try:
        return _EPOCH + timedelta(microseconds=us)
    except OverflowError as error:
        raise CalendarError("The result lies beyond the year 9999.") from error


def _horizon_us(start: datetime) -> int:
    start_utc = start.astimezone(UTC)
    year = min(start_utc.year + HORIZON_YEARS, _MAX_YEAR)
    limit = datetime(year, 12, 31, tzinfo=UTC) - timedelta(days=3)
    return (limit - _EPOCH) // _ONE_US
