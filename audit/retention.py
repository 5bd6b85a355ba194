"""Retention and minimisation: closed tickets past RETENTION_TICKET_DAYS lose their caller's
personal data, their free text and their files; the figures the reports need stay.

Kept: the ticket row with its kind, channel, service, category, impact, urgency, priority,
state, groups, assignee, times and counters; its history events (who of the staff did what,
when, from which value to which, minus free text); comments as rows (their count) without text;
every SLA clock and alert. Removed: the caller (replaced by one inactive placeholder person),
title, description, resolution note, comment text, reopen reasons, attachment rows and files,
catalogue answers and approval comments, the caller's number on linked contacts; events and
comments the caller wrote lose their author.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import BigIntegerField, Case, Count, F, QuerySet, Value, When
from django.utils import timezone

from catalogue.models import Approval, CatalogueRequest
from contacts.models import Contact
from incidents.models import Attachment, Comment, EventAction, State, Ticket, TicketEvent
from servicedesk.models import Role, User

logger = logging.getLogger(__name__)

ANONYMISED_TITLE = "[anonymised]"
PLACEHOLDER_USERNAME = "anonymised"
# History fields that hold free text (people and groups in history rows are staff and stay).
FREE_TEXT_FIELDS = ("title", "description", "resolution_note")
BATCH = 500


def ticket_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.RETENTION_TICKET_DAYS)


def tickets_due(now: datetime) -> QuerySet[Ticket]:
    """Closed tickets past their retention not yet anonymised, closed longest ago first (the
    partial index ticket_retention_idx holds exactly these)."""
    return Ticket.objects.filter(
        state=State.CLOSED, anonymised_at__isnull=True, closed_at__lt=ticket_cutoff(now)
    ).order_by("closed_at", "id")


@dataclass(frozen=True)
class DueTicket:
    number: str
    closed_at: datetime
    comments: int
    attachments: int


def tickets_due_preview(now: datetime, limit: int) -> tuple[int, list[DueTicket]]:
    """How many tickets would be anonymised, and the first `limit` of them (the dry run)."""
    due = tickets_due(now)
    first = due.annotate(
        comment_count=Count("comments", distinct=True), attachment_count=Count("attachments", distinct=True)
    )[:limit]
    return due.count(), [
        DueTicket(t.number, t.closed_at, t.comment_count, t.attachment_count)  # type: ignore[attr-defined, arg-type]
        for t in first
    ]


def placeholder_person() -> User:
    """The one inactive person anonymised tickets name as their caller (it can never sign in)."""
    person, created = User.objects.get_or_create(
        username=PLACEHOLDER_USERNAME,
        defaults={"first_name": "Anonymised", "role": Role.END_USER, "is_active": False},
    )
    if created:
        person.set_unusable_password()
        person.save(update_fields=["password"])
    return person


def anonymise_due_tickets(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Anonymise every ticket due, in batches of `batch` (each its own transaction: a killed
    run keeps what it did). Rows are claimed with SKIP LOCKED, so two runs at once share the
    work; an anonymised ticket is never picked again, so a second run changes nothing."""
    now = now or timezone.now()
    placeholder = placeholder_person()
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                tickets_due(now).select_for_update(skip_locked=True).values_list("id", flat=True)[:batch]
            )
            if not ids:
                return done
            _anonymise(ids, placeholder, now)
        done += len(ids)
        logger.info("Retention: anonymised %d tickets (%d so far)", len(ids), done)


def _anonymise(ids: list[int], placeholder: User, now: datetime) -> None:
    """Steps, in order (the caller must still be on the ticket for steps 2 and 3):
    1. files: the rows now, the files once the transaction has committed;
    2. comments: no text, no author where the caller wrote them;
    3. history: no free text, no reopen reasons, no file names, no actor where it was the caller;
    4. catalogue answers and approval comments, contacts' caller and number;
    5. the ticket: placeholder caller (and creator, where the caller logged it), no text.
    """
    files = list(Attachment.objects.filter(ticket_id__in=ids).values_list("file", flat=True))
    Attachment.objects.filter(ticket_id__in=ids).delete()
    if files:
        transaction.on_commit(lambda: _delete_files(files))

    Comment.objects.filter(ticket_id__in=ids, author_id=F("ticket__caller_id")).update(author=None)
    Comment.objects.filter(ticket_id__in=ids).update(body="")

    events = TicketEvent.objects.filter(ticket_id__in=ids)
    events.filter(actor_id=F("ticket__caller_id")).update(actor=None)
    events.filter(field__in=FREE_TEXT_FIELDS).update(old_value="", new_value="")
    events.filter(action=EventAction.ATTACHED).update(new_value="")
    reopened = list(events.filter(action=EventAction.REOPENED, details__has_key="reason"))
    for event in reopened:
        # The reason is free text; seconds_since_resolved stays (first-line resolution needs it).
        event.details = {key: value for key, value in event.details.items() if key != "reason"}
    TicketEvent.objects.bulk_update(reopened, ["details"])

    CatalogueRequest.objects.filter(ticket_id__in=ids).update(answers={}, rejection_reason="")
    Approval.objects.filter(request__ticket_id__in=ids).update(comment="")
    Contact.objects.filter(tickets__id__in=ids).update(caller=None, caller_number="")

    Ticket.objects.filter(id__in=ids).update(
        created_by_id=Case(
            When(created_by_id=F("caller_id"), then=Value(placeholder.pk)),
            default=F("created_by_id"),
            output_field=BigIntegerField(),
        ),
        caller_id=placeholder.pk,
        title=ANONYMISED_TITLE,
        description="",
        resolution_note="",
        anonymised_at=now,
    )


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Retention: could not delete the attachment file %s", name)
