"""Where reads go: reports and exports may read from a PostgreSQL replica (DATABASE_REPLICA_URL).

Everything else, and every write, uses the primary ("default"). A request opts in with
`read_from_replica()` (or `replica_stream()` for a streamed download, whose rows are read after
the view has returned). Without a replica configured both are no-ops.

Streamed rows are read inside one transaction: Django's `.iterator()` uses a server-side cursor,
which behind PgBouncer in transaction pooling lives only as long as the transaction holding it.
For the same reason a form's select list reads its choices in one plain query
(`read_choices_in_one_query`), not through such a cursor.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any, cast

from django.db import connections, transaction
from django.forms.models import ModelChoiceIterator
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    """Reads go to the replica inside `read_from_replica()`; writes and migrations to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reading_from_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the same data on both: rows read from the replica may be related to the primary's

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # the replica follows the primary's schema by replication


@contextmanager
def read_from_replica() -> Iterator[str]:
    """Route this block's reads to the replica (if one is configured); yields the alias read from."""
    token = _reading_from_replica.set(True)
    try:
        yield REPLICA if replica_configured() else "default"
    finally:
        _reading_from_replica.reset(token)


def replica_stream[T](rows: Iterable[T]) -> Iterator[T]:
    """Yield the rows of a streamed download, read from the replica in one transaction.

    Only PostgreSQL needs the transaction; the demo's SQLite opens write transactions
    (BEGIN IMMEDIATE), which would block the worker for as long as the download lasts.
    """
    with read_from_replica() as alias, _one_transaction(alias):
        yield from rows


def _one_transaction(alias: str) -> Any:
    return transaction.atomic(using=alias) if connections[alias].vendor == "postgresql" else nullcontext()


View = Callable[..., HttpResponseBase]


def reads_from_replica(view: View) -> View:
    """A read-only page or download whose queries may go to the replica (place it innermost,
    below login_required, so the signed-in user is read from the primary)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # One transaction: a download built in the view (a workbook, a PDF) reads its rows with
        # `.iterator()` too.
        with read_from_replica() as alias, _one_transaction(alias):
            response = view(request, *args, **kwargs)
        if isinstance(response, StreamingHttpResponse):
            # Sync views stream sync iterators (gunicorn's sync workers).
            response.streaming_content = replica_stream(cast(Iterator[bytes], response.streaming_content))
        return response

    return wrapped


def _choices_in_one_query(self: ModelChoiceIterator) -> Iterator[Any]:
    if self.field.empty_label is not None:
        yield ("", self.field.empty_label)
    for obj in self.queryset.all():  # a fresh read each time, as Django's own iterator does
        yield self.choice(obj)


def read_choices_in_one_query() -> None:
    """Make every model select list (forms, django-filter, the admin) read its choices with one
    plain SELECT. Django's iterator declares a server-side cursor, WITH HOLD outside a
    transaction: behind PgBouncer in transaction pooling its FETCH may reach another server
    connection, where the cursor does not exist (and it costs three round trips for a list of
    twenty). Called once, from ServicedeskConfig.ready(); tests/operations/test_pooling.py."""
    ModelChoiceIterator.__iter__ = _choices_in_one_query  # type: ignore[method-assign]
