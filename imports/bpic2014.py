"""BPI Challenge 2014 (Rabobank Group ICT, HP Service Manager export) → tickets, contacts, changes.

The mapping (source column → our field, time zone) is documented in docs/imports.md. Source
times carry no offset; they are Dutch local times (Europe/Amsterdam), converted to UTC here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from changes.models import Change, ChangeType, Outcome, Risk
from changes.models import State as ChangeState
from contacts.models import Contact, ContactQueue, ContactState
from incidents.models import Channel, EventAction, Kind, PendingReason, ResolutionCode, State, Ticket
from servicedesk.models import AssignmentGroup, Category, GroupLevel, Role, Service, User

from . import core
from .core import Built, ImportContext
from .models import ImportedChange, ImportedContact, ImportedTicket, Source, StagedRow
from .reading import (
    LineReader,
    RowError,
    decimal_comma,
    find_file,
    from_iso,
    iso,
    optional_int,
    optional_local,
    parse_int,
    parse_local,
)

SOURCE = Source.BPIC2014
ZONE = ZoneInfo("Europe/Amsterdam")
UTC_ZONE = ZoneInfo("UTC")
INCIDENT_TIME = ("%d/%m/%Y %H:%M:%S",)
SHORT_TIME = ("%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S")
ACTIVITY_TIME = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
INCIDENT_ID = re.compile(r"^IM\d{7}$")
INTERACTION_ID = re.compile(r"^SD\d{7}$")
CHANGE_ID = re.compile(r"^C\d{8}$")

# Source priority, impact and urgency run 1 (high) … 5 (very low); ours 1–4 and 1–3.
PRIORITY = {1: 1, 2: 2, 3: 3, 4: 4, 5: 4}
LEVEL = {1: 1, 2: 1, 3: 2, 4: 3, 5: 3}
REQUEST_CATEGORIES = frozenset({"request for information", "service request", "rfc"})
RESOLUTION = {"No error - works as designed": ResolutionCode.NOT_REPRODUCIBLE}
RISK = {"Minor Change": Risk.LOW, "Business Change": Risk.MEDIUM, "Major Business Change": Risk.HIGH}

# Activity types and what they do to the ticket (docs/imports.md). Every activity is one or
# more history rows; those that change none of our fields are kept as notes.
PEND_VENDOR = frozenset({"Pending vendor", "External Vendor Assignment", "External Vendor Reassignment"})
CUSTOMER_COMMUNICATION = frozenset(
    {"Communication with customer", "Mail to Customer", "Callback Request", "Update from customer"}
)
RESUMES_WORK = frozenset(
    {"Assignment", "Reassignment", "Operator Update", "Update", "Update from customer", "Analysis/Research"}
)
ENDS_WORK = frozenset({"Closed", "Resolved"})

# The two activity files: the challenge's own columns (sample, 4,000-incident subset) and the
# EventLog derivative of the full log; the same concepts under other names.
ACTIVITY_COLUMNS = {
    "incident": ("Incident ID",),
    "at": ("DateStamp", "Detail Incident Activity.DateStamp"),
    "type": ("IncidentActivity_Type", "Detail Incident Activity.IncidentActivity_Type"),
    "group": ("Assignment Group", "Detail Incident Activity.Assignment Group"),
    "number": ("IncidentActivity_Number",),
    "km": ("KM number",),
    "interaction": ("Interaction ID",),
}


def _column(values: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if name in values:
            return values[name].strip()
    return ""


def _utc(value: datetime | None) -> str | None:
    return iso(value.astimezone(UTC_ZONE)) if value is not None else None


# --- files -----------------------------------------------------------------------------------


def source_files(directory: Path) -> dict[str, Path | None]:
    return {
        "incident": find_file(directory, "detail_incident"),
        "activity": find_file(directory, "incident_activity", "incident_activity_eventlog"),
        "interaction": find_file(directory, "detail_interaction"),
        "change": find_file(directory, "detail_change"),
    }


# --- staging: parse and check each row ------------------------------------------------------


def parse_incident(v: dict[str, str]) -> dict[str, Any]:
    incident_id = v["Incident ID"].strip()
    if not INCIDENT_ID.match(incident_id):
        raise RowError(f"bad incident id: {incident_id!r}")
    opened = parse_local(v["Open Time"], INCIDENT_TIME, ZONE, "Open Time")
    resolved = optional_local(v["Resolved Time"], INCIDENT_TIME, ZONE, "Resolved Time")
    closed = optional_local(v["Close Time"], INCIDENT_TIME, ZONE, "Close Time")
    return {
        "id": incident_id,
        "status": v["Status"].strip(),
        "impact": parse_int(v["Impact"], "impact", low=1, high=5),
        "urgency": parse_int(v["Urgency"], "urgency", low=1, high=5),
        "priority": parse_int(v["Priority"], "priority", low=1, high=5),
        "category": v["Category"].strip(),
        "km": v["KM number"].strip(),
        "alert": v["Alert Status"].strip(),
        "reassignments": optional_int(v["# Reassignments"]),
        "opened": _utc(opened),
        "reopened": _utc(optional_local(v["Reopen Time"], INCIDENT_TIME, ZONE, "Reopen Time")),
        "resolved": _utc(resolved),
        "closed": _utc(closed),
        "handle_hours": decimal_comma(v["Handle Time (Hours)"]),
        "closure_code": v["Closure Code"].strip(),
        "related_interaction": v["Related Interaction"].strip(),
        "related_change": v["Related Change"].strip(),
        "ci": v["CI Name (aff)"].strip(),
        "ci_type": v["CI Type (aff)"].strip(),
        "ci_subtype": v["CI Subtype (aff)"].strip(),
        "wbs": v["Service Component WBS (aff)"].strip(),
        "ci_cby": v["CI Name (CBy)"].strip(),
        "wbs_cby": v["ServiceComp WBS (CBy)"].strip(),
    }


def parse_activity(v: dict[str, str]) -> dict[str, Any]:
    incident_id = _column(v, ACTIVITY_COLUMNS["incident"])
    if not INCIDENT_ID.match(incident_id):
        raise RowError(f"bad incident id: {incident_id!r}")
    kind = _column(v, ACTIVITY_COLUMNS["type"])
    if not kind:
        raise RowError("no activity type")
    at = parse_local(_column(v, ACTIVITY_COLUMNS["at"]), ACTIVITY_TIME, ZONE, "DateStamp")
    return {
        "id": incident_id,
        "at": _utc(at),
        "type": kind,
        "group": _column(v, ACTIVITY_COLUMNS["group"]),
        "number": _column(v, ACTIVITY_COLUMNS["number"]),
        "km": _column(v, ACTIVITY_COLUMNS["km"]),
        "interaction": _column(v, ACTIVITY_COLUMNS["interaction"]),
    }


def parse_change(v: dict[str, str]) -> dict[str, Any]:
    change_id = v["Change ID"].strip()
    if not CHANGE_ID.match(change_id):
        raise RowError(f"bad change id: {change_id!r}")

    def when(column: str) -> str | None:
        return _utc(optional_local(v[column], SHORT_TIME, ZONE, column))

    yes_no = {"Y": True, "N": False, "": False}
    for column in ("Emergency Change", "CAB-approval needed"):
        if v[column].strip() not in yes_no:
            raise RowError(f"unknown {column} flag: {v[column]!r}")
    opened = when("Change record Open Time")
    if opened is None:
        raise RowError("no Change record Open Time")
    return {
        "id": change_id,
        "type": v["Change Type"].strip(),
        "risk": v["Risk Assessment"].strip(),
        "emergency": yes_no[v["Emergency Change"].strip()],
        "cab": yes_no[v["CAB-approval needed"].strip()],
        "planned_start": when("Planned Start"),
        "planned_end": when("Planned End"),
        "downtime_start": when("Scheduled Downtime Start"),
        "downtime_end": when("Scheduled Downtime End"),
        "actual_start": when("Actual Start"),
        "actual_end": when("Actual End"),
        "requested_end": when("Requested End Date"),
        "opened": opened,
        "closed": when("Change record Close Time"),
        "originated_from": v["Originated from"].strip(),
        "related_interactions": optional_int(v["# Related Interactions"]),
        "related_incidents": optional_int(v["# Related Incidents"]),
        "ci": v["CI Name (aff)"].strip(),
        "wbs": v["Service Component WBS (aff)"].strip(),
    }


def stage(ctx: ImportContext, files: dict[str, Path | None]) -> None:
    parsers = {"incident": parse_incident, "activity": parse_activity, "change": parse_change}
    stager = core.staging(ctx)
    for kind, parser in parsers.items():
        path = files[kind]
        if path is None:
            continue
        reader = LineReader(
            path,
            "," if kind == "activity" else ";",
            ctx.rejects,
            kind,
            encoding="ascii" if kind != "activity" else "utf-8",
        )
        counts = ctx.count(kind)
        with ctx.bar(path.stat().st_size, f"stage {kind}s", unit="B", unit_scale=True) as bar:
            for line in reader:
                counts.read += 1
                try:
                    data = parser(line.values)
                except (RowError, KeyError) as error:
                    ctx.rejects.add(kind, line.number, line.raw, str(error))
                    continue
                stager.add(kind, data["id"], line.number, line.number, data)
                if counts.read % 2000 == 0:
                    bar.update(reader.bytes_read - bar.n) if path.suffix != ".gz" else bar.update(0)
            bar.update(max(path.stat().st_size - bar.n, 0))
        stager.flush()
    core.staged(ctx)


# --- reference data --------------------------------------------------------------------------


class Reference:
    """Groups, services, categories and the placeholder caller, created once and cached."""

    def __init__(self) -> None:
        self.caller, _ = User.objects.get_or_create(
            username="import-bpic2014",
            defaults={
                "first_name": "BPI Challenge 2014",
                "last_name": "caller",
                "is_active": False,
                "role": Role.END_USER,
            },
        )
        self.groups = {g.name: g for g in AssignmentGroup.objects.filter(name__startswith="TEAM")}
        self.services = {s.name: s for s in Service.objects.filter(name__startswith="WBS")}
        self.parent_category, _ = Category.objects.get_or_create(name="BPI Challenge 2014", parent=None)
        self.categories = {c.name: c for c in Category.objects.filter(parent=self.parent_category)}
        self.first_line: AssignmentGroup | None = None

    def prepare(self) -> None:
        """Create what the staged rows name; the service desk group is the one opening most incidents."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT data->>'group', count(*) FROM (
                    SELECT DISTINCT ON (key) key, data FROM imports_stagedrow
                    WHERE source = %s AND kind = 'activity' AND data->>'group' <> ''
                    ORDER BY key, data->>'at', seq
                ) first_rows GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1
                """,
                [SOURCE],
            )
            row = cursor.fetchone()
            desk = row[0] if row else "TEAM0008"
            cursor.execute(
                "SELECT DISTINCT data->>'group' FROM imports_stagedrow"
                " WHERE source = %s AND kind = 'activity'",
                [SOURCE],
            )
            names = {r[0] for r in cursor.fetchall() if r[0]}
            cursor.execute(
                "SELECT DISTINCT data->>'wbs' FROM imports_stagedrow"
                " WHERE source = %s AND kind IN ('incident', 'change')",
                [SOURCE],
            )
            services = {r[0] for r in cursor.fetchall() if r[0] and r[0] != "#N/B"}
            cursor.execute(
                "SELECT DISTINCT data->>'category' FROM imports_stagedrow"
                " WHERE source = %s AND kind = 'incident'",
                [SOURCE],
            )
            categories = {r[0] for r in cursor.fetchall() if r[0]}
        names.add(desk)
        for name in sorted(names - set(self.groups)):
            level = GroupLevel.FIRST_LINE if name == desk else GroupLevel.SECOND_LINE
            self.groups[name] = AssignmentGroup.objects.create(name=name, level=level)
        self.first_line = self.groups[desk]
        for name in sorted(services - set(self.services)):
            self.services[name] = Service.objects.create(name=name, owner_group=self.first_line, tier=3)
        for name in sorted(categories - set(self.categories)):
            self.categories[name] = Category.objects.create(name=name, parent=self.parent_category)

    def desk(self) -> AssignmentGroup:
        if self.first_line is None:
            self.first_line = AssignmentGroup.objects.filter(
                name__startswith="TEAM", level=GroupLevel.FIRST_LINE
            ).first()
        if self.first_line is None:
            self.first_line, _ = AssignmentGroup.objects.get_or_create(
                name="TEAM0008", defaults={"level": GroupLevel.FIRST_LINE}
            )
        return self.first_line

    def service(self, name: str) -> Service | None:
        if not name or name == "#N/B":
            return None
        if name not in self.services:
            self.services[name] = Service.objects.get_or_create(
                name=name, defaults={"owner_group": self.desk()}
            )[0]
        return self.services[name]


# --- building tickets ------------------------------------------------------------------------


def build_incident(
    inc: dict[str, Any], activities: list[dict[str, Any]], ref: Reference
) -> tuple[Ticket, ImportedTicket, list[Any]]:
    opened = from_iso(inc["opened"])
    if opened is None:
        raise RowError("no Open Time")
    acts = sorted(
        ({**a, "_at": max(from_iso(a["at"]) or opened, opened)} for a in activities),
        key=lambda a: (a["_at"], a["_line"]),
    )
    first_group = next((ref.groups.get(a["group"]) for a in acts if a["group"] in ref.groups), None)
    category = inc["category"]
    kind = Kind.REQUEST if category.lower() in REQUEST_CATEGORIES else Kind.INCIDENT
    title = f"{category or 'incident'} – {inc['ci'] or 'no CI'}"[:200]
    ticket = Ticket(
        kind=kind,
        caller=ref.caller,
        created_by=None,
        channel=Channel.PHONE,
        service=ref.service(inc["wbs"]),
        category=ref.categories.get(category),
        impact=LEVEL[inc["impact"]],
        urgency=LEVEL[inc["urgency"]],
        priority=PRIORITY[inc["priority"]],
        title=title,
        description=(
            f"Imported from BPI Challenge 2014, {inc['id']}. Affected CI {inc['ci']} "
            f"({inc['ci_type']} / {inc['ci_subtype']}), service component {inc['wbs']}."
        ),
        state=State.NEW,
        assignment_group=first_group,
        assignee=None,
        resolved_by_group=None,
        parent=None,
        queue_entered_at=opened if first_group else None,
        created_at=opened,
        updated_at=opened,
    )
    history = core.History(ticket, {"source": SOURCE})
    history.created(opened, {"source_id": inc["id"]})

    reopen_times = [a["_at"] for a in acts if a["type"] == "Reopen"]
    record_reopen = from_iso(inc["reopened"])
    steps: list[tuple[datetime, int, int, str, dict[str, Any]]] = [
        (a["_at"], 1, a["_line"], "activity", a) for a in acts
    ]
    # The record's Reopen Time, where the (derived) activity log lacks its Reopen activity.
    if record_reopen and not any(abs((t - record_reopen).total_seconds()) <= 300 for t in reopen_times):
        steps.append((max(record_reopen, opened), 1, 0, "reopen", {}))
        reopen_times.append(record_reopen)
    resolved = from_iso(inc["resolved"])
    closed = from_iso(inc["closed"])
    if resolved:
        steps.append((max(resolved, opened), 2, 0, "resolve", {}))
    if closed and inc["status"] == "Closed":
        steps.append((max(closed, opened), 3, 0, "close", {}))
    steps.sort(key=lambda s: (s[0], s[1], s[2]))
    last_reopen = max(reopen_times) if reopen_times else None
    code = RESOLUTION.get(
        inc["closure_code"], ResolutionCode.FULFILLED if kind == Kind.REQUEST else ResolutionCode.SOLVED
    )
    note = f"Closure code in the source: {inc['closure_code'] or '—'}"

    for at, _, line, what, act in steps:
        if what == "resolve":
            if not history.resolve(at, code, note, {"from": "Resolved Time"}):
                history.note(at, "Resolved Time", {"from": "Resolved Time"})
            continue
        if what == "close":
            if not history.close(at, {"from": "Close Time"}):
                history.note(at, "Close Time", {"from": "Close Time"})
            continue
        if what == "reopen":
            _reopen(history, at, code, note, {"from": "Reopen Time"})
            continue
        extra = {"source_line": line, "activity": act["type"]}
        if act["number"]:
            extra["activity_number"] = act["number"]
        changed = False
        group = ref.groups.get(act["group"])
        if group is not None:
            changed |= history.assign(at, group, extra)
        kind_ = act["type"]
        if kind_ in PEND_VENDOR:
            changed |= history.pend(at, PendingReason.THIRD_PARTY, extra)
        elif kind_ in RESUMES_WORK and ticket.state == State.PENDING:
            changed |= history.start(at, extra)
        elif kind_ == "Reopen":
            changed |= _reopen(history, at, code, note, extra)
        elif kind_ in ENDS_WORK and last_reopen is not None and at < last_reopen:
            changed |= history.resolve(at, code, note, extra)
        if not changed:
            if kind_ in CUSTOMER_COMMUNICATION:
                history.note(at, kind_, extra, action=EventAction.COMMENTED)
                history.events[-1].internal = False
            else:
                history.note(at, kind_, extra)

    imported = ImportedTicket(
        source=SOURCE,
        external_id=inc["id"],
        source_status=inc["status"],
        source_priority=inc["priority"],
        category=category,
        closure_code=inc["closure_code"],
        knowledge_article=inc["km"],
        knowledge_used=bool(inc["km"]),
        configuration_item=inc["ci"],
        caused_by_ci=inc["ci_cby"],
        source_reassignments=inc["reassignments"],
        source_reopen_count=1 if inc["reopened"] else 0,
        source_made_sla=None,
        source_opened_at=opened,
        source_reopened_at=record_reopen,
        source_resolved_at=resolved,
        source_closed_at=closed,
        handle_hours=inc["handle_hours"],
        extra={
            "impact": inc["impact"],
            "urgency": inc["urgency"],
            "alert_status": inc["alert"],
            "related_interaction": inc["related_interaction"],
            "related_change": inc["related_change"],
            "ci_type": inc["ci_type"],
            "ci_subtype": inc["ci_subtype"],
            "service_component": inc["wbs"],
            "caused_by_service_component": inc["wbs_cby"],
        },
    )
    return ticket, imported, history.events


def _reopen(history: core.History, at: datetime, code: str, note: str, extra: dict[str, Any]) -> bool:
    """Reopen; an open ticket was resolved in the source at an instant the export does not
    give, so it is resolved and reopened at once (the reopen is what the source records)."""
    if history.ticket.state in (State.NEW, State.ASSIGNED, State.IN_PROGRESS, State.PENDING):
        history.resolve(at, code, note, {**extra, "resolution_time_unknown": True})
    return history.reopen(at, str(extra.get("activity", "Reopen Time")), extra)


def build(ctx: ImportContext) -> None:
    ref = Reference()
    ref.prepare()
    rules = core.load_sla_rules()
    total = core.staged_keys(SOURCE, "incident")
    with ctx.bar(total, "build tickets", unit="tickets") as bar:
        for keys in core.staged_batches(SOURCE, "incident", ctx.batch_size):
            done = core.already_imported(ImportedTicket, SOURCE, keys)
            todo = [k for k in keys if k not in done]
            ctx.count("incident").already += len(done)
            ctx.count("activity").already += (
                StagedRow.objects.filter(source=SOURCE, kind="activity", key__in=list(done)).count()
                if done
                else 0
            )
            incidents = core.staged_rows(SOURCE, "incident", keys)
            activities = core.staged_rows(SOURCE, "activity", todo)
            built: list[Built] = []
            for key in keys:
                rows = incidents.get(key, [])
                # Reported whether or not the first row is already imported: a resumed or
                # repeated run lists the same rejects as a clean one.
                for extra_row in rows[1:]:
                    ctx.rejects.add(
                        "incident", extra_row.line, str(extra_row.data), f"duplicate incident id {key}"
                    )
                if key in done:
                    continue
                row = rows[0]
                acts = [{**a.data, "_line": a.line} for a in activities.get(key, [])]
                try:
                    ticket, imported, events = build_incident(row.data, acts, ref)
                except (RowError, KeyError, ValueError, TypeError) as error:
                    ctx.rejects.add("incident", row.line, str(row.data), f"cannot build: {error}")
                    for a in activities.get(key, []):
                        ctx.rejects.add("activity", a.line, str(a.data), f"its incident {key} was rejected")
                    continue
                built.append(Built(key, ticket, imported, events, row.line, str(row.data)))
            before = ctx.count("incident").imported
            core.write_tickets(ctx, "incident", built, rules)
            if ctx.count("incident").imported - before == len(built):
                ctx.count("activity").imported += sum(len(activities.get(b.key, [])) for b in built)
            else:
                written = set(
                    ImportedTicket.objects.filter(
                        source=SOURCE, external_id__in=[b.key for b in built]
                    ).values_list("external_id", flat=True)
                )
                ctx.count("activity").imported += sum(len(activities.get(k, [])) for k in written)
            bar.update(len(keys))
    # Activities of incidents that are not in the incident file: broken links.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.line, a.key, a.data::text FROM imports_stagedrow a
            WHERE a.source = %s AND a.kind = 'activity' AND NOT EXISTS (
                SELECT 1 FROM imports_stagedrow i
                WHERE i.source = a.source AND i.kind = 'incident' AND i.key = a.key
            ) ORDER BY a.line
            """,
            [SOURCE],
        )
        for line, key, data in cursor.fetchall():
            ctx.rejects.add("activity", line, data, f"incident {key} is not in the incident file")


