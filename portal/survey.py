"""The satisfaction survey: a 1–6 score and an optional comment on a resolved ticket.

One answer per ticket, by its caller only, from the portal or from the signed one-time link in
the resolution e-mail. The monthly report reads `satisfaction(start=…, end=…)`.

The link follows the catalogue's approval links (catalogue/links.py): signed with the project's
secret (its own salt), valid for SURVEY_LINK_MAX_AGE, single use, and only its SHA-256 stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from incidents import notifications as ticket_notifications
from incidents.models import State, Ticket
from servicedesk.errors import DomainError, IllegalTransition, NotAllowed
from servicedesk.models import OutboxMessage, User
from servicedesk.outbox import RENDERERS

from .models import SurveyAnswer, SurveyChannel, SurveyInvitation

SALT = "portal.survey-link"
SURVEY_LINK_MAX_AGE = timedelta(days=30)
SCORES = range(1, 7)
RATEABLE_STATES = frozenset({State.RESOLVED, State.CLOSED})


class LinkRefused(Exception):
    """The link cannot be used: forged or unknown (400), or expired or used (410)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# --- answering -------------------------------------------------------------------------------


def _score(value: object) -> int:
    try:
        score = int(str(value))
    except ValueError:
        score = 0
    if score not in SCORES:
        raise DomainError(_("Choose a score from 1 to 6."), field="score")
    return score


def survey_answer(
    *, ticket: Ticket, actor: User, score: object, comment: str = "", channel: str = SurveyChannel.PORTAL
) -> SurveyAnswer:
    """Record the caller's rating. Refused: someone else, an open ticket, a score outside 1–6,
    a second answer (the one-to-one constraint decides, also under a race)."""
    if ticket.caller_id != actor.pk:
        raise NotAllowed(_("Only the person the case is for can rate it."))
    if ticket.state not in RATEABLE_STATES:
        raise IllegalTransition(_("You can rate the case once it has been resolved."))
    value = _score(score)
    if SurveyAnswer.objects.filter(ticket=ticket).exists():
        raise IllegalTransition(_("You have already rated this case. Thank you!"))
    try:
        with transaction.atomic():
            answer = SurveyAnswer.objects.create(
                ticket=ticket,
                caller=actor,
                group=ticket.resolved_by_group,
                score=value,
                comment=comment.strip()[:2000],
                channel=channel,
                created_at=timezone.now(),
            )
            SurveyInvitation.objects.filter(ticket=ticket, used_at__isnull=True).update(
                used_at=answer.created_at
            )
    except IntegrityError:
        raise IllegalTransition(_("You have already rated this case. Thank you!")) from None
    return answer


# --- the one-time link -----------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(ticket: Ticket) -> str:
    """A new link token for the ticket's survey; it replaces any earlier one."""
    token = signing.dumps({"t": ticket.pk, "n": secrets.token_urlsafe(8)}, salt=SALT)
    SurveyInvitation.objects.update_or_create(
        ticket=ticket, defaults={"token_hash": _digest(token), "created_at": timezone.now(), "used_at": None}
    )
    return token


def ticket_for_token(token: str) -> Ticket:
    """The ticket the token was issued for, or LinkRefused."""
    try:
        data: Any = signing.loads(token, salt=SALT, max_age=SURVEY_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkRefused(
            _("This link has expired. Sign in to the portal to rate the case under My cases."), status=410
        ) from None
    except signing.BadSignature:
        raise LinkRefused(_("This link is not valid. Check that you copied all of it.")) from None
    ticket_id = data.get("t") if isinstance(data, dict) else None
    invitation = (
        SurveyInvitation.objects.filter(ticket_id=ticket_id).first() if isinstance(ticket_id, int) else None
    )
    if invitation is None or not constant_time_compare(invitation.token_hash, _digest(token)):
        raise LinkRefused(_("This link is not valid. A newer e-mail may have replaced it."))
    if invitation.used_at is not None:
        raise LinkRefused(_("This link has already been used."), status=410)
    return Ticket.objects.select_related("caller", "resolved_by_group").get(pk=invitation.ticket_id)


def survey_answer_by_link(*, token: str, score: object, comment: str = "") -> SurveyAnswer:
    """Answer through the e-mailed link: the token stands for the caller, and works once."""
    with transaction.atomic():
        ticket = ticket_for_token(token)
        # Lock the invitation: two submits of one link cannot both pass the "unused" check.
        invitation = SurveyInvitation.objects.select_for_update().get(ticket=ticket)
        if invitation.used_at is not None:
            raise LinkRefused(_("This link has already been used."), status=410)
        return survey_answer(
            ticket=ticket, actor=ticket.caller, score=score, comment=comment, channel=SurveyChannel.EMAIL
        )


def link_url(token: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("portal:survey-link", kwargs={"token": token})


# --- results for the reports -----------------------------------------------------------------


def _answers(start: datetime, end: datetime) -> QuerySet[SurveyAnswer]:
    return SurveyAnswer.objects.filter(created_at__gte=start, created_at__lt=end)


def satisfaction(*, start: datetime, end: datetime) -> tuple[float | None, int]:
    """Mean score (1–6) and number of answers given in [start, end); (None, 0) without answers."""
    result = _answers(start, end).aggregate(mean=Avg("score"), count=Count("id"))
    mean = result["mean"]
    return (float(mean) if mean is not None else None, int(result["count"]))


def satisfaction_by_group(*, start: datetime, end: datetime) -> dict[int | None, tuple[float, int]]:
    """Mean score and answer count per resolving group (None: no group recorded), in one query."""
    rows = _answers(start, end).values("group_id").annotate(mean=Avg("score"), count=Count("id"))
    return {row["group_id"]: (float(row["mean"]), int(row["count"])) for row in rows}


# --- the link in the resolution e-mail -------------------------------------------------------

_resolved_email = RENDERERS["ticket.resolved"]


def resolved_email_with_survey(message: OutboxMessage) -> list[EmailMessage]:
    """The resolution e-mail of incidents/notifications.py, with the survey link appended.

    The token is made when the e-mail is sent, so it is never stored in clear.
    """
    emails = _resolved_email(message)
    if message.ticket_id is None:
        return emails
    ticket = Ticket.objects.select_related("caller").filter(pk=message.ticket_id).first()
    if not emails or ticket is None or SurveyAnswer.objects.filter(ticket=ticket).exists():
        return emails
    url = link_url(issue_token(ticket))
    with translation.override(ticket.caller.preferred_language):
        text = _("How did we do? Rate our help from 1 to 6 (one click, no sign-in): %(url)s") % {"url": url}
    for email in emails:
        email.body = f"{email.body}\n\n{text}"
    return emails


# Registered over the plain resolution e-mail (same kind): one e-mail to the caller, with the link.
assert ticket_notifications.to_caller is _resolved_email  # noqa: S101 -- fails loudly if incidents changes
RENDERERS["ticket.resolved"] = resolved_email_with_survey
