"""SLA clocks, derived from a ticket's history.

The live path and the rebuild are the same code: after every change to a ticket, the service
layer calls `sync_ticket_clocks`, which replays the ticket's history events against the current
SLA configuration and stores the result. So "rebuild from history" gives the live result by
construction, and a fixed calendar or policy is applied by replaying again (`rebuild` command,
admin action).

Rules (DESIGN.md, "SLA clocks"):
- Every clock starts when the ticket is created.
- The response clock stops for good at the first agent response: a claim, a public comment by
  an agent, or resolving the ticket, whichever comes first. An assignment to a group or a person
  by someone else is not a response to the caller.
- The resolution clock stops on resolve and resumes on reopen; closing keeps it stopped.
- An OLA clock per assignment group runs while that group holds the open ticket.
- While the ticket is pending for a reason the policy pauses on, every clock pauses.
- A priority, service, group or kind change re-selects policy and target; the elapsed time is
  kept and only what remains is measured against the new target (and calendar).
- Segments (running / paused, with the business seconds each counted) are kept, so a clock can
  show why it breached.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any, Protocol

from django.db import transaction

from incidents.models import EventAction, PendingReason, State, Ticket, TicketEvent
from servicedesk.config_cache import ConfigCache
from servicedesk.models import Service

from . import calendar as cal
from .models import (
    Calendar,
    CalendarException,
    Clock,
    ClockSegment,
    ClockState,
    Metric,
    OlaTarget,
    SlaPolicy,
    SlaTarget,
    WorkingInterval,
)

SLA_METRICS = (Metric.RESPONSE, Metric.RESOLUTION)
DONE_STATES = frozenset({State.RESOLVED, State.CLOSED})


# --- the configuration ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    seconds: int
    calendar_id: int
    spec: cal.CalendarSpec
    policy_id: int | None
    warning_fractions: tuple[float, ...]


@dataclass(frozen=True)
class Policy:
    id: int
    kind: str
    service_tier: int | None
    group_id: int | None
    pause_reasons: frozenset[str]
    warning_fractions: tuple[float, ...]
    targets: dict[tuple[int, str], Target]

    def matches(self, kind: str, tier: int | None, group_id: int | None) -> bool:
        return (
            (not self.kind or self.kind == kind)
            and (self.service_tier is None or self.service_tier == tier)
            and (self.group_id is None or self.group_id == group_id)
        )


@dataclass(frozen=True)
class Rules:
    """The SLA configuration: a handful of queries, kept per process by `current_rules()`."""

    policies: tuple[Policy, ...]
    olas: dict[tuple[int, int | None], Target]
    tiers: dict[int, int]
    calendars: dict[int, cal.CalendarSpec]

    def policy_for(self, kind: str, tier: int | None, group_id: int | None) -> Policy | None:
        return next((p for p in self.policies if p.matches(kind, tier, group_id)), None)

    def ola_for(self, group_id: int, priority: int) -> Target | None:
        return self.olas.get((group_id, priority)) or self.olas.get((group_id, None))


def load_rules() -> Rules:
    calendars = {c.pk: c.to_spec() for c in Calendar.objects.prefetch_related("intervals", "exceptions")}
    policies = []
    for policy in SlaPolicy.objects.filter(active=True).prefetch_related("targets").order_by("precedence"):
        fractions = tuple(sorted(float(f) for f in policy.warning_fractions or ()))
        pause = set()
        if policy.pause_when_awaiting_customer:
            pause.add(PendingReason.CUSTOMER.value)
        if policy.pause_when_awaiting_third_party:
            pause.add(PendingReason.THIRD_PARTY.value)
        targets = {
            (t.priority, t.metric): Target(
                t.target_seconds, t.calendar_id, calendars[t.calendar_id], policy.pk, fractions
            )
            for t in policy.targets.all()
        }
        policies.append(
            Policy(
                policy.pk,
                policy.kind,
                policy.service_tier,
                policy.assignment_group_id,
                frozenset(pause),
                fractions,
                targets,
            )
        )
    default_fractions = policies[0].warning_fractions if policies else ()
    olas = {
        (o.group_id, o.priority): Target(
            o.target_seconds, o.calendar_id, calendars[o.calendar_id], None, default_fractions
        )
        for o in OlaTarget.objects.all()
    }
    tiers = dict(Service.objects.values_list("id", "tier"))
    return Rules(tuple(policies), olas, tiers, calendars)


# Read on every write and every page with a clock; reloaded when an admin edits any of these.
RULES = ConfigCache("sla-rules", load_rules)
RULES.watch(Calendar, WorkingInterval, CalendarException, SlaPolicy, SlaTarget, OlaTarget, Service)


def current_rules() -> Rules:
    """The SLA configuration as of now, from this process's copy (see servicedesk.config_cache)."""
    return RULES.get()


