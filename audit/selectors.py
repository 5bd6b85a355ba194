"""Reads of the access log, scoped to who may see them: auditors and admins every row; the
caller of a ticket who else has read it. The one place that decides."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from incidents.models import Ticket
from incidents.selectors import ticket_get_for_user
from servicedesk.models import User

from .models import AccessLog


def access_log_for(user: User) -> QuerySet[AccessLog]:
    """Every row for auditors and admins, with the person and the ticket; none for anyone else."""
    if not user.is_authenticated or not user.reads_access_log:
        return AccessLog.objects.none()
    return AccessLog.objects.select_related("user", "ticket").order_by("-at", "-id")


def ticket_for_access_log(user: User, pk: object) -> tuple[Ticket, bool]:
    """The ticket whose access log the user asks for, and whether they see it in full.

    Auditors and admins: any ticket, in full (with addresses). The caller: their own ticket,
    the reads by others. Anyone else: 404 for a ticket they may not see, 403 for one they may
    see but did not call in (agents work tickets; reading who else did is not their business).
    """
    if user.is_authenticated and user.reads_access_log:
        try:
            ticket = Ticket.objects.only("id", "kind", "title", "caller_id").filter(pk=int(str(pk))).first()
        except ValueError:
            raise Http404 from None
        if ticket is None:
            raise Http404
        return ticket, True
    ticket = ticket_get_for_user(user, pk)
    if ticket.caller_id != user.pk:
        raise PermissionDenied(
            _("Who opened a ticket is for its caller, auditors and administrators to see.")
        )
    return ticket, False


def ticket_access_log(user: User, ticket: Ticket, *, full: bool) -> QuerySet[AccessLog]:
    """Who has read the ticket, newest first. The caller's view leaves out their own reads."""
    rows = AccessLog.objects.filter(ticket=ticket).select_related("user", "ticket").order_by("-at", "-id")
    return rows if full else rows.exclude(user=user)


def own_ticket_reads(user: User, ticket: Ticket, limit: int = 10) -> list[AccessLog] | None:
    """The latest reads of the user's own ticket by others, for their ticket page; None when the
    ticket is not theirs (one query)."""
    if ticket.caller_id != user.pk:
        return None
    return list(ticket_access_log(user, ticket, full=False)[:limit])
