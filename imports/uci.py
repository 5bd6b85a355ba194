"""UCI "Incident management process enriched event log" (ServiceNow audit export) → tickets.

One row per update of an incident (sys_mod_count orders them). Each row becomes history: a new
assignment group is an assignment, a new priority an update, the state a transition (Active
after Resolved is a reopen). The source's own figures (final state, reassignment and reopen
counts, knowledge use, SLA made) are kept beside ours. Times have no zone in the source; they
are taken as UTC (docs/imports.md).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from incidents.models import Channel, PendingReason, ResolutionCode, State, Ticket
from servicedesk.models import AssignmentGroup, Category, GroupLevel, Role, User

from . import core
from .core import Built, ImportContext
from .models import ImportedTicket, Source
from .reading import LineReader, RowError, from_iso, iso, optional_local, parse_int, parse_local

SOURCE = Source.UCI_SERVICENOW
ZONE = ZoneInfo("UTC")
TIME = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")
NUMBER = re.compile(r"^INC\d+$")
STATES = {
    "New": "new",
    "Active": "active",
    "Awaiting User Info": "pend_customer",
    "Awaiting Evidence": "pend_customer",
    "Awaiting Problem": "pend_third_party",
    "Awaiting Vendor": "pend_third_party",
    "Resolved": "resolve",
    "Closed": "close",
}
CHANNELS = {
    "Phone": Channel.PHONE,
    "Email": Channel.EMAIL,
    "Self service": Channel.PORTAL,
    "IVR": Channel.PHONE,
    "Direct opening": Channel.WALK_IN,
}
BOOLS = {"true": True, "false": False}


def _value(text: str) -> str:
    text = text.strip()
    return "" if text == "?" else text


def parse_row(v: dict[str, str]) -> dict[str, Any]:
    number = v["number"].strip()
    if not NUMBER.match(number):
        raise RowError(f"bad incident number: {number!r}")
    state = v["incident_state"].strip()
    if state not in STATES:
        raise RowError(f"unknown incident_state: {state!r}")
    for column in ("made_sla", "knowledge", "active"):
        if v[column].strip() not in BOOLS:
            raise RowError(f"unknown {column} flag: {v[column]!r}")
    return {
        "id": number,
        "state": state,
        "mod": parse_int(v["sys_mod_count"], "sys_mod_count", low=0),
        "at": iso(parse_local(v["sys_updated_at"], TIME, ZONE, "sys_updated_at")),
        "opened": iso(parse_local(v["opened_at"], TIME, ZONE, "opened_at")),
        "resolved": iso(optional_local(v["resolved_at"], TIME, ZONE, "resolved_at")),
        "closed": iso(optional_local(v["closed_at"], TIME, ZONE, "closed_at")),
        "impact": parse_int(v["impact"], "impact", low=1, high=3),
        "urgency": parse_int(v["urgency"], "urgency", low=1, high=3),
        "priority": parse_int(v["priority"], "priority", low=1, high=4),
        "group": _value(v["assignment_group"]),
        "made_sla": BOOLS[v["made_sla"].strip()],
        "knowledge": BOOLS[v["knowledge"].strip()],
        "reassignments": parse_int(v["reassignment_count"], "reassignment_count", low=0),
        "reopens": parse_int(v["reopen_count"], "reopen_count", low=0),
        "contact_type": v["contact_type"].strip(),
        "category": _value(v["category"]),
        "subcategory": _value(v["subcategory"]),
        "closed_code": _value(v["closed_code"]),
        "ci": _value(v["cmdb_ci"]),
        "problem": _value(v["problem_id"]),
        "rfc": _value(v["rfc"]),
    }


def stage(ctx: ImportContext, path: Path) -> None:
    stager = core.staging(ctx)
    reader = LineReader(path, ",", ctx.rejects, "event")
    counts = ctx.count("event")
    with ctx.bar(None, "stage events") as bar:
        for line in reader:
            counts.read += 1
            try:
                data = parse_row(line.values)
            except (RowError, KeyError) as error:
                ctx.rejects.add("event", line.number, line.raw, str(error))
                continue
            # Replay order: sys_mod_count, then file order.
            stager.add("event", data["id"], data["mod"] * 10_000_000 + line.number, line.number, data)
            bar.update(1)
    stager.flush()
    core.staged(ctx)


class Reference:
    def __init__(self) -> None:
        self.caller, _ = User.objects.get_or_create(
            username="import-uci-servicenow",
            defaults={
                "first_name": "UCI ServiceNow",
                "last_name": "caller",
                "is_active": False,
                "role": Role.END_USER,
            },
        )
        self.groups = {g.name: g for g in AssignmentGroup.objects.filter(name__startswith="Group ")}
        self.parent_category, _ = Category.objects.get_or_create(name="UCI ServiceNow", parent=None)
        self.categories = {c.name: c for c in Category.objects.filter(parent=self.parent_category)}

    def prepare(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT data->>'group', count(*) FROM (
                    SELECT DISTINCT ON (key) key, data FROM imports_stagedrow
                    WHERE source = %s AND kind = 'event' AND data->>'group' <> '' ORDER BY key, seq
                ) first_rows GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1
                """,
                [SOURCE],
            )
            row = cursor.fetchone()
            desk = row[0] if row else ""
            cursor.execute(
                "SELECT DISTINCT data->>'group' FROM imports_stagedrow WHERE source = %s AND kind = 'event'",
                [SOURCE],
            )
            names = {r[0] for r in cursor.fetchall() if r[0]}
            cursor.execute(
                "SELECT DISTINCT data->>'category' FROM imports_stagedrow"
                " WHERE source = %s AND kind = 'event'",
                [SOURCE],
            )
            categories = {r[0] for r in cursor.fetchall() if r[0]}
        for name in sorted(names - set(self.groups)):
            level = GroupLevel.FIRST_LINE if name == desk else GroupLevel.SECOND_LINE
            self.groups[name] = AssignmentGroup.objects.create(name=name, level=level)
        for name in sorted(categories - set(self.categories)):
            self.categories[name] = Category.objects.create(name=name, parent=self.parent_category)


