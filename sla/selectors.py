# mypy: disallow-untyped-defs, disallow-incomplete-defs, disallow-any-generics, warn-return-any
# mypy: disallow-untyped-calls, no-implicit-reexport
"""Reads for showing SLA clocks: time left, badges, why a clock breached, and the alert list.

Scoped through incidents.selectors: clocks and alerts are read only for tickets the user may
see. End users see the customer-facing clocks (response, resolution) of their tickets, not the
groups' internal OLAs; only agents have alerts.

"Now" is always passed in, so a page shows every clock as of one instant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections, models
from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.models import EventAction, Ticket
from incidents.selectors import is_staff_viewer, tickets_visible_to, visible_tickets_q
from servicedesk.models import AssignmentGroup, Role, User

from . import calendar as cal
from .clock import current_rules
from .models import Clock, ClockAlert, ClockSegment, ClockState, Metric

# The order a ticket's clocks are shown in: what the caller was promised first, then the OLAs.
METRIC_ORDER: dict[str, int] = {Metric.RESPONSE: 0, Metric.RESOLUTION: 1, Metric.OLA: 2}
# The attribute `clocks_prefetch` fills on each ticket.
PREFETCH_ATTR = "sla_clocks"


class Badge(models.TextChoices):
    OK = "ok", gettext_lazy("On time")
    WARNING = "warning", gettext_lazy("Warning")
    OVERDUE = "overdue", gettext_lazy("Overdue")
    PAUSED = "paused", gettext_lazy("Paused")
    MET = "met", gettext_lazy("Met")
    BREACHED = "breached", gettext_lazy("Breached")


class CalendarSpecs:
    """Every business calendar, from the process's copy of the SLA configuration (taken on first
    use and kept for one request, so one page never mixes two versions)."""

    def __init__(self) -> None:
        self._specs: dict[int, cal.CalendarSpec] | None = None

    def __getitem__(self, calendar_id: int) -> cal.CalendarSpec:
        if self._specs is None or calendar_id not in self._specs:
            self._specs = current_rules().calendars
        return self._specs[calendar_id]


# --- durations as text ---------------------------------------------------------------------


def duration_text(seconds: float, *, days: bool = False) -> str:
    """'2 h 15 min', '35 min', '3 d 4 h' (days only for real time: a business day is not 24 h).

    Rounded down to whole minutes; the sign is ignored (the caller says left or overdue).
    """
    minutes = int(abs(seconds)) // 60
    if minutes == 0:
        return _("under 1 min")
    whole_days, minutes = divmod(minutes, 24 * 60) if days else (0, minutes)
    hours, minutes = divmod(minutes, 60)
    if whole_days:
        return _("%(days)d d %(hours)d h") % {"days": whole_days, "hours": hours}
    if hours and minutes:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": minutes}


# --- one clock as of now -------------------------------------------------------------------


@dataclass(frozen=True)
class ClockSummary:
    """A clock as of `now`: business time used, time left and the badge to show.

    `seconds_left` is real time until due for a running clock (negative once overdue), the
    business time still allowed for a paused one (negative if it was already over target), and
    None for a stopped clock, whose outcome is `met`.
    """

    clock: Clock
    now: datetime
    elapsed_seconds: float
    seconds_left: float | None
    badge: str

    @property
    def metric(self) -> str:
        return self.clock.metric

    @property
    def name(self) -> str:
        """'First response', 'Resolution', or the OLA's group name."""
        if self.clock.metric == Metric.OLA and self.clock.group is not None:
            return _("OLA: %(group)s") % {"group": self.clock.group.name}
        return str(self.clock.get_metric_display())

    @property
    def badge_label(self) -> str:
        return str(Badge(self.badge).label)

    @property
    def hover_text(self) -> str:
        """The badge's title: its kind and its whole text (a narrow column cuts the text short)."""
        label, text = self.badge_label, self.text
        return text if text.startswith(label) else f"{label}: {text}"

    @property
    def text(self) -> str:
        """What the badge says; readable without its colour."""
        left = self.seconds_left or 0.0
        match self.badge:
            case Badge.OK:
                return _("%(time)s left") % {"time": duration_text(left, days=True)}
            case Badge.WARNING:
                return _("Warning: %(time)s left") % {"time": duration_text(left, days=True)}
            case Badge.OVERDUE:
                return _("Overdue %(time)s") % {"time": duration_text(left, days=True)}
            case Badge.PAUSED if left >= 0:
                return _("Paused, %(time)s left") % {"time": duration_text(left)}
            case Badge.PAUSED:
                return _("Paused, overdue %(time)s") % {"time": duration_text(left)}
        return self.badge_label

    @property
    def target_text(self) -> str:
        return duration_text(self.clock.target_seconds)

    @property
    def elapsed_text(self) -> str:
        return duration_text(self.elapsed_seconds)


