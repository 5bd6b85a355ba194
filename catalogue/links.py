"""One-time approval links: a signed token in an e-mail lets the approver decide without signing in.

The token is the credential, so it is strong and short-lived: signed with the project's secret
(django.core.signing, its own salt), valid for 14 days from when the e-mail was rendered, and
single use. Only its SHA-256 is stored; a newer e-mail for the same approval replaces the hash,
so an older link stops working.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from .models import Approval

SALT = "catalogue.approval-link"
LINK_MAX_AGE = timedelta(days=14)


class LinkRefused(Exception):
    """The link cannot be used: forged or unknown (400), or expired or used (410)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(approval: Approval) -> str:
    """A new token for the approval; it replaces any earlier one."""
    token = signing.dumps({"a": approval.pk, "n": secrets.token_urlsafe(8)}, salt=SALT)
    Approval.objects.filter(pk=approval.pk).update(token_hash=_digest(token))
    return token


def approval_for_token(token: str) -> Approval:
    """The approval the token was issued for, or LinkRefused. Does not check the decision."""
    try:
        data: Any = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkRefused(
            _("This link has expired. Sign in to the service desk to decide under My approvals."),
            status=410,
        ) from None
    except signing.BadSignature:
        raise LinkRefused(_("This link is not valid. Check that you copied all of it.")) from None
    approval_id = data.get("a") if isinstance(data, dict) else None
    approval = (
        Approval.objects.select_related("approver", "request__item", "request__ticket__caller")
        .filter(pk=approval_id)
        .first()
        if isinstance(approval_id, int)
        else None
    )
    if (
        approval is None
        or not approval.token_hash
        or not constant_time_compare(approval.token_hash, _digest(token))
    ):
        raise LinkRefused(_("This link is not valid. A newer e-mail may have replaced it."))
    if approval.used_at is not None:
        raise LinkRefused(_("This link has already been used."), status=410)
    return approval


def site_url() -> str:
    # The address e-mails link to (environment-driven, see settings).
    return str(settings.SITE_URL).rstrip("/")


def link_url(token: str) -> str:
    return site_url() + reverse("catalogue:approval-link", kwargs={"token": token})
