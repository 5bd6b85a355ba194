"""The import core shared by every source format: staging, bulk writes, history, clocks, summary.

How an import runs (each step resumable, the whole idempotent):
1. **Stage**: stream each file line by line, check and parse every row, and COPY the good ones
   into `StagedRow` in chunks (bad ones go to the rejects file with their reason). Memory holds
   one chunk. A restarted run re-stages unless staging had finished.
2. **Build**: fetch the staged tickets in batches (ordered by their id in the source) with all
   their rows, skip those already imported, and for the others build the ticket, its history
   and its clocks in memory, then write the batch with COPY in one transaction. A batch is
   all or nothing, so a kill leaves whole tickets only; the restart skips what is there.
3. **Link and finish**: links between records (contact ↔ ticket, change → incidents) are made
   in SQL, idempotently (ON CONFLICT DO NOTHING), and the staged rows are dropped.

History is written exactly as the live services write it: the source's activities are replayed
through the pure transition functions of incidents/transitions.py (the ones the services call)
on an unsaved ticket, and each changed field becomes one `TicketEvent`. Clocks are then the
replay of that history by sla/clock.py, stored as `sync_ticket_clocks` stores them (the test
checks the result equals `rebuild_clocks`).
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from tqdm import tqdm

from incidents import transitions
from incidents.models import ALLOWED_TRANSITIONS, EventAction, State, Ticket, TicketEvent
from sla.clock import Rules, Run, load_rules, next_check, replay, threshold_instant
from sla.models import Clock, ClockSegment, ClockState

from .models import ImportRun, Source, StagedRow
from .reading import Rejects, dumps

REJECT = "reject"  # StagedRow.kind of the rows rejected while staging
STAGE_CHUNK = 5_000  # staged rows held in memory before each COPY
BUILD_BATCH = 500  # tickets built and written per transaction


# --- bulk writes ---------------------------------------------------------------------------


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys from the table's sequence (safe beside concurrent inserts)."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


# Fields whose Python value is what an INSERT sends (psycopg adapts it); others go through
# Django's own `get_db_prep_save`.
_PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BigIntegerField,
    models.BooleanField,
    models.FloatField,
    models.DateTimeField,
    models.ForeignKey,
)


def copy_objects[M: models.Model](objs: Sequence[M]) -> None:
    """Write model instances (primary keys already set) with PostgreSQL COPY.

    Every concrete column is written, with the value Django itself would send on INSERT
    (`get_db_prep_save` for anything but plain scalars and JSON), so defaults and conversions
    are those of a normal save.
    """
    if not objs:
        return
    meta = type(objs[0])._meta
    conn = connections[DEFAULT_DB_ALIAS]
    fields = list(meta.concrete_fields)
    getters: list[Callable[[Any], Any]] = []
    for f in fields:
        attname = f.attname
        if isinstance(f, models.JSONField):
            getters.append(partial(_json_value, attname))
        elif isinstance(f, _PLAIN_FIELDS) and not getattr(f, "auto_now", False):
            getters.append(attrgetter(attname))
        else:
            getters.append(partial(_prepared_value, f, conn))
    columns = ", ".join(conn.ops.quote_name(f.column or f.attname) for f in fields)
    with conn.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {conn.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([get(obj) for get in getters])


def _json_value(attname: str, obj: Any) -> str:
    return _JSON.encode(getattr(obj, attname))


_JSON = json.JSONEncoder(separators=(",", ":"))  # one encoder: json.dumps with options builds one per call


def _prepared_value(field: Any, conn: Any, obj: Any) -> Any:
    return field.get_db_prep_save(field.pre_save(obj, True), conn)


def fast_new[M: models.Model](model: type[M], **values: Any) -> M:
    """An unsaved instance without Model.__init__ (10× cheaper, for the hundreds of thousands of
    history rows): the given values, every other concrete field at its default. A relation given
    by name takes the object (cached, as its descriptor would) and its id, without the descriptor."""
    plan = _plan(model)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    data = obj.__dict__
    for name, attname, default, factory in plan.defaults:
        if attname not in values and name not in values:
            data[attname] = default() if factory else default
    relations = plan.relations
    for name, value in values.items():
        column = relations.get(name)
        if column is None:
            data[name] = value
        elif value is None:
            data[column] = None
        else:
            data[column] = value.pk
            state.fields_cache[name] = value
    return obj


@dataclass(frozen=True)
class _Plan:
    defaults: tuple[tuple[str, str, Any, bool], ...]  # name, attname, default or factory, factory?
    relations: dict[str, str]  # relation name → its column's attname


def _plan(model: type[models.Model]) -> _Plan:
    """Per model, once: each field's default (a factory such as `dict` is called per instance)."""
    cached = _PLANS.get(model)
    if cached is None:
        defaults = []
        relations = {}
        for f in model._meta.concrete_fields:
            if f.has_default() and callable(f.default):
                defaults.append((f.name, f.attname, f.default, True))
            else:
                defaults.append((f.name, f.attname, f.get_default(), False))
            if f.is_relation:
                relations[f.name] = f.attname
        cached = _PLANS[model] = _Plan(tuple(defaults), relations)
    return cached


