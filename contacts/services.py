"""Customer-centre contacts, as the telephony or chat system reports them.

One function per event. Each is idempotent by the system's contact id: a repeated event leaves
the stored contact as it was, so retries are safe; an event that does not fit (answered before
offered, abandoned after answered, a time in the future or before the offer) is refused with a
DomainError and changes nothing. Replaying a day in any order the system retries in therefore
ends in the same state as replaying it once in order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Ticket
from servicedesk.errors import DomainError, IllegalTransition
from servicedesk.models import User

from .models import Contact, ContactQueue, ContactState

# Clocks of telephony systems drift a little; more than this ahead of ours is a bad timestamp.
CLOCK_TOLERANCE = timedelta(seconds=5)


class UnknownContact(DomainError):
    status = 404
    code = "unknown_contact"


def _check_time(at: datetime) -> None:
    if at > timezone.now() + CLOCK_TOLERANCE:
        raise DomainError(_("The time of the event is in the future."), field="at")


def caller_for_number(number: str) -> User | None:
    """The active person with this phone number, if exactly one has it."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 5:
        return None
    matches = list(User.objects.filter(is_active=True, phone__endswith=digits[-8:])[:2])
    return matches[0] if len(matches) == 1 else None


def contact_offered(
    *, external_id: str, queue: ContactQueue, at: datetime, channel: str, caller_number: str = ""
) -> tuple[Contact, bool]:
    """A contact enters a queue. Returns (contact, created); a repeat changes nothing."""
    _check_time(at)
    existing = Contact.objects.filter(external_id=external_id).first()
    if existing is not None:
        _ensure_repeat(existing.queue_id == queue.pk and existing.offered_at == at, existing)
        return existing, False
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                external_id=external_id,
                queue=queue,
                channel=channel,
                caller_number=caller_number,
                caller=caller_for_number(caller_number),
                offered_at=at,
            )
    except IntegrityError:  # the same event, delivered twice at once: the other one won
        return Contact.objects.get(external_id=external_id), False
    return contact, True


def _ensure_repeat(same: bool, contact: Contact) -> None:
    """An exact repeat of an event is fine (idempotent); a different second one is refused."""
    if not same:
        raise IllegalTransition(
            _("Contact %(id)s is already %(state)s with other details.")
            % {"id": contact.external_id, "state": ContactState(contact.state).label.lower()}
        )


def _locked(external_id: str) -> Contact:
    contact = Contact.objects.select_for_update().filter(external_id=external_id).first()
    if contact is None:
        raise UnknownContact(_("No contact with id %(id)s has been offered.") % {"id": external_id})
    return contact


def contact_answered(*, external_id: str, at: datetime, agent: User | None) -> Contact:
    """An agent picks the contact up; the wait is measured from the offer."""
    _check_time(at)
    with transaction.atomic():
        contact = _locked(external_id)
        if contact.state == ContactState.ANSWERED:
            _ensure_repeat(contact.answered_at == at and contact.agent == agent, contact)
            return contact
        if contact.state == ContactState.ABANDONED:
            raise IllegalTransition(_("The caller had already hung up."))
        if at < contact.offered_at:
            raise DomainError(_("A contact cannot be answered before it was offered."), field="at")
        contact.state = ContactState.ANSWERED
        contact.answered_at = at
        contact.agent = agent
        contact.wait_seconds = (at - contact.offered_at).total_seconds()
        contact.save(update_fields=["state", "answered_at", "agent", "wait_seconds"])
    return contact


def contact_abandoned(*, external_id: str, at: datetime) -> Contact:
    """The caller gives up before an agent answers."""
    _check_time(at)
    with transaction.atomic():
        contact = _locked(external_id)
        if contact.state == ContactState.ABANDONED:
            _ensure_repeat(contact.abandoned_at == at, contact)
            return contact
        if contact.state == ContactState.ANSWERED:
            raise IllegalTransition(_("The contact was already answered."))
        if at < contact.offered_at:
            raise DomainError(_("A contact cannot be abandoned before it was offered."), field="at")
        contact.state = ContactState.ABANDONED
        contact.abandoned_at = at
        contact.wait_seconds = (at - contact.offered_at).total_seconds()
        contact.save(update_fields=["state", "abandoned_at", "wait_seconds"])
    return contact


def contact_link_ticket(*, contact: Contact, ticket: Ticket) -> None:
    """Record that the contact produced the ticket (logged while on the call)."""
    contact.tickets.add(ticket)


def agent_set_on_duty(*, agent: User, on_duty: bool) -> None:
    """Sign an agent on to (or off from) answering contacts."""
    agent.on_duty_since = timezone.now() if on_duty else None
    agent.save(update_fields=["on_duty_since"])
