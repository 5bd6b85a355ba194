"""Reading source values: the fast date parser gives what strptime gives, or defers to it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imports.reading import RowError, parse_local

FORMATS = ["%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"]
UTC = ZoneInfo("UTC")


def _strptime(text: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC)
    except ValueError:
        return None


@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 12, 31)),  # noqa: DTZ001
    fmt=st.sampled_from(FORMATS),
    unpadded=st.booleans(),
)
def test_the_fast_date_parser_reads_every_valid_timestamp_as_strptime_does(
    moment: datetime, fmt: str, unpadded: bool
) -> None:
    text = moment.strftime(fmt.replace("%d", "%-d").replace("%m", "%-m") if unpadded else fmt)
    assert parse_local(text, (fmt,), UTC, "t") == _strptime(text, fmt)


@given(text=st.text(alphabet="0123456789/-: ", max_size=20), fmt=st.sampled_from(FORMATS))
def test_the_fast_date_parser_accepts_and_refuses_exactly_what_strptime_does(text: str, fmt: str) -> None:
    expected = _strptime(text, fmt)
    if expected is None:
        with pytest.raises(RowError):
            parse_local(text, (fmt,), UTC, "t")
    else:
        assert parse_local(text, (fmt,), UTC, "t") == expected