_PLANS: dict[type[models.Model], _Plan] = {}


def save_new[M: models.Model](objs: Sequence[M]) -> None:
    """Give the instances ids from the sequence and COPY them."""
    if not objs:
        return
    for obj, pk in zip(objs, allocate_ids(type(objs[0]), len(objs)), strict=True):
        obj.pk = pk
    copy_objects(objs)


# --- history ---------------------------------------------------------------------------------


class History:
    """A ticket's history, built by replaying source records through the transition functions.

    The ticket is an unsaved instance whose related groups are cached objects, so the transition
    functions run without touching the database. Transitions our state machine does not allow
    (the source tool allowed more) are recorded as plain notes and change nothing, except a close
    without a resolution, which the source did and which is kept as it happened.
    """

    def __init__(self, ticket: Ticket, provenance: dict[str, Any]) -> None:
        self.ticket = ticket
        self.provenance = provenance
        self.events: list[TicketEvent] = []
        self.notes = 0

    def created(self, at: datetime, extra: dict[str, Any]) -> None:
        self.events.append(
            fast_new(
                TicketEvent,
                ticket_id=None,
                actor=None,
                action=EventAction.CREATED,
                new_value=self.ticket.number,
                details={**transitions.created_details(self.ticket), **self.provenance, **extra},
                created_at=at,
            )
        )

    def apply(self, step: transitions.Step, at: datetime, extra: dict[str, Any]) -> bool:
        """Apply a transition; one event per recorded changed field (as services._record)."""
        changes = transitions.apply(self.ticket, step.values)
        self.ticket.updated_at = at
        recorded = [c for c in changes if c.field not in transitions.UNRECORDED_FIELDS]
        for change in recorded:
            self.events.append(
                fast_new(
                    TicketEvent,
                    ticket_id=None,
                    actor=None,
                    action=step.action,
                    field=change.field.removesuffix("_id"),
                    old_value=transitions.history_value(change.old),
                    new_value=transitions.history_value(change.new),
                    details=transitions.event_details(change, {**step.details, **self.provenance, **extra}),
                    created_at=at,
                )
            )
        return bool(recorded)

    def note(self, at: datetime, what: str, extra: dict[str, Any], action: str = EventAction.UPDATED) -> None:
        """A source activity that changes none of our fields: kept as a history row all the same."""
        self.notes += 1
        self.events.append(
            fast_new(
                TicketEvent,
                ticket_id=None,
                actor=None,
                action=action,
                new_value=what,
                details={**self.provenance, **extra},
                internal=True,
                created_at=at,
            )
        )

    def allowed(self, target: str) -> bool:
        return target in ALLOWED_TRANSITIONS[self.ticket.state]

    # The transitions; each returns whether it changed anything (the caller notes it if not).

    def assign(self, at: datetime, group: Any, extra: dict[str, Any]) -> bool:
        if self.ticket.assignment_group_id == group.pk or not self.allowed(State.ASSIGNED):
            return False
        return self.apply(transitions.assign(self.ticket, group=group, assignee=None, now=at), at, extra)

    def pend(self, at: datetime, reason: str, extra: dict[str, Any]) -> bool:
        if self.ticket.state == State.PENDING or not self.allowed(State.PENDING):
            return False
        return self.apply(transitions.pend(self.ticket, reason=reason), at, extra)

    def start(self, at: datetime, extra: dict[str, Any]) -> bool:
        if self.ticket.state not in (State.NEW, State.ASSIGNED, State.PENDING):
            return False
        return self.apply(transitions.start(self.ticket, actor=None), at, extra)  # type: ignore[arg-type]

    def resolve(self, at: datetime, code: str, note: str, extra: dict[str, Any]) -> bool:
        if self.ticket.state not in (State.NEW, State.ASSIGNED, State.IN_PROGRESS, State.PENDING):
            return False
        step = transitions.resolve(self.ticket, actor=None, code=code, note=note, now=at)  # type: ignore[arg-type]
        return self.apply(step, at, extra)

    def reopen(self, at: datetime, reason: str, extra: dict[str, Any]) -> bool:
        if self.ticket.state != State.RESOLVED:
            return False
        return self.apply(transitions.reopen(self.ticket, reason=reason, now=at), at, extra)

    def close(self, at: datetime, extra: dict[str, Any]) -> bool:
        if self.ticket.state == State.RESOLVED:
            return self.apply(transitions.close(self.ticket, now=at), at, extra)
        if self.ticket.state == State.CLOSED:
            return False
        # Closed in the source without a resolution: kept as it happened.
        values = {"state": State.CLOSED, "pending_reason": "", "closed_at": at, "queue_entered_at": None}
        return self.apply(
            transitions.Step(EventAction.CLOSED, values, {"without_resolution": True}), at, extra
        )

    def set_value(self, at: datetime, name: str, value: Any, extra: dict[str, Any]) -> bool:
        """A descriptive field changed in the source (priority, impact, urgency)."""
        return self.apply(transitions.Step(EventAction.UPDATED, {name: value}), at, extra)