def clock_summary(clock: Clock, now: datetime, specs: CalendarSpecs | None = None) -> ClockSummary:
    """The clock as of `now`. Only a running clock needs its calendar (to count time used)."""
    if clock.state == ClockState.RUNNING and clock.running_since and clock.due_at:
        spec = (specs or CalendarSpecs())[clock.calendar_id]
        elapsed = clock.elapsed_seconds + cal.business_seconds_between(spec, clock.running_since, now)
        left = (clock.due_at - now).total_seconds()
        if left < 0:
            badge = Badge.OVERDUE
        elif clock.warning_fractions and elapsed >= min(clock.warning_fractions) * clock.target_seconds:
            badge = Badge.WARNING
        else:
            badge = Badge.OK
        return ClockSummary(clock, now, elapsed, left, badge)
    if clock.state == ClockState.PAUSED:
        left = clock.target_seconds - clock.elapsed_seconds
        return ClockSummary(clock, now, clock.elapsed_seconds, left, Badge.PAUSED)
    badge = Badge.BREACHED if clock.met is False else Badge.MET
    return ClockSummary(clock, now, clock.elapsed_seconds, None, badge)


def summaries(
    clocks: Iterable[Clock], now: datetime, specs: CalendarSpecs | None = None
) -> list[ClockSummary]:
    """The clocks as of `now`, response first, then resolution, then OLAs by start."""
    specs = specs or CalendarSpecs()
    ordered = sorted(clocks, key=lambda c: (METRIC_ORDER.get(c.metric, 9), c.started_at, c.pk))
    return [clock_summary(clock, now, specs) for clock in ordered]


# --- why: the segments ---------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentRow:
    """One stretch of a clock's life, with what it counted and the running total after it."""

    running: bool
    started_at: datetime
    ended_at: datetime | None
    business_seconds: float
    total_seconds: float
    reason: str
    # The target was exceeded during this stretch.
    breached_here: bool

    @property
    def reason_label(self) -> str:
        if self.reason in EventAction.values:
            return str(EventAction(self.reason).label)
        return self.reason

    @property
    def business_text(self) -> str:
        return duration_text(self.business_seconds) if self.business_seconds >= 60 else _("none")

    @property
    def total_text(self) -> str:
        return duration_text(self.total_seconds)


def clock_explanation(clock: Clock, elapsed_now: float | None = None) -> list[SegmentRow]:
    """The clock's segments (running / paused), each with the business time it counted.

    The open running segment has counted nothing yet in the database; given `elapsed_now` (the
    clock's business time as of now, from its summary) it shows what it has counted so far.
    Reads `clock.segments.all()`: prefetch them for several clocks.
    """
    rows = []
    total = 0.0
    breached_at = clock.breached_at
    for segment in clock.segments.all():
        counted = segment.business_seconds
        if segment.ended_at is None and segment.running and elapsed_now is not None:
            counted = max(elapsed_now - clock.elapsed_seconds, 0.0)
        total += counted
        breached_here = (
            segment.running
            and breached_at is not None
            and segment.started_at <= breached_at
            and (segment.ended_at is None or breached_at <= segment.ended_at)
        )
        rows.append(
            SegmentRow(
                running=segment.running,
                started_at=segment.started_at,
                ended_at=segment.ended_at,
                business_seconds=counted,
                total_seconds=total,
                reason=segment.reason,
                breached_here=breached_here,
            )
        )
    return rows


