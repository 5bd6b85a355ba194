"""Demo history for the monthly report (called by the demo data command after the tickets and the
simulated customer-centre days; never part of production settings).

It writes, with bulk inserts, what the ticket generator does not: the customer centre's contacts,
implemented changes, releases and tier-1 outages of the past months, shaped like the department's
2019 figures at demo scale (DESIGN.md: average wait ≈ 58 s, ≈ 0.8 % failed changes, 55 of 59
releases on plan, tier-1 availability ≈ 99.96 %); then it computes every month's snapshot, so a
manager sees a full dashboard with trends and year over year on first start. Idempotent: it
does nothing if any snapshot exists.

Like incidents/demo.py, it replays history with past timestamps, which no service function can
do (they stamp `timezone.now()`); the rows look like the ones the services write.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from changes.models import Change, ChangeEvent, ChangeType, EventAction, Outcome, Release, Risk
from changes.models import State as ChangeState
from contacts.models import Contact, ContactQueue, ContactState
from incidents.models import Channel, Ticket
from servicedesk.models import AssignmentGroup, GroupLevel, Role, Service, User
from sla.models import Outage, OutageCause

from . import services
from .models import MonthlyReportSubscription, MonthlySnapshot, Trigger
from .months import OSLO, Month, current_month

QUEUE_CODE = "main"  # the simulator's default queue
MEAN_WAIT = 58.0  # seconds (2019)
ABANDON_SHARE = 0.06
CHANGES_PER_MONTH = 8  # 3,665 a year at 1:40 scale
FAILED_SHARE = 0.008
RELEASES_PER_MONTH = 4  # 59 a year at demo scale
LATE_RELEASE_SHARE = 4 / 59
# Tier-1 unplanned downtime a month, all tier-1 services together, for ≈ 99.96 % on average.
TIER1_AVAILABILITY = 0.9996


def _local(day: date, hours: float) -> datetime:
    # Local wall-clock time → UTC (demo data only; a time in the DST gap just shifts an hour).
    return (datetime.combine(day, time(0), tzinfo=OSLO) + timedelta(hours=hours)).astimezone(UTC)


def _working_days(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]


def contacts(rng: random.Random, first: date, last: date, queue: ContactQueue) -> int:
    """About one contact per phone ticket of the day (plus calls that made none), waits with a
    mean of 58 s, 6 % abandoned; days from `first` to `last` (the simulator fills later days)."""
    phone_by_day = dict(
        Ticket.objects.filter(channel__in=[Channel.PHONE, Channel.WALK_IN])
        .annotate(day=TruncDate("created_at", tzinfo=OSLO))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    agents = list(User.objects.filter(role=Role.FIRST_LINE, is_active=True).order_by("id"))
    rows = []
    for day in _working_days(first, last):
        for n in range(round(phone_by_day.get(day, 0) * 1.15)):
            offered = _local(day, rng.triangular(7.5, 15.5, 9.5))
            if rng.random() < ABANDON_SHARE:
                wait = min(600.0, rng.expovariate(1 / 75))
                rows.append(
                    Contact(
                        external_id=f"hist-{day.isoformat()}-{n}",
                        queue=queue,
                        state=ContactState.ABANDONED,
                        offered_at=offered,
                        abandoned_at=offered + timedelta(seconds=wait),
                        wait_seconds=wait,
                    )
                )
            else:
                wait = min(900.0, rng.expovariate(1 / MEAN_WAIT))
                rows.append(
                    Contact(
                        external_id=f"hist-{day.isoformat()}-{n}",
                        queue=queue,
                        state=ContactState.ANSWERED,
                        offered_at=offered,
                        answered_at=offered + timedelta(seconds=wait),
                        wait_seconds=wait,
                        agent=rng.choice(agents) if agents else None,
                    )
                )
    Contact.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def changes(rng: random.Random, months: list[Month], now: datetime) -> int:
    """Implemented changes (normal and emergency), evenings, each with its history's key rows."""
    requester = User.objects.filter(username="cab1").first() or User.objects.filter(role=Role.MANAGER).first()
    if requester is None:
        return 0
    groups = list(AssignmentGroup.objects.filter(level=GroupLevel.SECOND_LINE).order_by("id"))
    tier1 = list(Service.objects.filter(tier=1, active=True).order_by("id"))
    planned: list[tuple[Change, Service]] = []
    rows = []
    for month in months:
        start, end = month.bounds()
        for n in range(CHANGES_PER_MONTH):
            day = (start + timedelta(days=rng.uniform(0, (end - start).days - 1))).astimezone(OSLO).date()
            begin = _local(day, 18)
            if begin + timedelta(hours=3) >= now:
                continue
            emergency = rng.random() < 0.05
            change = Change(
                change_type=ChangeType.EMERGENCY if emergency else ChangeType.NORMAL,
                title=f"{'Hasteretting' if emergency else 'Planlagt oppdatering'} {month}-{n + 1:02d}",
                description="Demohistorikk.",
                requester=requester,
                owner=requester,
                implementer_group=rng.choice(groups) if groups else None,
                risk=Risk.LOW,
                implementation_plan="Leverandørens driftsprosedyre.",
                backout_plan="Gjenopprett øyeblikksbildet.",
                planned_start=begin,
                planned_end=begin + timedelta(hours=2),
                actual_start=begin,
                actual_end=begin + timedelta(hours=rng.uniform(0.5, 2.5)),
                state=ChangeState.CLOSED,
                outcome=rng.choices([Outcome.SUCCESSFUL, Outcome.SUCCESSFUL_WITH_ISSUES], [9, 1])[0],
                created_at=begin - timedelta(days=rng.uniform(2, 20)),
                updated_at=begin + timedelta(days=1),
            )
            rows.append(change)
    # ≈ 0.8 % failed or backed out: at least one, spread over the period.
    for change in rng.sample(rows, max(1, round(len(rows) * FAILED_SHARE))) if rows else []:
        change.outcome = rng.choice([Outcome.FAILED, Outcome.BACKED_OUT])
    Change.objects.bulk_create(rows, batch_size=500)
    events = []
    for change in rows:
        events.append(
            ChangeEvent(
                change=change, actor=requester, action=EventAction.CREATED, created_at=change.created_at
            )
        )
        events.append(
            ChangeEvent(
                change=change,
                actor=requester,
                action=EventAction.CLOSED,
                field="state",
                old_value=ChangeState.REVIEW,
                new_value=ChangeState.CLOSED,
                details={"outcome": change.outcome},
                created_at=change.updated_at,
            )
        )
        if tier1 and rng.random() < 0.3:
            planned.append((change, rng.choice(tier1)))
    ChangeEvent.objects.bulk_create(events, batch_size=1000)
    # Some changes took a tier-1 service down as planned: planned outages (not in availability).
    Outage.objects.bulk_create(
        Outage(
            service=service,
            started_at=change.actual_start or change.created_at,
            ended_at=change.actual_end,
            planned=True,
            cause=OutageCause.CHANGE,
            change=change,
            note="Planlagt nedetid.",
            created_at=change.created_at,
            updated_at=change.updated_at,
        )
        for change, service in planned
    )
    return len(rows)