# --- interactions → contacts -----------------------------------------------------------------


def parse_interaction(v: dict[str, str]) -> dict[str, Any]:
    interaction_id = v["Interaction ID"].strip()
    if not INTERACTION_ID.match(interaction_id):
        raise RowError(f"bad interaction id: {interaction_id!r}")
    flag = v["First Call Resolution"].strip()
    if flag not in ("Y", "N"):
        raise RowError(f"unknown first-call-resolution flag: {flag!r}")
    opened = parse_local(v["Open Time (First Touch)"], SHORT_TIME, ZONE, "Open Time (First Touch)")
    return {
        "id": interaction_id,
        "opened": opened,
        "closed": optional_local(v["Close Time"], SHORT_TIME, ZONE, "Close Time"),
        "priority": parse_int(v["Priority"], "priority", low=1, high=5),
        "fcr": flag == "Y",
        "handle": optional_int(v["Handle Time (secs)"]),
        "category": v["Category"].strip(),
        "closure_code": v["Closure Code"].strip(),
        "km": v["KM number"].strip(),
        "ci": v["CI Name (aff)"].strip(),
        "related_incident": v["Related Incident"].strip(),
    }


def import_interactions(ctx: ImportContext, path: Path, ref: Reference) -> None:
    queue, _ = ContactQueue.objects.get_or_create(
        code="bpic2014-service-desk",
        defaults={"name": "BPI Challenge 2014 service desk", "group": ref.desk()},
    )
    counts = ctx.count("interaction")
    reader = LineReader(path, ";", ctx.rejects, "interaction", encoding="ascii")
    batch: list[tuple[int, str, dict[str, Any]]] = []

    def flush() -> None:
        done = core.already_imported(ImportedContact, SOURCE, [b[2]["id"] for b in batch])
        counts.already += len(done)
        contacts, imported = [], []
        seen: set[str] = set()
        for line, raw, data in batch:
            if data["id"] in done or data["id"] in seen:
                if data["id"] in seen:
                    ctx.rejects.add("interaction", line, raw, f"duplicate interaction id {data['id']}")
                continue
            seen.add(data["id"])
            contact = Contact(
                external_id=f"{SOURCE}:{data['id']}",
                queue=queue,
                channel="phone",
                caller=ref.caller,
                state=ContactState.ANSWERED,
                offered_at=data["opened"],
                answered_at=data["opened"],  # the export has no wait time: answered as offered
                wait_seconds=None,
            )
            contacts.append(contact)
            imported.append(
                ImportedContact(
                    contact=contact,
                    source=SOURCE,
                    external_id=data["id"],
                    first_call_resolution=data["fcr"],
                    handle_seconds=data["handle"],
                    closed_at=data["closed"],
                    source_priority=data["priority"],
                    category=data["category"],
                    closure_code=data["closure_code"],
                    knowledge_article=data["km"],
                    configuration_item=data["ci"],
                    related_incident=data["related_incident"],
                )
            )
        with transaction.atomic():
            core.save_new(contacts)
            for row in imported:
                row.contact_id = row.contact.pk
            core.save_new(imported)
        counts.imported += len(contacts)
        batch.clear()

    with ctx.bar(None, "import interactions") as bar:
        for line in reader:
            counts.read += 1
            try:
                batch.append((line.number, line.raw, parse_interaction(line.values)))
            except (RowError, KeyError) as error:
                ctx.rejects.add("interaction", line.number, line.raw, str(error))
            if len(batch) >= core.STAGE_CHUNK:
                flush()
            bar.update(1)
        if batch:
            flush()


