"""CSV export of the ticket list: same filters, same visibility."""

from __future__ import annotations

import csv
import io

import pytest

from incidents.models import State
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_agent_exports_the_filtered_list(client, agent, first_line_group):
    wanted = TicketFactory(title="Printer jam", assignment_group=first_line_group, state=State.NEW)
    TicketFactory(title="Printer jam", assignment_group=first_line_group, state=State.CLOSED)
    client.force_login(agent)

    response = client.get("/console/tickets/export.csv", {"q": "printer", "state": "new"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tickets.csv"'
    header, *rows = _rows(response)
    assert header[:3] == ["Number", "Kind", "Title"]
    assert [row[0] for row in rows] == [wanted.number]


def test_formulas_in_titles_are_not_exported_as_formulas(client, agent, first_line_group):
    TicketFactory(title="=HYPERLINK(\"http://evil\")", assignment_group=first_line_group)
    client.force_login(agent)

    _header, row = _rows(client.get("/console/tickets/export.csv"))

    assert row[2] == "'=HYPERLINK(\"http://evil\")"


def test_invalid_filter_is_400(client, agent):
    client.force_login(agent)

    assert client.get("/console/tickets/export.csv", {"priority": "x"}).status_code == 400
