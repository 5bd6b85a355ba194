# mypy: disallow-untyped-defs, disallow-incomplete-defs
"""Exports: CSV and XLSX streamed in constant memory with no row cap, and the monthly PDF.

Formulas are kept out of every cell by the project's one rule, `servicedesk.csv_safe`: CSV
goes through it whole; XLSX keeps numbers as numbers and passes text through its `cell`.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse

from servicedesk import csv_safe

OSLO = ZoneInfo("Europe/Oslo")
Value = str | int | float | bool | None | datetime | date

def safe_cell(value: Value) -> str | int | float:
    """The value for an XLSX/CSV cell: numbers stay numbers; text never starts a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return value.astimezone(OSLO).strftime("%Y-%m-%d %H:%M:%S")  # Oslo wall-clock time
    if isinstance(value, date):
        return value.isoformat()
    return csv_safe.cell(value)


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Value]]
) -> StreamingHttpResponse:
    """Stream rows as CSV (UTF-8 with BOM for Excel, every field quoted); memory stays flat."""

    def lines() -> Iterator[str]:
        body = csv_safe.lines([safe_cell(v) for v in row] for row in rows)
        yield "\ufeff" + next(csv_safe.lines([header]))
        yield from body

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_xlsx(target: Any, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Value]]]]) -> None:
    """Write sheets of rows with XlsxWriter in constant-memory mode: each row is flushed to a
    temporary file as it is written, so memory does not grow with the row count."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    bold = workbook.add_format({"bold": True})
    for title, header, rows in sheets:
        sheet = workbook.add_worksheet(title[:31])
        for col, name in enumerate(header):
            sheet.write_string(0, col, str(safe_cell(name)), bold)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                cell = safe_cell(value)
                # write_string / write_number, never write(): a text is never taken for a formula.
                if isinstance(cell, str):
                    if cell:
                        sheet.write_string(r, col, cell)
                else:
                    sheet.write_number(r, col, cell)
    workbook.close()


def xlsx_response(
    filename: str, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Value]]]]
) -> FileResponse:
    """The workbook is assembled in an anonymous temporary file, then streamed from it."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes (and so deletes) it
    write_xlsx(target, sheets)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Value]]]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()
