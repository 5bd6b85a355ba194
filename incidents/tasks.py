"""Thin Celery tasks: take ids, re-fetch, do one idempotent thing."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import services
from .models import Ticket

# Marked for translation here, translated when sent, in the recipient's language.
MESSAGES = {
    "created": (
        gettext_noop("Your case %(number)s has been registered"),
        gettext_noop("We have received your case: %(title)s"),
    ),
    "resolved": (gettext_noop("Your case %(number)s has been resolved"), "%(title)s\n\n%(note)s"),
    "assigned_to_group": (
        gettext_noop("Case %(number)s is in your queue"),
        gettext_noop("%(title)s (priority %(priority)s)"),
    ),
}


@shared_task(acks_late=True, time_limit=30, soft_time_limit=25, ignore_result=True)
def notify_ticket(ticket_id: int, event: str) -> None:
    """E-mail the caller (or, for a queue arrival, the group) about a ticket event."""
    ticket = Ticket.objects.select_related("caller", "assignment_group").filter(pk=ticket_id).first()
    if ticket is None or event not in MESSAGES:
        return
    if event == "assigned_to_group":
        recipient = ticket.assignment_group.email if ticket.assignment_group else ""
        language = "nb"
    else:
        recipient = ticket.caller.email
        language = ticket.caller.preferred_language
    if not recipient:
        return
    subject, body = MESSAGES[event]
    values = {
        "number": ticket.number,
        "title": ticket.title,
        "note": ticket.resolution_note,
        "priority": ticket.priority,
    }
    with translation.override(language):
        send_mail(_(subject) % values, _(body) % values, None, [recipient])


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100, ignore_result=True)
def close_resolved_tickets() -> int:
    """Close tickets left resolved for longer than the reopen window (beat, hourly)."""
    cutoff = timezone.now() - timedelta(days=settings.AUTO_CLOSE_AFTER_DAYS)
    return services.tickets_close_resolved(resolved_before=cutoff)
