"""Writes of the access log: the read hooks every ticket view calls, and its retention.

A read is recorded in memory during the request and written once the response has been sent
(audit.middleware), in one statement: one row for a ticket page or API read, one
INSERT … SELECT for an export whatever its size. A write that fails is logged and never makes
the read fail.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from incidents.models import Ticket

from .addresses import client_address
from .models import AccessChannel, AccessLog, AccessResource

logger = logging.getLogger(__name__)

PENDING_ATTR = "_access_log_pending"
PURGE_BATCH = 10_000


@dataclass
class Export:
    """An export's rows, recorded as one row per exported ticket by one INSERT … SELECT."""

    at: datetime
    user_id: int
    address: str | None
    tickets: QuerySet[Ticket]


@dataclass
class PendingReads:
    """The reads of one request, written after its response."""

    rows: list[AccessLog] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.rows or self.exports)


def _reader(request: Any) -> tuple[int | None, HttpRequest]:
    """The signed-in user's id and the Django request, for a Django or a DRF request.

    A DRF request authenticates by token itself: its user is the one to record, while the
    pending reads hang on the Django request that the middleware sees.
    """
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    return user_id, getattr(request, "_request", request)


def record_ticket_read(
    request: Any, ticket: Ticket | int, *, channel: str, resource: str = AccessResource.DETAIL
) -> None:
    """Record that the request's user read the ticket. The one hook for every view that shows a
    ticket's content: console, portal, API, admin (`channel` says which).

    Call it after the permission check succeeded, so that only reads that happened are logged.
    """
    if not settings.ACCESS_LOG_ENABLED:
        return
    user_id, http_request = _reader(request)
    if user_id is None:
        return
    row = AccessLog(
        at=timezone.now(),
        user_id=user_id,
        ticket_id=ticket if isinstance(ticket, int) else ticket.pk,
        channel=channel,
        resource=resource,
        address=client_address(http_request),
    )
    pending = getattr(http_request, PENDING_ATTR, None)
    if pending is None:  # outside the middleware (a script, a test of a view function): now
        write_pending(PendingReads(rows=[row]))
    else:
        pending.rows.append(row)


def record_tickets_export(request: Any, tickets: QuerySet[Ticket]) -> None:
    """Record an export of a ticket list: one row per exported ticket.

    One row per ticket (not one per export naming them) keeps "who has seen this ticket" a
    plain index lookup that finds exports too; the rows are written by one INSERT … SELECT over
    the export's own query, so no ticket id passes through Python and there is no round trip
    per ticket: the cost stays in the database, one statement per export.
    """
    if not settings.ACCESS_LOG_ENABLED:
        return
    user_id, http_request = _reader(request)
    if user_id is None:
        return
    export = Export(timezone.now(), user_id, client_address(http_request), tickets)
    pending = getattr(http_request, PENDING_ATTR, None)
    if pending is None:
        write_pending(PendingReads(exports=[export]))
    else:
        pending.exports.append(export)


def write_pending(pending: PendingReads) -> None:
    """Write the recorded reads. Never raises: the read has been answered; a failure is logged."""
    try:
        # Inside a transaction (tests, a command) a failed insert must not break the caller's
        # transaction: a savepoint. In a web request there is none: a transaction of its own.
        guard = transaction.atomic() if connection.in_atomic_block else _log_transaction()
        with guard:
            if pending.rows:
                AccessLog.objects.bulk_create(pending.rows)
            for export in pending.exports:
                _insert_export(export)
    except Exception:  # a log write must never fail the read it records
        logger.exception(
            "Access log: could not write %d read(s) and %d export(s)", len(pending.rows), len(pending.exports)
        )


@contextlib.contextmanager
def _log_transaction() -> Iterator[None]:
    """A transaction whose commit does not wait for the disk (PostgreSQL asynchronous commit).

    A durable commit waits for the WAL to be flushed: on a busy disk that is most of the log's
    cost (the benchmark measured +25 ms a page). Asynchronous commit returns at once and the WAL
    writer flushes within a fraction of a second; a crash of the database server in that window
    loses those last log rows (never corrupts anything, and no other write is affected).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _insert_export(export: Export) -> None:
    # An explicit alias: the export's query may carry joins whose columns are also called id.
    sql, params = export.tickets.order_by().values(exported_ticket_id=F("pk")).query.sql_with_params()
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    # PostgreSQL types a bare parameter in a SELECT list as text; the address column is inet.
    address = "CAST(%s AS inet)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (at, user_id, ticket_id, channel, resource, address) "  # noqa: S608 (only our own identifiers and compiled SQL)
            f"SELECT %s, %s, exported.exported_ticket_id, %s, %s, {address} FROM ({sql}) AS exported",
            [
                export.at,
                export.user_id,
                AccessChannel.EXPORT,
                AccessResource.EXPORT_ROW,
                export.address,
                *params,
            ],
        )


# --- retention ------------------------------------------------------------------------------


def access_log_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.RETENTION_ACCESS_LOG_DAYS)


def access_log_purge(*, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete access-log rows older than RETENTION_ACCESS_LOG_DAYS, in batches (each its own
    transaction, so a killed run keeps what it did and the next run goes on). Idempotent."""
    cutoff = access_log_cutoff(now or timezone.now())
    deleted = 0
    while True:
        ids = list(
            AccessLog.objects.filter(at__lt=cutoff).order_by("at").values_list("id", flat=True)[:batch]
        )
        if not ids:
            return deleted
        count, _ = AccessLog.objects.filter(id__in=ids).delete()
        deleted += count
