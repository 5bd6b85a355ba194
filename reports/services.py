# mypy: disallow-untyped-defs, disallow-incomplete-defs
"""Writes of the reports app: snapshots (computed, stored once, never changed) and e-mail opt-in."""

from __future__ import annotations

import time
import uuid
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from servicedesk.models import User
from servicedesk.outbox import enqueue

from . import kpis
from .models import MonthlyReportSubscription, MonthlySnapshot, Trigger
from .months import Month, current_month

EMAIL_KIND = "reports.monthly"


def snapshot_create(
    *,
    month: Month,
    trigger: str,
    requested_by: User | None = None,
    now: datetime | None = None,
    run_key: str | None = None,
    notify: bool = True,
) -> MonthlySnapshot | None:
    """Compute every KPI of the month and store it as a new immutable snapshot.

    1. A month that has ended is computed whole; the current month up to `now` (month to date).
    2. The figures, the targets in force and the definitions version are stored together, so the
       snapshot keeps judging the month as it was judged then.
    3. A whole month's snapshot (not a demo's) is e-mailed to the opted-in managers through the
       outbox, in the same transaction: no snapshot without its e-mail, nor the reverse.
    Returns None when `run_key` is taken (the scheduled run happened already): nothing written.
    """
    now = now or timezone.now()
    _start, end = month.bounds()
    complete = end <= now
    if run_key and MonthlySnapshot.objects.filter(run_key=run_key).exists():
        return None  # the common repeat, answered without computing; the constraint decides races
    began = time.perf_counter()
    # One REPEATABLE READ view of the data: every figure of the snapshot counts the same rows,
    # even while tickets change underneath (only possible when we open the transaction).
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if own_transaction:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # The grouped aggregates over a month of a national desk (~100k tickets) have
                # cost estimates that switch on PostgreSQL's JIT, whose compilation takes seconds
                # while the queries run in ~100 ms (reports_bench, docs/benchmarks.md): off, for
                # this transaction only.
                cursor.execute("SET LOCAL jit = off")
        targets = kpis.targets_in_force()
        figures = kpis.month_figures(month, until=None if complete else now, targets=targets)
    seconds = time.perf_counter() - began
    start_text, end_text = figures["period"]["start"], figures["period"]["end"]
    try:
        with transaction.atomic():
            snapshot = MonthlySnapshot.objects.create(
                month=month.first_day,
                period_start=datetime.fromisoformat(start_text),
                period_end=datetime.fromisoformat(end_text),
                complete=complete,
                figures=figures,
                targets=targets,
                definitions_version=kpis.DEFINITIONS_VERSION,
                computed_at=now,
                computation_seconds=seconds,
                trigger=trigger,
                requested_by=requested_by,
                run_key=run_key,
            )
            if notify and complete and trigger != Trigger.DEMO:
                enqueue(EMAIL_KIND, snapshot=snapshot.pk)
    except IntegrityError:
        if run_key and MonthlySnapshot.objects.filter(run_key=run_key).exists():
            return None  # another worker stored the same run first
        raise
    return snapshot


def snapshot_previous_month(*, now: datetime | None = None) -> MonthlySnapshot | None:
    """The scheduled run on the 1st: the Oslo month that just ended, once (keyed by month)."""
    now = now or timezone.now()
    month = current_month(now).shift(-1)
    return snapshot_create(month=month, trigger=Trigger.SCHEDULE, now=now, run_key=f"schedule:{month}")


def snapshot_month_to_date(*, now: datetime | None = None) -> MonthlySnapshot | None:
    """The nightly run: the current Oslo month so far, once a day (keyed by Oslo date)."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    return snapshot_create(
        month=current_month(now), trigger=Trigger.NIGHTLY, now=now, run_key=f"nightly:{day.isoformat()}"
    )


def subscription_set(*, user: User, subscribed: bool) -> None:
    """Opt in to (or out of) the monthly report by e-mail."""
    if subscribed:
        MonthlyReportSubscription.objects.get_or_create(user=user, defaults={"created_at": timezone.now()})
    else:
        MonthlyReportSubscription.objects.filter(user=user).delete()


def recompute_request(*, month: Month, user: User) -> str:
    """Queue a recomputation of the month (after commit); returns the request's key."""
    from .tasks import recompute_month

    key = uuid.uuid4().hex
    transaction.on_commit(lambda: recompute_month.delay(month.year, month.month, user.pk, key))
    return key