# --- replay ----------------------------------------------------------------------------------


@dataclass
class Segment:
    running: bool
    started_at: datetime
    calendar_id: int
    spec: cal.CalendarSpec
    target_seconds: int
    ended_at: datetime | None = None
    business_seconds: float = 0.0
    reason: str = ""


@dataclass
class Run:
    """One clock being replayed."""

    metric: str
    group_id: int | None
    started_at: datetime
    target: Target
    state: str = ClockState.STOPPED
    elapsed: float = 0.0
    segments: list[Segment] = field(default_factory=list)
    breached_at: datetime | None = None
    stopped_at: datetime | None = None
    met: bool | None = None

    @property
    def open_segment(self) -> Segment | None:
        if self.segments and self.segments[-1].ended_at is None:
            return self.segments[-1]
        return None

    def _close(self, at: datetime) -> None:
        segment = self.open_segment
        if segment is None:
            return
        segment.ended_at = at
        if segment.running:
            before = self.elapsed
            segment.business_seconds = cal.business_seconds_between(segment.spec, segment.started_at, at)
            self.elapsed += segment.business_seconds
            limit = segment.target_seconds
            if self.breached_at is None and self.elapsed > limit:
                self.breached_at = threshold_instant(segment, before, limit)

    def move(self, at: datetime, state: str, target: Target, reason: str = "") -> None:
        """Bring the clock to `state` under `target` at instant `at`."""
        same_rule = target == self.target
        if state == self.state and (same_rule or state != ClockState.RUNNING):
            self.target = target
            return
        self._close(at)
        self.target = target
        self.state = state
        if state == ClockState.STOPPED:
            self.stopped_at = at
            self.met = self.elapsed <= target.seconds
            return
        self.stopped_at = None
        self.met = None
        self.segments.append(
            Segment(
                state == ClockState.RUNNING,
                at,
                target.calendar_id,
                target.spec,
                target.seconds,
                reason=reason,
            )
        )


def threshold_instant(segment: Segment, elapsed_before: float, threshold: float) -> datetime:
    """When a running segment that began with `elapsed_before` reaches `threshold` seconds."""
    if elapsed_before >= threshold:
        return segment.started_at
    return cal.add_business_seconds(segment.spec, segment.started_at, threshold - elapsed_before)


@dataclass
class Facts:
    """What the clocks depend on, as of some instant of the ticket's history."""

    kind: str
    priority: int
    group_id: int | None
    service_id: int | None
    state: str = State.NEW
    pending_reason: str = ""
    responded: bool = False


def _apply_event(facts: Facts, event: TicketEvent) -> None:
    details: dict[str, Any] = event.details or {}
    if event.action == EventAction.CREATED:
        return
    if event.action in (EventAction.CLAIMED, EventAction.RESOLVED):
        facts.responded = True
    if event.action == EventAction.COMMENTED and not event.internal and event.actor and event.actor.is_agent:
        facts.responded = True
    match event.field:
        case "state":
            facts.state = event.new_value
        case "pending_reason":
            facts.pending_reason = event.new_value
        case "priority":
            facts.priority = int(event.new_value)
        case "kind":
            facts.kind = event.new_value
        case "assignment_group":
            facts.group_id = details.get("new_id")
        case "service":
            facts.service_id = details.get("new_id")


