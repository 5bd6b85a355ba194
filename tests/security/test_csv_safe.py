"""Finding 7: no cell of an export starts a formula, whether the spreadsheet splits on "," or on
";" (Norwegian Excel)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk import csv_safe
from tests.factories import TicketFactory

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cells(text: str, delimiter: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]


@pytest.mark.django_db
def test_a_title_with_semicolons_is_not_split_into_a_formula_by_norwegian_excel(
    client, agent, first_line_group
):
    TicketFactory(title="x;=1+1;tail", assignment_group=first_line_group)
    client.force_login(agent)

    text = b"".join(client.get("/console/tickets/export.csv").streaming_content).decode()

    for delimiter in (",", ";"):
        assert not [cell for cell in _cells(text, delimiter) if cell.startswith(FORMULA)], delimiter
    assert "x;'=1+1;tail" in _cells(text, ",")  # the value, with its formula start neutralised


@given(st.lists(st.lists(st.text(max_size=12) | st.integers(), min_size=1, max_size=4), max_size=4))
def test_no_cell_starts_a_formula_in_either_separator_convention(rows):
    text = "".join(csv_safe.lines(rows))

    for delimiter in (",", ";"):
        for cell in _cells(text, delimiter):
            assert not cell.startswith(FORMULA), (delimiter, cell, text)


@given(st.lists(st.text(max_size=12), min_size=1, max_size=4))
def test_a_safe_value_reads_back_as_written(row):
    text = "".join(csv_safe.lines([row]))

    (read,) = list(csv.reader(io.StringIO(text, newline="")))

    assert read == [csv_safe.cell(value) for value in row]
    assert [value for value in row if not value.startswith(csv_safe.FORMULA_STARTS)] == [
        value for value in read if value in row
    ] or any(c in value for value in row for c in ",;\r\n")
