"""Running the importers in tests, and a fingerprint of what an import left in the database."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from changes.models import Change
from contacts.models import Contact
from imports import bpic2014, core, uci
from imports.models import ImportedChange, ImportedContact, ImportedTicket, Source
from imports.reading import Rejects
from incidents.models import Ticket, TicketEvent
from sla.models import Clock, ClockSegment

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BPIC_SAMPLE = FIXTURES / "bpic2014_sample_300"
UCI_SAMPLE = FIXTURES / "uci_servicenow_sample_300.csv"


def import_bpic(directory: Path = BPIC_SAMPLE, rejects: Path | None = None) -> dict[str, Any]:
    ctx = core.ImportContext(Source.BPIC2014, Rejects(rejects), progress=False)
    try:
        return bpic2014.run_import(directory, ctx)
    finally:
        ctx.rejects.close()


def import_uci(path: Path = UCI_SAMPLE, rejects: Path | None = None) -> dict[str, Any]:
    ctx = core.ImportContext(Source.UCI_SERVICENOW, Rejects(rejects), progress=False)
    try:
        return uci.run_import(path, ctx)
    finally:
        ctx.rejects.close()


def read_csv(path: Path, delimiter: str = ";") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream, delimiter=delimiter))


def table_counts() -> dict[str, int]:
    models = [
        Ticket,
        TicketEvent,
        Clock,
        ClockSegment,
        Contact,
        Change,
        ImportedTicket,
        ImportedContact,
        ImportedChange,
    ]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["contact_links"] = Contact.tickets.through.objects.count()
    counts["caused_incidents"] = Change.caused_incidents.through.objects.count()
    return counts


def fingerprint() -> dict[str, Any]:
    """What an import produced, independent of database ids."""
    tickets = sorted(
        (
            t.imported.source,
            t.imported.external_id,
            t.state,
            t.priority,
            t.assignment_group.name if t.assignment_group else "",
            t.reassignment_count,
            t.reopen_count,
            t.created_at,
            t.resolved_at,
            t.closed_at,
            # The created event names the ticket's number, which is its id: "own number" here.
            tuple(
                (e.action, e.field, "own number" if e.new_value == t.number else e.new_value, e.created_at)
                for e in t.events.all()
            ),
            tuple(sorted((c.metric, c.state, c.met, round(c.elapsed_seconds, 3)) for c in t.clocks.all())),
            tuple(sorted(c.imported.external_id for c in t.contacts.all())),
        )
        for t in Ticket.objects.select_related("imported", "assignment_group").prefetch_related(
            "events", "clocks", "contacts__imported"
        )
    )
    contacts = sorted(
        (c.external_id, c.imported.first_call_resolution, c.offered_at)
        for c in Contact.objects.select_related("imported")
    )
    changes = sorted(
        (
            c.imported.external_id,
            c.state,
            c.risk,
            tuple(sorted(s.name for s in c.services.all())),
            tuple(sorted(t.imported.external_id for t in c.caused_incidents.all())),
        )
        for c in Change.objects.select_related("imported").prefetch_related(
            "services", "caused_incidents__imported"
        )
    )
    return {"tickets": tickets, "contacts": contacts, "changes": changes}