# --- clocks ----------------------------------------------------------------------------------


def clocks_for(
    ticket: Ticket, events: Sequence[TicketEvent], rules: Rules
) -> list[tuple[Clock, list[ClockSegment]]]:
    """The ticket's clocks from its history, as sla.clock._store would store them for a new ticket."""
    result = []
    for run in replay(ticket, events, rules):
        result.append(_clock_from_run(ticket, run))
    return result


def _clock_from_run(ticket: Ticket, run: Run) -> tuple[Clock, list[ClockSegment]]:
    segment = run.open_segment
    running = run.state == ClockState.RUNNING and segment is not None
    clock = fast_new(
        Clock,
        ticket=ticket,
        metric=run.metric,
        group_id=run.group_id,
        policy_id=run.target.policy_id,
        calendar_id=run.target.calendar_id,
        target_seconds=run.target.seconds,
        warning_fractions=list(run.target.warning_fractions),
        state=run.state,
        started_at=run.started_at,
        elapsed_seconds=run.elapsed,
        stopped_at=run.stopped_at,
        met=run.met,
        running_since=segment.started_at if running and segment is not None else None,
        due_at=(
            threshold_instant(segment, run.elapsed, run.target.seconds)
            if running and segment is not None
            else None
        ),
        breached_at=run.breached_at,
    )
    clock.next_check_at = next_check(clock, run.target.spec)
    segments = [
        fast_new(
            ClockSegment,
            clock=clock,
            running=s.running,
            started_at=s.started_at,
            ended_at=s.ended_at,
            business_seconds=s.business_seconds,
            reason=s.reason,
        )
        for s in run.segments
    ]
    return clock, segments


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Built:
    """One ticket built in memory, ready to write."""

    key: str
    ticket: Ticket
    imported: models.Model
    events: list[TicketEvent]
    line: int
    raw: str


@dataclass
class Counts:
    read: int = 0
    imported: int = 0
    already: int = 0
    rejected: int = 0