def build_incident(rows: list[dict[str, Any]], ref: Reference) -> tuple[Ticket, ImportedTicket, list[Any]]:
    first, last = rows[0], rows[-1]
    opened = from_iso(first["opened"])
    if opened is None:
        raise RowError("no opened_at")
    group = ref.groups.get(first["group"])
    ticket = Ticket(
        kind="incident",
        caller=ref.caller,
        created_by=None,
        channel=CHANNELS.get(first["contact_type"], Channel.PHONE),
        service=None,
        category=ref.categories.get(first["category"]),
        impact=first["impact"],
        urgency=first["urgency"],
        priority=first["priority"],
        title=f"{first['category'] or 'Incident'} / {first['subcategory'] or '—'}"[:200],
        description=f"Imported from the UCI ServiceNow incident event log, {first['id']}.",
        state=State.NEW,
        assignment_group=group,
        assignee=None,
        resolved_by_group=None,
        parent=None,
        queue_entered_at=opened if group else None,
        created_at=opened,
        updated_at=opened,
    )
    history = core.History(ticket, {"source": SOURCE})
    history.created(opened, {"source_id": first["id"]})
    previous: datetime = opened
    for row in rows:
        # Audit rows are ordered by sys_mod_count; a timestamp before the previous one is kept
        # at the previous instant so that the history stays in order.
        at = max(from_iso(row["at"]) or previous, previous)
        previous = at
        extra = {"source_line": row["_line"], "sys_mod_count": row["mod"], "incident_state": row["state"]}
        changed = False
        new_group = ref.groups.get(row["group"])
        if new_group is not None:
            changed |= history.assign(at, new_group, extra)
        if row["priority"] != ticket.priority and ticket.state not in (State.RESOLVED, State.CLOSED):
            changed |= history.set_value(at, "priority", row["priority"], extra)
        match STATES[row["state"]]:
            case "active":
                if ticket.state == State.RESOLVED:
                    changed |= history.reopen(at, "Active", extra)
                else:
                    changed |= history.start(at, extra)
            case "pend_customer":
                changed |= history.pend(at, PendingReason.CUSTOMER, extra)
            case "pend_third_party":
                changed |= history.pend(at, PendingReason.THIRD_PARTY, extra)
            case "resolve":
                code = ResolutionCode.SOLVED
                changed |= history.resolve(
                    at, code, f"Closure code in the source: {row['closed_code'] or '—'}", extra
                )
            case "close":
                changed |= history.close(at, extra)
        if not changed:
            history.note(at, row["state"], extra)
    imported = ImportedTicket(
        source=SOURCE,
        external_id=first["id"],
        source_status=last["state"],
        source_priority=last["priority"],
        category=last["category"],
        closure_code=last["closed_code"],
        knowledge_used=last["knowledge"],
        configuration_item=last["ci"],
        source_reassignments=last["reassignments"],
        source_reopen_count=last["reopens"],
        source_made_sla=last["made_sla"],
        source_opened_at=opened,
        source_resolved_at=from_iso(last["resolved"]),
        source_closed_at=from_iso(last["closed"]),
        extra={
            "contact_type": last["contact_type"],
            "problem": last["problem"],
            "rfc": last["rfc"],
            "rows": len(rows),
            "last_sys_mod_count": last["mod"],
        },
    )
    return ticket, imported, history.events