def link_contacts(ctx: ImportContext) -> None:
    """Contact ↔ ticket, from both sides (interaction.Related Incident, incident.Related
    Interaction); a related id that names no imported record is a broken link, reported."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO incidents_contact_tickets (contact_id, ticket_id)
            SELECT c.contact_id, t.ticket_id FROM imports_importedcontact c
            JOIN imports_importedticket t ON t.source = c.source AND t.external_id = c.related_incident
            WHERE c.source = %(s)s
            UNION
            SELECT c.contact_id, t.ticket_id FROM imports_importedticket t
            JOIN imports_importedcontact c
              ON c.source = t.source AND c.external_id = t.extra->>'related_interaction'
            WHERE t.source = %(s)s
            ON CONFLICT DO NOTHING
            """,
            {"s": SOURCE},
        )
        cursor.execute(
            """
            SELECT c.external_id, c.related_incident FROM imports_importedcontact c
            WHERE c.source = %s AND c.related_incident LIKE 'IM%%' AND NOT EXISTS (
                SELECT 1 FROM imports_importedticket t
                WHERE t.source = c.source AND t.external_id = c.related_incident
            ) ORDER BY 1
            """,
            [SOURCE],
        )
        for external_id, incident in cursor.fetchall():
            ctx.rejects.add(
                "link",
                external_id,
                f"{external_id} → {incident}",
                f"broken link: interaction {external_id} names incident {incident}, "
                "which is not imported (contact kept without it)",
            )


