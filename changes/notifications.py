"""E-mails about changes, rendered from outbox rows when they are sent (servicedesk/outbox.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from servicedesk.models import OutboxMessage, User
from servicedesk.outbox import renderer

from .models import Change

# Marked for translation here, translated when sent, in the recipient's language.
MESSAGES = {
    "change.approval_requested": (
        gettext_noop("Change %(number)s awaits your approval"),
        gettext_noop("%(title)s\n\nType: %(type)s. Risk: %(risk)s. Approvals needed: %(required)s."),
    ),
    "change.rejected": (
        gettext_noop("Your change %(number)s was rejected"),
        gettext_noop("%(title)s\n\nThe change was rejected by %(board)s."),
    ),
}


def _change(message: OutboxMessage) -> Change | None:
    return (
        Change.objects.select_related("requester", "approval_board")
        .filter(pk=message.payload.get("change_id"))
        .first()
    )


def _email(change: Change, kind: str, person: User) -> EmailMessage:
    subject, body = MESSAGES[kind]
    with translation.override(person.preferred_language):
        values = {
            "number": change.number,
            "title": change.title,
            "type": change.get_change_type_display(),
            "risk": change.get_risk_display(),
            "required": change.required_approvals,
            "board": change.approval_board or "",
        }
        return EmailMessage(
            _(subject) % values, _(body) % values, settings.DEFAULT_FROM_EMAIL, [person.email]
        )


@renderer("change.approval_requested")
def to_board(message: OutboxMessage) -> list[EmailMessage]:
    """To each active member of the board who may approve (not the requester or owner)."""
    change = _change(message)
    if change is None or change.approval_board is None:
        return []
    members = (
        change.approval_board.members.filter(is_active=True)
        .exclude(email="")
        .exclude(pk__in=[pk for pk in (change.requester_id, change.owner_id) if pk is not None])
        .order_by("id")
    )
    return [_email(change, message.kind, member) for member in members]


@renderer("change.rejected")
def to_requester(message: OutboxMessage) -> list[EmailMessage]:
    change = _change(message)
    if change is None or not change.requester.email:
        return []
    return [_email(change, message.kind, change.requester)]