@dataclass
class ImportContext:
    source: str
    rejects: Rejects
    progress: bool = True
    counts: dict[str, Counts] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    started_cpu: float = field(default_factory=lambda: process_cpu_seconds())
    # The PostgreSQL backend serving this import and its CPU time at the start (when readable).
    database: tuple[int, float] | None = field(default_factory=lambda: database_cpu())
    rules: Rules | None = None
    batch_size: int = BUILD_BATCH  # tickets (or changes) built and written per transaction
    # Kinds that are not rows of a file (UCI incidents are groups of event rows): not in rows_read.
    derived: set[str] = field(default_factory=set)

    def count(self, kind: str) -> Counts:
        return self.counts.setdefault(kind, Counts())

    def bar(self, total: float | None, desc: str, unit: str = "rows", **kw: Any) -> tqdm[Any]:
        return tqdm(total=total, desc=desc, unit=unit, disable=not self.progress, dynamic_ncols=True, **kw)

    def summary(self) -> dict[str, Any]:
        seconds = time.perf_counter() - self.started
        read = sum(c.read for kind, c in self.counts.items() if kind not in self.derived)
        kinds = {}
        for kind, c in self.counts.items():
            kinds[kind] = {
                "read": c.read,
                "imported": c.imported,
                "already_imported": c.already,
                "rejected": self.rejects.total(kind),
                "rejected_by_reason": self.rejects.counts.get(kind, {}),
                "blank_lines": self.rejects.blank.get(kind, 0),
            }
        return {
            "source": self.source,
            "seconds": round(seconds, 1),
            "cpu_seconds": round(process_cpu_seconds() - self.started_cpu, 1),
            "database_cpu_seconds": self.database_cpu_seconds(),
            "rows_read": read,
            "rows_per_second": round(read / seconds) if seconds else None,
            "peak_memory_mib": round(peak_memory_mib(), 1),
            "kinds": kinds,
            "rejects_file": str(self.rejects.path) if self.rejects.path else None,
        }

    def database_cpu_seconds(self) -> float | None:
        if self.database is None:
            return None
        now = database_cpu(self.database[0])
        return round(now[1] - self.database[1], 1) if now is not None else None


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def database_cpu(pid: int | None = None) -> tuple[int, float] | None:
    """CPU seconds (user + system) of the PostgreSQL backend serving our connection, read from
    /proc when the server runs on this machine (for the benchmark: the database's share of the
    work); None elsewhere."""
    try:
        if pid is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = int(cursor.fetchone()[0])
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return pid, (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, ValueError, IndexError, DatabaseError):
        return None


def peak_memory_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def begin_run(source: str, path: str, *, restart: bool = False) -> ImportRun:
    """The unfinished run of this source to resume, or a new one (staging dropped)."""
    run = ImportRun.objects.filter(source=source, finished_at__isnull=True).order_by("-started_at").first()
    if run is not None and run.staged_at is not None and not restart:
        return run
    StagedRow.objects.filter(source=source).delete()
    if run is not None:
        run.started_at = timezone.now()
        run.path = path
        run.save(update_fields=["started_at", "path"])
        return run
    return ImportRun.objects.create(source=source, path=path, started_at=timezone.now())


def lock_source(source: str) -> bool:
    """A session advisory lock per source: two imports of one source never run at once."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [f"imports:{source}"])
        return bool(cursor.fetchone()[0])


def unlock_source(source: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [f"imports:{source}"])


class Stager:
    """Collects staged rows and writes them with COPY every `STAGE_CHUNK` rows."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: list[tuple[str, str, str, int, int, str]] = []
        self.total = 0

    def add(self, kind: str, key: str, seq: int, line: int, data: dict[str, Any]) -> None:
        self.rows.append((self.source, kind, key, seq, line, dumps(data)))
        if len(self.rows) >= STAGE_CHUNK:
            self.flush()

    def reject(self, kind: str, line: int | str, row: str, reason: str) -> None:
        """A row rejected while staging, kept with the staged rows (kind `REJECT`): a run resumed
        after staging writes it to its rejects file again, so the file lists every bad row
        whether or not the import was interrupted."""
        number = line if isinstance(line, int) else 0
        self.add(REJECT, kind, number, number, {"line": line, "row": row, "reason": reason})

    def flush(self) -> None:
        if not self.rows:
            return
        sql = "COPY imports_stagedrow (source, kind, key, seq, line, data) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in self.rows:
                copy.write_row(row)
        self.total += len(self.rows)
        self.rows = []


def staged_keys(source: str, kind: str) -> int:
    return StagedRow.objects.filter(source=source, kind=kind).values("key").distinct().count()


def staged_batches(source: str, kind: str, batch: int = BUILD_BATCH) -> Iterator[list[str]]:
    """The distinct keys of one kind, in order, `batch` at a time (keyset pagination)."""
    last = ""
    while True:
        keys = list(
            StagedRow.objects.filter(source=source, kind=kind, key__gt=last)
            .order_by("key")
            .values_list("key", flat=True)
            .distinct()[:batch]
        )
        if not keys:
            return
        yield keys
        last = keys[-1]


class Staged(NamedTuple):
    """A staged row as the build reads it (a tuple: no model instance per row)."""

    key: str
    line: int
    data: dict[str, Any]


