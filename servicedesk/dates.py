"""The range of dates and times the service desk accepts from input.

Python's dates stop at year 1 and 9999: a week or month around them, or a time-zone shift, falls
outside and would be a 500. Input dates are held to years 1900 to 8999 instead (a 400 with a field
message, or a form error), far from either edge.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST = date(1900, 1, 1)
LATEST = date(8999, 12, 31)


def within_range(value: date | datetime) -> None:
    """A validator for date and datetime fields (forms and API serializers alike)."""
    day = value.date() if isinstance(value, datetime) else value  # its own zone's day: no shift
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Give a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


class DateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField held to the range above. (DRF's own overflows into a 500 on a naive
    "0001-01-01T00:00" in a zone east of UTC, before any validator runs.)"""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["validators"] = [*kwargs.get("validators", []), within_range]
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> datetime:
        try:
            return super().to_internal_value(value)
        except OverflowError:
            raise serializers.ValidationError(
                _("Give a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
                code="out_of_range",
            ) from None
