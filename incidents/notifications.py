"""E-mails about tickets, rendered from outbox rows when they are sent (servicedesk/outbox.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from servicedesk.models import OutboxMessage
from servicedesk.outbox import renderer

from .models import Ticket

# Marked for translation here, translated when sent, in the recipient's language.
MESSAGES = {
    "ticket.created": (
        gettext_noop("Your case %(number)s has been registered"),
        gettext_noop("We have received your case: %(title)s"),
    ),
    "ticket.resolved": (gettext_noop("Your case %(number)s has been resolved"), "%(title)s\n\n%(note)s"),
    "ticket.assigned_to_group": (
        gettext_noop("Case %(number)s is in your queue"),
        gettext_noop("%(title)s (priority %(priority)s)"),
    ),
}


def _ticket(message: OutboxMessage) -> Ticket | None:
    if message.ticket_id is None:
        return None
    return Ticket.objects.select_related("caller", "assignment_group").filter(pk=message.ticket_id).first()


def _email(ticket: Ticket, kind: str, recipient: str, language: str) -> list[EmailMessage]:
    if not recipient:
        return []
    subject, body = MESSAGES[kind]
    values = {
        "number": ticket.number,
        "title": ticket.title,
        "note": ticket.resolution_note,
        "priority": ticket.priority,
    }
    with translation.override(language):
        return [EmailMessage(_(subject) % values, _(body) % values, settings.DEFAULT_FROM_EMAIL, [recipient])]


@renderer("ticket.created")
@renderer("ticket.resolved")
def to_caller(message: OutboxMessage) -> list[EmailMessage]:
    ticket = _ticket(message)
    if ticket is None:
        return []
    return _email(ticket, message.kind, ticket.caller.email, ticket.caller.preferred_language)


@renderer("ticket.assigned_to_group")
def to_group(message: OutboxMessage) -> list[EmailMessage]:
    ticket = _ticket(message)
    if ticket is None or ticket.assignment_group is None:
        return []
    return _email(ticket, message.kind, ticket.assignment_group.email, settings.LANGUAGE_CODE_FOR_GROUPS)
