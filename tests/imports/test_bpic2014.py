"""The BPI Challenge 2014 importer on the 300-incident sample (tests/fixtures/README.md)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from changes.models import Change
from contacts.models import Contact
from imports.bpic2014 import ZONE
from imports.models import ImportedContact, ImportedTicket
from incidents.kpi import first_line_resolution
from incidents.models import State, Ticket, TicketEvent
from servicedesk.models import AssignmentGroup, GroupLevel
from sla.clock import rebuild_clocks
from sla.models import Clock

from .helpers import BPIC_SAMPLE, fingerprint, import_bpic, read_csv, table_counts

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_sample_import_creates_every_record_once_with_its_links() -> None:
    incidents = read_csv(BPIC_SAMPLE / "detail_incident.csv")
    interactions = read_csv(BPIC_SAMPLE / "detail_interaction.csv")
    activities = read_csv(BPIC_SAMPLE / "incident_activity.csv", ",")
    changes = read_csv(BPIC_SAMPLE / "detail_change.csv")

    summary = import_bpic()

    assert Ticket.objects.count() == len(incidents) == 300
    assert Contact.objects.count() == len(interactions) == 600
    assert Change.objects.count() == len({c["Change ID"] for c in changes}) == 5
    kinds = summary["kinds"]
    assert kinds["activity"]["imported"] == len(activities) == 4297
    assert all(k["rejected"] == 0 for k in kinds.values())
    # Every activity of the work log is in the history, once.
    lines = TicketEvent.objects.exclude(details__source_line=None).values_list(
        "details__source_line", flat=True
    )
    assert len(set(lines)) == len(activities)
    # Links: call → incident (Related Incident) and incident → call (Related Interaction).
    ids = {i["Incident ID"] for i in incidents}
    expected_links = {
        (x["Interaction ID"], x["Related Incident"]) for x in interactions if x["Related Incident"] in ids
    }
    expected_links |= {
        (i["Related Interaction"], i["Incident ID"])
        for i in incidents
        if i["Related Interaction"].startswith("SD")
    }
    links = {
        (c.imported.external_id, t.imported.external_id)
        for c in Contact.objects.select_related("imported").prefetch_related("tickets__imported")
        for t in c.tickets.all()
    }
    assert links == expected_links
    caused = {
        (c.imported.external_id, t.imported.external_id)
        for c in Change.objects.prefetch_related("caused_incidents__imported").select_related("imported")
        for t in c.caused_incidents.all()
    }
    assert caused == {
        (i["Related Change"], i["Incident ID"])
        for i in incidents
        if i["Related Change"] in {c["Change ID"] for c in changes}
    }


def test_first_call_resolution_per_month_is_the_calls_flag() -> None:
    interactions = read_csv(BPIC_SAMPLE / "detail_interaction.csv")
    expected = Counter(
        (i["Close Time"].split(" ")[0].split("-", 1)[1], i["First Call Resolution"]) for i in interactions
    )

    import_bpic()

    # Close times are Dutch local times; the stored instant is UTC, so compare in that zone.
    ours: Counter[tuple[str, str]] = Counter()
    for c in ImportedContact.objects.all():
        local = c.closed_at.astimezone(ZONE)
        ours[(f"{local.month}-{local.year}", "Y" if c.first_call_resolution else "N")] += 1
    assert ours == expected
    assert sum(1 for i in interactions if i["First Call Resolution"] == "Y") == 1


def test_history_gives_reassignments_and_first_line_resolution_as_for_native_tickets() -> None:
    incidents = {i["Incident ID"]: i for i in read_csv(BPIC_SAMPLE / "detail_incident.csv")}
    activities: dict[str, list[dict[str, str]]] = {}
    for a in read_csv(BPIC_SAMPLE / "incident_activity.csv", ","):
        activities.setdefault(a["Incident ID"], []).append(a)

    import_bpic()

    # The service desk is the group opening most incidents, and the only first-line group.
    desk = AssignmentGroup.objects.get(level=GroupLevel.FIRST_LINE)
    first_groups = Counter(
        min(acts, key=lambda a: a["DateStamp"])["Assignment Group"] for acts in activities.values()
    )
    assert desk.name == first_groups.most_common(1)[0][0]
    for ticket in Ticket.objects.all():
        # As for native tickets: every move to another group after creation counts.
        assert ticket.reassignment_count == ticket.events.filter(field="assignment_group").count()
    # Resolved at first line: resolved in the source, only the desk held it up to the
    # resolution, and never reopened.
    expected = 0
    for key, incident in incidents.items():
        if not incident["Resolved Time"]:
            continue
        resolved = datetime.strptime(incident["Resolved Time"], "%d/%m/%Y %H:%M:%S")  # noqa: DTZ007 (naive, as the file)
        acts = activities.get(key, [])
        groups = {a["Assignment Group"] for a in acts if datetime.fromisoformat(a["DateStamp"]) <= resolved}
        reopened = incident["Reopen Time"] or any(a["IncidentActivity_Type"] == "Reopen" for a in acts)
        if groups == {desk.name} and not reopened:
            expected += 1
    figure = first_line_resolution(Ticket.objects.all())
    assert figure.resolved == Ticket.objects.filter(state__in=[State.RESOLVED, State.CLOSED]).count() == 300
    assert figure.at_first_line == expected


def test_clocks_stored_by_the_import_equal_a_rebuild_from_history() -> None:
    import_bpic()

    def snapshot() -> list[tuple[object, ...]]:
        return sorted(
            (
                c.ticket_id,
                c.metric,
                c.group_id,
                c.state,
                round(c.elapsed_seconds, 6),
                c.due_at,
                c.breached_at,
                c.stopped_at,
                c.met,
                c.next_check_at,
                tuple(
                    (s.running, s.started_at, s.ended_at, round(s.business_seconds, 6))
                    for s in c.segments.all()
                ),
            )
            for c in Clock.objects.prefetch_related("segments")
        )

    imported = snapshot()
    rebuild_clocks(Ticket.objects.order_by("id"))
    assert snapshot() == imported
    assert len(imported) > 0


def test_running_the_import_twice_creates_nothing_new() -> None:
    import_bpic()
    before, state = table_counts(), fingerprint()

    summary = import_bpic()

    assert table_counts() == before
    assert fingerprint() == state
    assert summary["kinds"]["incident"]["imported"] == 0
    assert summary["kinds"]["incident"]["already_imported"] == 300
    assert ImportedTicket.objects.count() == 300
