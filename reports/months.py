"""Report months: `YYYY-MM` in, Oslo month bounds out; bad input is a ReportInputError (HTTP 400)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.errors import DomainError

OSLO = ZoneInfo("Europe/Oslo")
# The first month a report can be asked for: earlier months hold no service-desk data, and year 1
# would not even convert to UTC.
FIRST_YEAR = 2000
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})\Z")


class ReportInputError(DomainError):
    """A malformed or out-of-range month (HTTP 400)."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """The Oslo calendar month as aware UTC instants [start, end): local midnights, DST-aware."""
        start = datetime(self.year, self.month, 1, tzinfo=OSLO)
        end = datetime(self.year + self.month // 12, self.month % 12 + 1, 1, tzinfo=OSLO)
        return start.astimezone(UTC), end.astimezone(UTC)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @classmethod
    def of(cls, instant: datetime) -> Month:
        local = instant.astimezone(OSLO)  # the Oslo month an instant falls in
        return cls(local.year, local.month)

    @classmethod
    def from_date(cls, day: date) -> Month:
        return cls(day.year, day.month)


def current_month(now: datetime | None = None) -> Month:
    return Month.of(now or timezone.now())


def parse_month(text: str, *, now: datetime | None = None) -> Month:
    """`YYYY-MM` of a month from FIRST_YEAR up to the current Oslo month."""
    match = MONTH_PATTERN.match(text or "")
    if not match:
        raise ReportInputError(_("Give the month as YYYY-MM, e.g. 2019-03."), field="month")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ReportInputError(_("The month must be between 01 and 12."), field="month")
    if year < FIRST_YEAR:
        raise ReportInputError(_("Reports start in %(year)s.") % {"year": FIRST_YEAR}, field="month")
    value = Month(year, month)
    if value > current_month(now):
        raise ReportInputError(_("That month has not begun yet."), field="month")
    return value