# --- changes ---------------------------------------------------------------------------------


def import_changes(ctx: ImportContext, ref: Reference) -> None:
    counts = ctx.count("change")
    total = core.staged_keys(SOURCE, "change")
    with ctx.bar(total, "build changes", unit="changes") as bar:
        for keys in core.staged_batches(SOURCE, "change", ctx.batch_size):
            done = core.already_imported(ImportedChange, SOURCE, keys)
            todo = [k for k in keys if k not in done]
            staged = core.staged_rows(SOURCE, "change", keys)
            counts.already += sum(len(staged[k]) for k in done)
            changes: list[Change] = []
            imported: list[ImportedChange] = []
            services: list[tuple[Change, list[Service]]] = []
            for key in todo:
                rows = staged[key]
                first = rows[0].data
                change, row = build_change(first)
                changes.append(change)
                imported.append(row)
                found = [s for s in (ref.service(r.data["wbs"]) for r in rows) if s is not None]
                services.append((change, list({s.pk: s for s in found}.values())))
            with transaction.atomic():
                core.save_new(changes)
                for row in imported:
                    row.change_id = row.change.pk
                core.save_new(imported)
                through = Change.services.through
                core.save_new(
                    [through(change_id=c.pk, service_id=s.pk) for c, group in services for s in group]
                )
            counts.imported += sum(len(staged[k]) for k in todo)
            bar.update(len(keys))
    with connection.cursor() as cursor:
        # The incidents a change caused: incident.Related Change names it.
        cursor.execute(
            """
            INSERT INTO changes_change_caused_incidents (change_id, ticket_id)
            SELECT ch.change_id, t.ticket_id FROM imports_importedticket t
            JOIN imports_importedchange ch
              ON ch.source = t.source AND ch.external_id = t.extra->>'related_change'
            WHERE t.source = %s
            ON CONFLICT DO NOTHING
            """,
            [SOURCE],
        )


