"""Sign-in throttling for the login form, the admin's and the API token endpoint (django-axes).

Failures are counted in the shared cache (Redis, or the database table of the SQLite demo) per
account and per client address; at LOGIN_FAILURE_LIMIT either is refused with 429 and a
Retry-After until LOGIN_LOCKOUT_MINUTES have passed since its last counted failure. Failures
while refused are not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False), so an
attacker cannot stretch a real user's lockout, and a success resets the account's count.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class ThrottledBackend(AxesStandaloneBackend):
    """Refuses every sign-in of a locked-out account or address (before any password check)."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            # In-process calls (management commands, tests) have no client to throttle.
            return None
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[no-any-return]


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost trusted proxy saw (X-Forwarded-For entries left of it are the client's own word)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def retry_after_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = max(1, retry_after_seconds() // 60)
    return _(
        "Too many failed sign-in attempts. Sign-in is paused for this account or address: "
        "try again in %(minutes)d minutes."
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The 429 answer to a refused sign-in: JSON on the API, the login page with the message
    elsewhere (the form is shown again, empty, for after the pause)."""
    message = lockout_message()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "throttled"}, status=429)
    else:
        form = AuthenticationForm(request)
        response = render(request, "registration/login.html", {"form": form, "lockout": message}, status=429)
    response["Retry-After"] = str(retry_after_seconds())
    return response
