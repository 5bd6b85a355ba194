"""The transactional outbox: notifications are rows first, e-mails later.

`enqueue` writes a row inside the caller's transaction. `dispatch_pending` (a beat task every few
seconds) claims pending rows with SKIP LOCKED, renders them through the renderer registered for
their kind, sends, and marks them sent in the same transaction. A worker that dies before the
commit leaves the rows pending for the next run: nothing is lost. The only window for a repeat is
a crash between the mail server accepting a message and that commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
Renderer = Callable[[OutboxMessage], list[EmailMessage]]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register how to turn an outbox message of `kind` into e-mails (none is fine)."""

    def register(func: Renderer) -> Renderer:
        RENDERERS[kind] = func
        return func

    return register


def enqueue(kind: str, *, ticket_id: int | None = None, **payload: object) -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind=kind, ticket_id=ticket_id, payload=payload, created_at=timezone.now()
    )


def dispatch_pending(*, batch_size: int = 100) -> int:
    """Send pending messages; returns how many were sent."""
    sent = 0
    failed: set[int] = set()  # tried once in this run; retried by the next run, not in a loop
    skip_locked = connection.features.has_select_for_update_skip_locked
    while True:
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
                .exclude(pk__in=failed)
                .order_by("id")
                .select_for_update(skip_locked=skip_locked)[:batch_size]
            )
            if not batch:
                return sent
            mail = mailers.default
            for message in batch:
                try:
                    emails = RENDERERS[message.kind](message) if message.kind in RENDERERS else []
                    if emails:
                        mail.send_messages(emails)
                except Exception as error:  # one bad message must not block the rest
                    logger.exception("Outbox message %s failed", message.pk)
                    message.attempts += 1
                    message.last_error = str(error)[:500]
                    failed.add(message.pk)
                else:
                    message.sent_at = timezone.now()
                    sent += 1
            OutboxMessage.objects.bulk_update(batch, ["sent_at", "attempts", "last_error"])
