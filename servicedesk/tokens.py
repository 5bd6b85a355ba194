"""API tokens: issued, checked and revoked here (the model is servicedesk.models.ApiToken).

The public contract stays `POST /api/auth/token/` with username and password → `{"token": …}`,
then `Authorization: Token …`. Each sign-in issues a new token that expires after
API_TOKEN_HOURS; only a digest is stored; a password change, deactivation or revocation ends it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request

from .models import ApiToken, User


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def token_issue(*, user: User, name: str = "", lifetime: timedelta | None) -> tuple[ApiToken, str]:
    """A new token for the user: (the row, the token itself, shown this once).

    `lifetime` None: valid until revoked (an integration account's named token).
    """
    now = timezone.now()
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=_digest(key),
        prefix=key[:8],
        auth_hash=user.get_session_auth_hash(),
        created_at=now,
        expires_at=now + lifetime if lifetime is not None else None,
    )
    # Tidy on the way: the user's expired tokens are of no further use.
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    return token, key


def token_issue_for_sign_in(*, user: User) -> tuple[ApiToken, str]:
    return token_issue(user=user, lifetime=timedelta(hours=settings.API_TOKEN_HOURS))


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


def token_check(key: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this key, or None (unknown, expired, revoked, password changed, or
    the user deactivated)."""
    token = ApiToken.objects.select_related("user").filter(digest=_digest(key)).first()
    if token is None:
        return None
    now = now or timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if not token.user.is_active:
        return None
    if not constant_time_compare(token.auth_hash, token.user.get_session_auth_hash()):
        return None
    return token


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against the stored digests."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = token_check(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        return token.user, token


def request_token(request: Request) -> ApiToken | None:
    """The token a request was authenticated with, if any."""
    auth = request.auth
    return auth if isinstance(auth, ApiToken) else None