@dataclass(frozen=True)
class ClockReport:
    summary: ClockSummary
    segments: list[SegmentRow]


# --- reads -----------------------------------------------------------------------------------


def _clocks(user: User | None) -> QuerySet[Clock]:
    clocks = Clock.objects.select_related("group", "calendar")
    if user is None or not user.is_authenticated or not is_staff_viewer(user):
        clocks = clocks.exclude(metric=Metric.OLA)  # an OLA is the groups' internal target
    return clocks


def clocks_prefetch(user: User) -> Prefetch[str, QuerySet[Clock], str]:
    """Prefetch the clocks the user may see into `ticket.sla_clocks` (one query for a page)."""
    return Prefetch("clocks", queryset=_clocks(user), to_attr=PREFETCH_ATTR)


def clocks_for(user: User | None, ticket: Ticket) -> list[Clock]:
    """The clocks of one ticket (from ticket_get_for_user) that the user may see; without a
    user, only the customer-facing ones."""
    return list(_clocks(user).filter(ticket=ticket))


def clocks_by_ticket(
    user: User, ticket_ids: Sequence[int], metrics: Sequence[str] | None = None
) -> dict[int, list[Clock]]:
    """The clocks of the given tickets that the user may see, by ticket id, in one query."""
    clocks = _clocks(user).filter(ticket_id__in=ticket_ids, ticket__in=tickets_visible_to(user))
    if metrics is not None:
        clocks = clocks.filter(metric__in=metrics)
    by_ticket: dict[int, list[Clock]] = defaultdict(list)
    for clock in clocks:
        by_ticket[clock.ticket_id].append(clock)
    return dict(by_ticket)


def resolution_summaries(
    user: User, tickets: Sequence[Ticket], now: datetime, specs: CalendarSpecs | None = None
) -> dict[int, ClockSummary]:
    """Each ticket's resolution clock as of `now` (tickets without one are left out)."""
    specs = specs or CalendarSpecs()
    by_ticket = clocks_by_ticket(user, [t.pk for t in tickets], metrics=[Metric.RESOLUTION])
    result = {}
    for ticket_id, clocks in by_ticket.items():
        clock = next((c for c in clocks if c.group_id is None), None)
        if clock is not None:
            result[ticket_id] = clock_summary(clock, now, specs)
    return result


def clock_reports_for(user: User, ticket: Ticket, now: datetime) -> list[ClockReport]:
    """The ticket's clocks the user may see, each with its segments (two queries, plus the
    calendars if a clock runs). `ticket` comes from incidents.selectors.ticket_get_for_user."""
    clocks = (
        _clocks(user)
        .filter(ticket=ticket)
        .prefetch_related(Prefetch("segments", queryset=ClockSegment.objects.order_by("started_at", "id")))
    )
    return [
        ClockReport(summary, clock_explanation(summary.clock, summary.elapsed_seconds))
        for summary in summaries(clocks, now)
    ]


def with_resolution_due(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate `sla_due`: when the resolution clock runs out (null unless it is running).

    A LEFT JOIN to the ticket's one resolution clock (clock_unique_sla) if it runs (only a
    running clock has a due time), not a subquery per row: ordering a large list by time left
    then joins the few running clocks (clock_due_idx), not one look-up per ticket."""
    return tickets.annotate(
        resolution_clock=FilteredRelation(
            "clocks",
            condition=Q(
                clocks__metric=Metric.RESOLUTION, clocks__group__isnull=True, clocks__state=ClockState.RUNNING
            ),
        ),
        sla_due=F("resolution_clock__due_at"),
    )


def order_by_time_left(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Least time left first; tickets with no running resolution clock last, newest first."""
    return with_resolution_due(tickets).order_by(
        F("sla_due").asc(nulls_last=True), "priority", "-created_at", "-id"
    )