def build_change(data: dict[str, Any]) -> tuple[Change, ImportedChange]:
    opened = from_iso(data["opened"])
    if opened is None:
        raise RowError("no Change record Open Time")
    closed = from_iso(data["closed"])
    planned_start, planned_end = from_iso(data["planned_start"]), from_iso(data["planned_end"])
    if not (planned_start and planned_end and planned_end > planned_start):
        planned_start = planned_end = None  # incomplete or inverted window: kept in `extra` only
    actual_start, actual_end = from_iso(data["actual_start"]), from_iso(data["actual_end"])
    if actual_start and actual_end and actual_end < actual_start:
        actual_end = None
    if actual_end and not actual_start:
        actual_end = None
    emergency = data["emergency"]
    change = Change(
        change_type=ChangeType.EMERGENCY if emergency else ChangeType.NORMAL,
        title=f"{data['type'] or 'Change'} – {data['ci'] or data['id']}"[:200],
        description=f"Imported from BPI Challenge 2014, {data['id']}.",
        risk=RISK.get(data["risk"], ""),
        planned_start=planned_start,
        planned_end=planned_end,
        actual_start=actual_start,
        actual_end=actual_end,
        # Every change of the export is closed; the export gives no outcome (docs/imports.md).
        state=ChangeState.CLOSED if closed else ChangeState.IMPLEMENTING,
        outcome=Outcome.SUCCESSFUL if closed else "",
        requester=_change_requester(),
        created_at=opened,
        updated_at=closed or opened,
        closed_at=closed,
    )
    imported = ImportedChange(
        change=change,
        source=SOURCE,
        external_id=data["id"],
        source_type=data["type"],
        source_risk=data["risk"],
        emergency=emergency,
        cab_approval_needed=data["cab"],
        originated_from=data["originated_from"],
        related_interactions=data["related_interactions"],
        related_incidents=data["related_incidents"],
        extra={
            k: data[k]
            for k in (
                "planned_start",
                "planned_end",
                "downtime_start",
                "downtime_end",
                "actual_start",
                "actual_end",
                "requested_end",
            )
        },
    )
    return change, imported


