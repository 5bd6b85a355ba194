"""The transactional outbox: notifications are rows first, e-mails later.

`enqueue` writes a row inside the caller's transaction. `dispatch_pending` (a beat task every few
seconds) sends pending rows one at a time: it locks the oldest pending row (SKIP LOCKED, so
several dispatchers share the work), renders it through the renderer registered for its kind,
hands the e-mails to the mail server, and marks the row sent in the same short transaction.

What a fault costs:
- A worker killed, or its database connection lost, before the commit leaves that one row
  pending: the next run sends it again. Every row committed before is done. So a fault repeats
  at most the message in flight (one per dispatcher running at that moment), never a batch.
- Each e-mail carries a Message-ID derived from its row (`message_id`), the same on every
  attempt, so a receiving system that drops repeated Message-IDs drops that one repeat too.
- Nothing is lost: a row is pending until a commit says otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
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


def message_id(message: OutboxMessage, index: int) -> str:
    """The Message-ID of the `index`-th e-mail of an outbox row: the same on every attempt.

    From the row (id and creation time, so a rebuilt database does not reuse one) and the sender's
    domain, never the sending host: the repeat after a crash may come from another worker.
    """
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "servicedesk.invalid"
    stamp = int(message.created_at.timestamp() * 1_000_000)
    return f"<outbox.{message.pk}.{index}.{stamp}@{domain}>"


def dispatch_pending() -> int:
    """Send pending messages, one transaction each; returns how many were sent."""
    sent = 0
    failed: set[int] = set()  # tried once in this run; retried by the next run, not in a loop
    skip_locked = connection.features.has_select_for_update_skip_locked
    pending = OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    while True:
        # One row per transaction: the row lock is held while the mail server takes its e-mails,
        # so no other dispatcher sends it meanwhile, and the commit right after records it as
        # sent. A crash between the two repeats this row only.
        with transaction.atomic():
            message = (
                pending.exclude(pk__in=failed).order_by("id").select_for_update(skip_locked=skip_locked).first()
            )
            if message is None:
                return sent
            try:
                emails = RENDERERS[message.kind](message) if message.kind in RENDERERS else []
                for index, email in enumerate(emails):
                    email.extra_headers["Message-ID"] = message_id(message, index)
                if emails:
                    mailers.default.send_messages(emails)
            except Exception as error:  # one bad message must not block the rest
                logger.exception("Outbox message %s failed", message.pk)
                message.attempts += 1
                message.last_error = str(error)[:500]
                failed.add(message.pk)
                message.save(update_fields=["attempts", "last_error"])
            else:
                message.sent_at = timezone.now()
                message.save(update_fields=["sent_at"])
                sent += 1
