"""The UCI ServiceNow event-log importer on its 300-incident sample."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command

from imports.models import ImportedTicket
from imports.reconcile_uci import reconcile
from incidents.models import Ticket, TicketEvent

from .helpers import UCI_SAMPLE, import_uci, read_csv, table_counts

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_uci_sample_imports_every_event_and_keeps_the_source_figures_beside_ours() -> None:
    rows = read_csv(UCI_SAMPLE, ",")
    last: dict[str, dict[str, str]] = {}
    for row in sorted(rows, key=lambda r: (r["number"], int(r["sys_mod_count"]))):
        last[row["number"]] = row

    summary = import_uci()

    assert Ticket.objects.count() == len(last) == 300
    assert summary["kinds"]["event"]["imported"] == len(rows) == 2040
    lines = TicketEvent.objects.exclude(details__source_line=None).values_list(
        "details__source_line", flat=True
    )
    assert len(set(lines)) == len(rows)
    for imported in ImportedTicket.objects.all():
        source = last[imported.external_id]
        assert imported.source_made_sla == (source["made_sla"] == "true")
        assert imported.source_reassignments == int(source["reassignment_count"])
        assert imported.knowledge_used == (source["knowledge"] == "true")
    # Our reopen count comes from the history (Resolved → Active); the source's is the caller's.
    ours = defaultdict(int)
    for t in Ticket.objects.select_related("imported"):
        ours[t.reopen_count > 0] += 1
    assert sum(ours.values()) == 300


def test_uci_import_twice_creates_nothing_new() -> None:
    import_uci()
    before = table_counts()

    summary = import_uci()

    assert table_counts() == before
    assert summary["kinds"]["event"]["imported"] == 0


def test_uci_reconciliation_holds_our_figures_within_tolerance_of_the_source(tmp_path: Path) -> None:
    import_uci()

    rows = reconcile(UCI_SAMPLE)
    assert [r for r in rows if not r.ok and r.tolerance != float("inf")] == []
    by_figure = {(r.figure, r.key): r for r in rows}
    assert by_figure[("tickets", "all")].ours == 300
    knowledge = by_figure[("share with a knowledge article used", "all")]
    assert knowledge.ours == knowledge.source
    output = tmp_path / "reconciliation.txt"
    call_command("reconcile_uci_servicenow", str(UCI_SAMPLE), output=output, stdout=io.StringIO())
    assert "share by group changes (source: its audit trail)" in output.read_text()