class TimeLeftOrder:
    """`tickets` in order_by_time_left's order, as a sequence a paginator slices: two queries a
    page, however many tickets there are.

    One ORDER BY over the tickets left-joined to their running clocks must join and sort every
    matching ticket (0.7 s for the open ones of a million). Instead the page's ids come from the
    union of the first rows of two ordered reads, each of which an index serves: the running
    clocks in due order (clock_due_idx) joined to their tickets, then the tickets without one
    (few, once "open" is filtered); then the rows, with what a list row shows, by id.
    """

    def __init__(self, tickets: QuerySet[Ticket]) -> None:
        self.tickets = tickets
        self.countable = tickets  # what a capped paginator counts (servicedesk/paging.py)

    def __len__(self) -> int:
        return self.tickets.count()

    def __getitem__(self, index: slice) -> list[Ticket]:
        start, stop = index.start or 0, index.stop
        if stop is None or stop <= start:
            return []
        if not connections[self.tickets.db].features.supports_slicing_ordering_in_compound:
            # SQLite (the demo's default) cannot limit the parts of a UNION: one ORDER BY there.
            return list(order_by_time_left(self.tickets)[start:stop])
        fields = ("id", "priority", "created_at", "sla_due")
        due = with_resolution_due(self.tickets.order_by())
        # (An inner join: the clock's row exists.)
        running = (
            due.filter(sla_due__isnull=False)  # type: ignore[misc]  # (the annotation)
            .values_list(*fields)
            .order_by("sla_due", "priority", "-created_at", "-id")[:stop]
        )
        clock = Clock.objects.filter(
            ticket=OuterRef("pk"), metric=Metric.RESOLUTION, group__isnull=True, state=ClockState.RUNNING
        )
        rest = (
            self.tickets.order_by()
            .exclude(Exists(clock))
            .annotate(sla_due=Value(None, output_field=models.DateTimeField()))
            .values_list(*fields)
            .order_by("priority", "-created_at", "-id")[:stop]
        )
        page = running.union(rest, all=True).order_by(
            F("sla_due").asc(nulls_last=True), "priority", "-created_at", "-id"
        )[start:stop]
        ids = [row[0] for row in page]
        rows = self.tickets.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


# --- alerts: the in-app notification list --------------------------------------------------


def sees_every_alert(user: User) -> bool:
    return user.is_superuser or user.role in (Role.MANAGER, Role.ADMIN)


def alerts_for(user: User) -> QuerySet[ClockAlert]:
    """Warnings and breaches on tickets the user may see and is responsible for, newest first.

    Responsible: the ticket is assigned to the user or to one of the user's groups, or the clock
    is the OLA of one of the user's groups. Service-desk managers and admins see every alert.
    """
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return ClockAlert.objects.none()
    alerts = ClockAlert.objects.filter(visible_tickets_q(user, "ticket__"))
    if not sees_every_alert(user):
        # A subquery, not a list of ids: the nav count stays one query per page.
        groups = AssignmentGroup.objects.filter(members=user).values("id")
        alerts = alerts.filter(
            Q(ticket__assignee=user) | Q(ticket__assignment_group__in=groups) | Q(clock__group__in=groups)
        )
    return alerts.select_related("clock", "clock__group", "ticket").order_by("-recorded_at", "-id")


# The navigation shows up to this many recent alerts, then "99+": counting stops there.
ALERT_COUNT_CAP = 99


def recent_alert_count(user: User, now: datetime, hours: int = 24) -> int:
    """How many of the user's alerts were recorded in the last `hours`, counted up to
    ALERT_COUNT_CAP + 1 (one query; it reads only those hours' alerts, by the recorded-at index,
    and stops at the cap, however many alerts and tickets there are)."""
    if not user.is_authenticated or not user.is_agent:
        return 0
    recent = alerts_for(user).filter(recorded_at__gt=now - timedelta(hours=hours)).order_by()
    return recent[: ALERT_COUNT_CAP + 1].count()
