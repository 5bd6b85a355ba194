"""E-mails about SLA warnings and breaches, rendered from outbox rows when sent.

Recipients: the ticket's assignee, its group's mailbox, and the service-desk managers.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from servicedesk.models import OutboxMessage, Role, User
from servicedesk.outbox import renderer

from .models import AlertKind, ClockAlert


def recipients(alert: ClockAlert) -> list[str]:
    ticket = alert.ticket
    addresses = [ticket.assignee.email if ticket.assignee else ""]
    addresses.append(ticket.assignment_group.email if ticket.assignment_group else "")
    addresses += User.objects.filter(role=Role.MANAGER, is_active=True).values_list("email", flat=True)
    return sorted({a for a in addresses if a})


@renderer("sla.warning")
@renderer("sla.breach")
def alert_email(message: OutboxMessage) -> list[EmailMessage]:
    alert = (
        ClockAlert.objects.select_related("clock", "ticket__assignee", "ticket__assignment_group")
        .filter(pk=message.payload.get("alert"))
        .first()
    )
    if alert is None:
        return []
    to = recipients(alert)
    if not to:
        return []
    ticket = alert.ticket
    with translation.override(settings.LANGUAGE_CODE_FOR_GROUPS):
        values = {
            "number": ticket.number,
            "title": ticket.title,
            "clock": alert.clock.get_metric_display(),
            "share": f"{alert.fraction:.0%}",
        }
        if alert.kind == AlertKind.BREACH:
            subject = _("SLA breach: %(number)s %(clock)s is overdue") % values
        else:
            subject = _("SLA warning: %(number)s has used %(share)s of its %(clock)s time") % values
        body = _("%(number)s: %(title)s") % values
    return [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)]