def _initial_facts(ticket: Ticket, created: TicketEvent | None) -> Facts:
    details: dict[str, Any] = created.details if created else {}
    return Facts(
        kind=details.get("kind", ticket.kind),
        priority=int(details.get("priority", ticket.priority)),
        group_id=details.get("assignment_group_id", ticket.assignment_group_id),
        service_id=details.get("service_id", ticket.service_id),
    )


def replay(ticket: Ticket, events: Sequence[TicketEvent], rules: Rules) -> list[Run]:
    """The ticket's clocks as its history defines them (pure: no database access)."""
    created = next((e for e in events if e.action == EventAction.CREATED), None)
    facts = _initial_facts(ticket, created)
    runs: dict[tuple[str, int | None], Run] = {}
    _evaluate(runs, facts, rules, ticket.created_at, "created")
    changes = [e for e in events if e.action != EventAction.CREATED]
    for instant, batch in groupby(changes, key=lambda e: e.created_at):
        batch_events = list(batch)
        for event in batch_events:
            _apply_event(facts, event)
        _evaluate(runs, facts, rules, instant, batch_events[0].action)
    return list(runs.values())


def _evaluate(
    runs: dict[tuple[str, int | None], Run], facts: Facts, rules: Rules, at: datetime, reason: str
) -> None:
    tier = rules.tiers.get(facts.service_id) if facts.service_id else None
    policy = rules.policy_for(facts.kind, tier, facts.group_id)
    paused = (
        facts.state == State.PENDING and policy is not None and facts.pending_reason in policy.pause_reasons
    )
    done = facts.state in DONE_STATES
    for metric in SLA_METRICS:
        target = policy.targets.get((facts.priority, metric)) if policy else None
        run = runs.get((metric, None))
        if target is None:
            if run is not None:
                run.move(at, ClockState.STOPPED, run.target, reason)
            continue
        if run is None:
            run = runs[(metric, None)] = Run(metric, None, at, target)
        # A ticket closed without a resolution (imported histories) has no running response clock.
        stop = (facts.responded or done) if metric == Metric.RESPONSE else done
        run.move(at, _state(stop, paused), target, reason)
    for (kind, group_id), held in runs.items():
        if kind == Metric.OLA and group_id != facts.group_id:
            held.move(at, ClockState.STOPPED, held.target, reason)
    if facts.group_id is not None:
        ola = rules.ola_for(facts.group_id, facts.priority)
        run = runs.get((Metric.OLA, facts.group_id))
        if ola is not None:
            if run is None:
                run = runs[(Metric.OLA, facts.group_id)] = Run(Metric.OLA, facts.group_id, at, ola)
            run.move(at, _state(done, paused), ola, reason)
        elif run is not None:
            run.move(at, ClockState.STOPPED, run.target, reason)


def _state(stopped: bool, paused: bool) -> str:
    if stopped:
        return ClockState.STOPPED
    return ClockState.PAUSED if paused else ClockState.RUNNING


# --- storing ---------------------------------------------------------------------------------


class RunningClock(Protocol):
    """What the threshold arithmetic reads of a clock (a model row, or the sweep's light row)."""

    state: str
    calendar_id: int
    target_seconds: int
    warning_fractions: Any
    elapsed_seconds: float
    running_since: datetime | None
    warned_level: int
    breach_recorded: bool


def thresholds(clock: RunningClock) -> list[tuple[str, int, float]]:
    """(kind, level, share of target) of the warnings and the breach, in order."""
    levels = [("warning", i + 1, float(f)) for i, f in enumerate(clock.warning_fractions or ())]
    return [*levels, ("breach", 0, 1.0)]