def releases(rng: random.Random, months: list[Month], today: date) -> int:
    rows = []
    for month in months:
        for n in range(RELEASES_PER_MONTH):
            planned = month.first_day + timedelta(days=rng.randrange(1, 27))
            late = rng.random() < LATE_RELEASE_SHARE
            deployed = (
                planned + timedelta(days=rng.randrange(1, 10))
                if late
                else planned - timedelta(days=rng.randrange(0, 2))
            )
            if deployed >= today:
                continue
            rows.append(
                Release(name=f"Release {month}.{n + 1}", planned_date=planned, deployed_date=deployed)
            )
    Release.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def outages(rng: random.Random, months: list[Month], now: datetime) -> int:
    """Unplanned tier-1 outages: the major incidents' own, plus monitoring alarms, sized so the
    tier-1 services are ≈ 99.96 % available on average (some months better, some worse)."""
    tier1 = list(Service.objects.filter(tier=1, active=True).order_by("id"))
    if not tier1:
        return 0
    rows = []
    majors = Ticket.objects.filter(major_incident=True, service__tier=1, parent__isnull=True).exclude(
        outages__isnull=False
    )
    for ticket in majors:
        if ticket.service is None:
            continue
        begin = ticket.major_declared_at or ticket.created_at
        end = min(now, begin + timedelta(minutes=rng.uniform(20, 90)))
        rows.append(
            Outage(
                service=ticket.service,
                started_at=begin,
                ended_at=end,
                cause=OutageCause.MAJOR_INCIDENT,
                ticket=ticket,
                note=ticket.title,
                created_at=begin,
                updated_at=end,
            )
        )
    for month in months:
        start, end = month.bounds()
        budget = (1 - TIER1_AVAILABILITY) * len(tier1) * (end - start).total_seconds() * rng.uniform(0.3, 1.2)
        while budget > 0:
            length = min(budget, rng.uniform(5, 60) * 60)
            begin = start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds() - length))
            if begin + timedelta(seconds=length) < now:
                rows.append(
                    Outage(
                        service=rng.choice(tier1),
                        started_at=begin,
                        ended_at=begin + timedelta(seconds=length),
                        cause=OutageCause.MONITORING,
                        note="Overvåking: tjenesten svarer ikke.",
                        created_at=begin,
                        updated_at=begin + timedelta(seconds=length),
                    )
                )
            budget -= length
    Outage.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def seed(
    *, now: datetime | None = None, seed: int = 2019, log: Callable[[str], None] = lambda line: None
) -> int:
    """Write the report history and every month's snapshot; returns how many snapshots."""
    if MonthlySnapshot.objects.exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)
    first_ticket = Ticket.objects.aggregate(first=Min("created_at"))["first"]
    if first_ticket is None:
        return 0
    first, last = Month.of(first_ticket), current_month(now)
    months = [first.shift(n) for n in range((last.year - first.year) * 12 + last.month - first.month + 1)]
    today = now.astimezone(OSLO).date()
    with transaction.atomic():
        queue = ContactQueue.objects.filter(code=QUEUE_CODE).first()
        simulated = Contact.objects.filter(external_id__startswith="sim-").aggregate(first=Min("offered_at"))[
            "first"
        ]
        if queue is not None:
            # Up to the day before the first simulated day (the simulator wrote those through the API).
            until = (simulated.astimezone(OSLO).date() if simulated else today) - timedelta(days=1)
            log(f"Report history: {contacts(rng, first.first_day, until, queue)} contacts.")
        log(
            f"Report history: {changes(rng, months, now)} changes, {releases(rng, months, today)} releases, "
            f"{outages(rng, months, now)} outages."
        )
        manager = User.objects.filter(username="manager1").first()
        if manager is not None:
            MonthlyReportSubscription.objects.get_or_create(user=manager, defaults={"created_at": now})
        for month in months:
            services.snapshot_create(month=month, trigger=Trigger.DEMO, now=now, notify=False)
    log(f"Monthly report: {len(months)} snapshots ({months[0]} to {months[-1]}).")
    return len(months)