_REQUESTER: dict[str, User] = {}


def _change_requester() -> User:
    if "user" not in _REQUESTER or _REQUESTER["user"].pk is None:
        _REQUESTER["user"] = User.objects.get_or_create(
            username="import-bpic2014", defaults={"is_active": False, "role": Role.END_USER}
        )[0]
    return _REQUESTER["user"]


# --- the whole import -------------------------------------------------------------------------


def run_import(directory: Path, ctx: ImportContext, *, restart: bool = False) -> dict[str, Any]:
    files = source_files(directory)
    if files["incident"] is None:
        raise FileNotFoundError(f"no detail_incident.csv(.gz) in {directory}")
    run = core.begin_run(SOURCE, str(directory), restart=restart)
    _REQUESTER.clear()
    if run.staged_at is None:
        stage(ctx, files)
        run.staged_at = timezone.now()
        run.summary = {"staged": core.stage_state(ctx)}
        run.save(update_fields=["staged_at", "summary"])
    else:
        core.restore_stage_state(ctx, run.summary.get("staged", {}))
    build(ctx)
    ref = Reference()
    if files["interaction"] is not None:
        import_interactions(ctx, files["interaction"], ref)
        link_contacts(ctx)
    if files["change"] is not None:
        import_changes(ctx, ref)
    return core.finish_run(run, ctx)


def iter_kinds() -> Iterator[str]:
    yield from ("incident", "activity", "interaction", "change")