def next_check(clock: RunningClock, spec: cal.CalendarSpec) -> datetime | None:
    """The earliest warning or breach instant of a running clock not yet recorded."""
    if clock.state != ClockState.RUNNING or clock.running_since is None:
        return None
    segment = Segment(True, clock.running_since, clock.calendar_id, spec, clock.target_seconds)
    for kind, level, share in thresholds(clock):
        if kind == "warning" and level <= clock.warned_level:
            continue
        if kind == "breach" and clock.breach_recorded:
            continue
        return threshold_instant(segment, clock.elapsed_seconds, share * clock.target_seconds)
    return None


def _fill(clock: Clock, run: Run) -> None:
    """Set a clock's columns from its replayed run (a stored clock, or a new one)."""
    segment = run.open_segment
    clock.policy_id = run.target.policy_id
    clock.calendar_id = run.target.calendar_id
    clock.target_seconds = run.target.seconds
    clock.warning_fractions = list(run.target.warning_fractions)
    clock.state = run.state
    clock.started_at = run.started_at
    clock.elapsed_seconds = run.elapsed
    clock.stopped_at = run.stopped_at
    clock.met = run.met
    if run.state == ClockState.RUNNING and segment is not None:
        clock.running_since = segment.started_at
        clock.due_at = threshold_instant(segment, run.elapsed, run.target.seconds)
        clock.breached_at = run.breached_at or (clock.breached_at if clock.breach_recorded else None)
    else:
        clock.running_since = None
        clock.due_at = None
        clock.breached_at = run.breached_at
    clock.next_check_at = next_check(clock, run.target.spec)


def _segment_rows(clock: Clock, run: Run) -> list[ClockSegment]:
    return [
        ClockSegment(
            clock=clock,
            running=s.running,
            started_at=s.started_at,
            ended_at=s.ended_at,
            business_seconds=s.business_seconds,
            reason=s.reason,
        )
        for s in run.segments
    ]


# The columns _fill() sets: a stored clock whose columns and segments the replay gives unchanged
# is not written again (a comment or a claim leaves most of a ticket's clocks as they were).
_FILLED = (
    "policy_id",
    "calendar_id",
    "target_seconds",
    "warning_fractions",
    "state",
    "started_at",
    "elapsed_seconds",
    "stopped_at",
    "met",
    "running_since",
    "due_at",
    "breached_at",
    "next_check_at",
)


def _filled(clock: Clock) -> tuple[Any, ...]:
    return tuple(getattr(clock, name) for name in _FILLED)


def _segment_key(segment: ClockSegment) -> tuple[Any, ...]:
    return (segment.running, segment.started_at, segment.ended_at, segment.business_seconds, segment.reason)


def _store(ticket: Ticket, runs: Iterable[Run], *, new_ticket: bool = False) -> list[Clock]:
    """Store the replayed runs, writing only what differs from the stored clocks: the result is
    row for row what replacing every clock and segment would give (tests/sla/test_rebuild.py).
    New clocks and new segments go in one INSERT each; a `new_ticket` has nothing stored to read."""
    existing = {} if new_ticket else {c.key(): c for c in Clock.objects.filter(ticket=ticket)}
    stored_segments: dict[int, list[ClockSegment]] = defaultdict(list)
    if existing:  # a new ticket has no segments to read
        for segment in ClockSegment.objects.filter(clock__ticket=ticket).order_by("clock_id", "id"):
            stored_segments[segment.clock_id].append(segment)
    stored: list[tuple[Clock, Run]] = []
    for run in runs:
        clock = existing.pop((run.metric, run.group_id), None) or Clock(
            ticket=ticket, metric=run.metric, group_id=run.group_id
        )
        before = None if clock.pk is None else _filled(clock)
        _fill(clock, run)
        if before is not None and before != _filled(clock):
            clock.save()
        stored.append((clock, run))
    Clock.objects.bulk_create([clock for clock, _run in stored if clock.pk is None])
    stale: list[int] = []
    added: list[ClockSegment] = []
    for clock, run in stored:
        rows = _segment_rows(clock, run)
        old = stored_segments.get(clock.pk, [])
        same = 0  # segments are only ever appended to or closed: keep the common beginning
        while same < min(len(old), len(rows)) and _segment_key(old[same]) == _segment_key(rows[same]):
            same += 1
        stale += [segment.pk for segment in old[same:]]
        added += rows[same:]
    if stale:
        ClockSegment.objects.filter(pk__in=stale).delete()
    if added:
        ClockSegment.objects.bulk_create(added)
    # Clocks the configuration no longer gives this ticket.
    if existing:
        Clock.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    return [clock for clock, _run in stored]