def build(ctx: ImportContext) -> None:
    ref = Reference()
    ref.prepare()
    rules = core.load_sla_rules()
    counts = ctx.count("event")
    with ctx.bar(core.staged_keys(SOURCE, "event"), "build tickets", unit="tickets") as bar:
        for keys in core.staged_batches(SOURCE, "event", ctx.batch_size):
            done = core.already_imported(ImportedTicket, SOURCE, keys)
            staged = core.staged_rows(SOURCE, "event", keys)
            counts.already += sum(len(staged[k]) for k in done)
            built: list[Built] = []
            for key in keys:
                if key in done:
                    continue
                rows = [{**r.data, "_line": r.line} for r in staged[key]]
                try:
                    ticket, imported, events = build_incident(rows, ref)
                except (RowError, KeyError, ValueError, TypeError) as error:
                    for r in staged[key]:
                        ctx.rejects.add("event", r.line, str(r.data), f"cannot build incident {key}: {error}")
                    continue
                built.append(
                    Built(key, ticket, imported, events, staged[key][0].line, str(staged[key][0].data))
                )
            before = ctx.count("incident").imported
            core.write_tickets(ctx, "incident", built, rules)
            written = (
                {b.key for b in built}
                if ctx.count("incident").imported - before == len(built)
                else set(
                    ImportedTicket.objects.filter(
                        source=SOURCE, external_id__in=[b.key for b in built]
                    ).values_list("external_id", flat=True)
                )
            )
            counts.imported += sum(len(staged[k]) for k in written)
            ctx.count("incident").read += len(keys)
            ctx.count("incident").already += len(done)
            bar.update(len(keys))


def run_import(path: Path, ctx: ImportContext, *, restart: bool = False) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    run = core.begin_run(SOURCE, str(path), restart=restart)
    ctx.derived.add("incident")
    if run.staged_at is None:
        stage(ctx, path)
        run.staged_at = timezone.now()
        run.summary = {"staged": core.stage_state(ctx)}
        run.save(update_fields=["staged_at", "summary"])
    else:
        core.restore_stage_state(ctx, run.summary.get("staged", {}))
    build(ctx)
    return core.finish_run(run, ctx)
