"""CSV that spreadsheets open safely, whichever separator their locale uses. Every export writes
through here.

Norwegian Excel splits on ";", English on ","; a cell beginning with = + - @ (or a tab or
carriage return) is run as a formula. So:
- every cell is quoted, so the first cell of a line is one cell in either convention;
- a text cell beginning with a formula character gets a leading apostrophe, which spreadsheets
  show as text and do not evaluate;
- but a spreadsheet splitting on the other separator reads the rest of the line unquoted, so a
  value's own ";" / "," (or line break) starts a new cell there: a formula character after one
  (past spaces and quotes) gets the apostrophe too. "x;=1+1;tail" is written "x;'=1+1;tail".
Numbers are text like any other cell: a negative one gets the apostrophe too (in the other
convention "-1,…" would be a formula).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A separator of either convention (or a line break) before a formula start (past spaces and
# quotes): the apostrophe goes right after the separator.
_AFTER_SEPARATOR = re.compile(r"""([,;\r\n])(?=[\s"]*[=+\-@\t\r])""")


def cell(value: object) -> str:
    """One CSV cell: text made safe, datetimes in local time, None empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = _AFTER_SEPARATOR.sub(r"\1'", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def writer() -> Any:
    """A csv writer that quotes every cell; its writerow returns the line (for streaming)."""
    return csv.writer(_Echo(), quoting=csv.QUOTE_ALL)


def lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV lines of the rows, each cell made safe (for a StreamingHttpResponse)."""
    out = writer()
    for row in rows:
        yield out.writerow([cell(value) for value in row])
