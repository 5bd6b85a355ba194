"""The console benchmark times every figure on generated data and prints one table."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_prints_one_row_per_figure_with_target_and_verdict() -> None:
    out = StringIO()
    call_command(
        "console_bench",
        "--tickets",
        "300",
        "--requests",
        "2",
        "--no-write",
        "--create-seconds",
        "0",
        stdout=out,
    )

    text = out.getvalue()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "ms |" in line]
    names = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    assert names == [
        "ticket list /console/ (25 rows)",
        "one group's open tickets",
        'text search "printer"',
        'text search "skriver"',
        "open tickets by SLA time left",
        "open tickets by priority, then oldest",
        "SLA notifications /console/notifications/",
        "queue overview /console/queues/",
        "ticket page",
        "customer-centre live figures",
        "log a call: GET the form",
        "log a call: caller search",
        "log a call: POST the ticket",
        "API ticket list, first page",
        "API open tickets by time left",
    ]
    assert all(row.rstrip(" |").endswith(("pass", "**FAIL**")) for row in rows)
    assert "300 tickets" in text  # the header names the data size
    assert "CPU probe" in text and "commit" in text


def test_refuses_other_databases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("console_bench", "--no-write", "--create-seconds", "0")