def staged_rows(source: str, kind: str, keys: list[str]) -> dict[str, list[Staged]]:
    rows: dict[str, list[Staged]] = {}
    found = (
        StagedRow.objects.filter(source=source, kind=kind, key__in=keys)
        .order_by("key", "seq")
        .values_list("key", "line", "data")
    )
    for key, line, data in found:
        rows.setdefault(key, []).append(Staged(key, line, data))
    return rows


def write_tickets(
    ctx: ImportContext,
    kind: str,
    built: list[Built],
    rules: Rules,
) -> None:
    """Write a batch of built tickets (tickets, their import rows, history, clocks) in one
    transaction; if the database refuses the batch, retry ticket by ticket so that only the
    refused ticket is rejected, with the database's reason."""
    try:
        with transaction.atomic():
            _write(built, rules)
        ctx.count(kind).imported += len(built)
    except DatabaseError:
        for one in built:
            try:
                with transaction.atomic():
                    _write([one], rules)
                ctx.count(kind).imported += 1
            except DatabaseError as error:
                ctx.rejects.add(
                    kind, one.line, one.raw, f"refused by the database: {str(error).splitlines()[0]}"
                )


def _write(built: list[Built], rules: Rules) -> None:
    tickets = [b.ticket for b in built]
    save_new(tickets)
    for b in built:
        b.imported.ticket_id = b.ticket.pk  # type: ignore[attr-defined]
        for event in b.events:
            event.ticket_id = b.ticket.pk
            if event.action == EventAction.CREATED:
                event.new_value = b.ticket.number
    save_new([b.imported for b in built])
    events = [e for b in built for e in b.events]
    save_new(events)
    clocks: list[Clock] = []
    segments: list[ClockSegment] = []
    for b in built:
        for clock, clock_segments in clocks_for(b.ticket, b.events, rules):
            clocks.append(clock)
            segments.extend(clock_segments)
    save_new(clocks)
    for segment in segments:
        segment.clock_id = segment.clock.pk
    save_new(segments)


def already_imported(model: type[models.Model], source: str, keys: Iterable[str]) -> set[str]:
    return set(
        model._default_manager.filter(source=source, external_id__in=list(keys)).values_list(  # type: ignore[misc]
            "external_id", flat=True
        )
    )


def load_sla_rules() -> Rules:
    return load_rules()


ProgressFn = Callable[[int], None]


def stage_state(ctx: ImportContext) -> dict[str, Any]:
    """What staging found, kept on the run so that a resumed run reports the whole import."""
    return {
        "read": {k: c.read for k, c in ctx.counts.items()},
        "rejected": ctx.rejects.counts,
        "blank": ctx.rejects.blank,
    }


def restore_stage_state(ctx: ImportContext, state: dict[str, Any]) -> None:
    """A resumed run: the staging counts, and the staging rejects written to the rejects file."""
    for kind, read in state.get("read", {}).items():
        ctx.count(kind).read = read
    for kind, reasons in state.get("rejected", {}).items():
        ctx.rejects.counts[kind] = dict(reasons)
    ctx.rejects.blank.update(state.get("blank", {}))
    rows = StagedRow.objects.filter(source=ctx.source, kind=REJECT).order_by("key", "seq", "id")
    for row in rows.iterator(chunk_size=STAGE_CHUNK):
        ctx.rejects.write(row.key, row.data["line"], row.data["row"], row.data["reason"])


def staging(ctx: ImportContext) -> Stager:
    """A stager for this run whose rejects are kept with the staged rows (see Stager.reject)."""
    stager = Stager(ctx.source)
    ctx.rejects.keep = stager.reject
    return stager


def staged(ctx: ImportContext) -> None:
    """Staging is over: later rejects are not kept with the staged rows."""
    ctx.rejects.keep = None


def finish_run(run: ImportRun, ctx: ImportContext) -> dict[str, Any]:
    """Drop the staged rows and mark the run finished, in one transaction (a kill in between
    would otherwise leave an unfinished run with nothing staged to resume from)."""
    summary = ctx.summary()
    with transaction.atomic():
        StagedRow.objects.filter(source=run.source).delete()
        run.summary = summary
        run.finished_at = timezone.now()
        run.save(update_fields=["summary", "finished_at"])
    return summary


__all__ = ["Source"]
