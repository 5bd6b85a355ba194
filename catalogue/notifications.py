"""E-mails of the service catalogue, rendered from outbox rows when they are sent.

The requester's e-mails are the request ticket's own (registered, resolved — with the rejection
reason or the fulfilment in its note); this module adds the one to the approver whose turn it is.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from servicedesk.models import OutboxMessage
from servicedesk.outbox import renderer

from .answers import answer_lines
from .links import LINK_MAX_AGE, issue_token, link_url, site_url
from .models import Approval, ApproverKind, Decision, RequestState
from .services import APPROVAL_REQUESTED


@renderer(APPROVAL_REQUESTED)
def approval_requested(message: OutboxMessage) -> list[EmailMessage]:
    """To the approver: the order, and a one-time link to approve or reject it.

    The token is made here, when the e-mail is sent, so it is never stored in clear (only its
    hash is). An approval decided before the e-mail went out gets no e-mail.
    """
    approval_id = message.payload.get("approval_id")
    if not isinstance(approval_id, int):
        return []
    approval = (
        Approval.objects.select_related("approver", "request__item", "request__ticket__caller")
        .filter(pk=approval_id)
        .first()
    )
    if (
        approval is None
        or approval.decision != Decision.PENDING
        or approval.request.state != RequestState.AWAITING_APPROVAL
        or not approval.approver.email
    ):
        return []
    order = approval.request
    lines = answer_lines(order.item.fields.all(), order.answers)
    link = link_url(issue_token(approval))
    with translation.override(approval.approver.preferred_language):
        values = {
            "number": order.ticket.number,
            "item": order.item.name,
            "requester": order.ticket.caller,
            "role": ApproverKind(approval.kind).label.lower(),
        }
        subject = _("Approval needed: %(number)s %(item)s for %(requester)s") % values
        body = "\n".join(
            [
                _("%(requester)s has ordered %(item)s (%(number)s). You are asked to approve it as %(role)s.")
                % values,
                "",
                *(f"{line.label}: {line.value}" for line in lines),
                "",
                _("Approve or reject: %(link)s") % {"link": link},
                _("The link works once and expires in %(days)d days.") % {"days": LINK_MAX_AGE.days},
                "",
                _("All your approvals: %(url)s") % {"url": site_url() + reverse("catalogue:approvals")},
            ]
        )
    return [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [approval.approver.email])]