def sync_ticket_clocks(
    ticket: Ticket, rules: Rules | None = None, *, created: TicketEvent | None = None
) -> list[Clock]:
    """Recompute and store the ticket's clocks from its history (live path and rebuild).

    `created`: the event of a ticket created just now, in this transaction. It is then the whole
    history and no clock is stored yet, so neither is read back."""
    rules = rules or current_rules()
    if created is not None:
        events = [created]
    else:
        # The actors in a query of their own: joined, PostgreSQL merge-joins the newest people's
        # ids over the whole user index (20 ms at 50,000 people instead of 0.1 ms).
        read = TicketEvent.objects.filter(ticket_id=ticket.pk).prefetch_related("actor")
        events = list(read.order_by("created_at", "id"))
    # One transaction; inside the caller's, no savepoint of its own (two round trips a write):
    # a failure here fails the caller's whole transition, which is what every caller wants.
    with transaction.atomic(savepoint=False):
        return _store(ticket, replay(ticket, events, rules), new_ticket=created is not None)


def rebuild_clocks(tickets: Iterable[Ticket], *, progress: Callable[[int], None] | None = None) -> int:
    """Recompute the clocks of many tickets from their history (after a calendar or policy fix).

    Loads the configuration once. Each ticket is replayed under its own row lock, so a rebuild
    running beside live work never interleaves with a transition on the same ticket.
    """
    rules = load_rules()
    done = 0
    for ticket in tickets:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
            if locked is not None:
                sync_ticket_clocks(locked, rules)
        done += 1
        if progress is not None and done % 500 == 0:
            progress(done)
    return done


# Ids per IN (...) list: under SQLite's limit on query parameters.
_CHUNK = 900


def create_clocks_in_bulk(tickets: Sequence[Ticket]) -> int:
    """The clocks of tickets just written in bulk (demo data), replayed from their history as
    sync_ticket_clocks() would, but stored with a handful of queries: all events in one read per
    chunk, clocks and segments in bulk inserts. Any clocks the tickets had are replaced, and no
    row is locked: only for tickets nobody else is working on yet. Returns the clocks written."""
    rules = load_rules()
    ids = [ticket.pk for ticket in tickets]
    events: dict[int, list[TicketEvent]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        Clock.objects.filter(ticket_id__in=chunk).delete()
        rows = TicketEvent.objects.filter(ticket_id__in=chunk).select_related("actor")
        for event in rows.order_by("ticket_id", "created_at", "id"):
            events[event.ticket_id].append(event)
    runs: list[tuple[Clock, Run]] = []
    for ticket in tickets:
        for run in replay(ticket, events[ticket.pk], rules):
            clock = Clock(ticket=ticket, metric=run.metric, group_id=run.group_id)
            _fill(clock, run)
            runs.append((clock, run))
    with transaction.atomic():
        Clock.objects.bulk_create([clock for clock, _run in runs], batch_size=1000)
        ClockSegment.objects.bulk_create(
            [row for clock, run in runs for row in _segment_rows(clock, run)], batch_size=2000
        )
    return len(runs)
