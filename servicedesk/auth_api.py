"""`POST /api/auth/token/` (sign in for a token) and `POST /api/auth/logout/` (revoke it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from . import login_throttle, tokens
from .api_support import validated


class TokenInput(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenOutput(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`")
    expires_at = serializers.DateTimeField(allow_null=True)


class TokenRequestRate(AnonRateThrottle):
    """Requests for tokens per client address, whatever their outcome (failures are counted
    separately, per account and per address, by login_throttle)."""

    scope = "token"

    def get_rate(self) -> str:
        return str(settings.API_TOKEN_REQUEST_RATE)

    def get_ident(self, request: Request) -> str:
        return login_throttle.client_address(request._request) or ""


@extend_schema(
    request=TokenInput,
    responses={
        200: TokenOutput,
        400: OpenApiResponse(description="Wrong user name or password"),
        429: OpenApiResponse(description="Too many failures: see Retry-After"),
    },
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([permissions.AllowAny])
@throttle_classes([TokenRequestRate])
def obtain_token(request: Request) -> Response:
    """A new token for the user name and password; it expires after API_TOKEN_HOURS."""
    data = validated(TokenInput, request)
    django_request = request._request
    user = authenticate(django_request, username=data["username"], password=data["password"])
    if getattr(django_request, "axes_locked_out", False):
        # Counted as a failure by the throttle; the middleware answers with the same 429.
        return Response(
            {"detail": login_throttle.lockout_message(), "code": "throttled"},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(login_throttle.retry_after_seconds())},
        )
    if user is None or not user.is_active:
        return Response(
            {"non_field_errors": ["Unable to log in with provided credentials."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    # As a session sign-in does: records last_login and clears the account's failure count.
    user_logged_in.send(sender=user.__class__, request=django_request, user=user)
    token, key = tokens.token_issue_for_sign_in(user=user)  # type: ignore[arg-type]
    return Response(TokenOutput({"token": key, "expires_at": token.expires_at}).data)


@extend_schema(
    request=inline_serializer("LogoutInput", fields={}),
    responses={204: OpenApiResponse(description="The token is revoked")},
)
@api_view(["POST"])
def logout(request: Request) -> Response:
    """Revoke the token this request is authenticated with."""
    token = tokens.request_token(request)
    if token is not None:
        tokens.token_revoke(token=token)
    return Response(status=status.HTTP_204_NO_CONTENT)
