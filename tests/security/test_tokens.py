"""Finding 3: API tokens expire, are stored hashed, and die on password change, deactivation and
revocation; integration accounts keep named long-lived tokens an admin lists and revokes."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.models import ApiToken, Role
from servicedesk.tokens import token_issue
from tests.factories import UserFactory


def _sign_in(user, password="pw") -> str:
    response = APIClient().post("/api/auth/token/", {"username": user.username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _works(token: str) -> bool:
    return _client(token).get("/api/tickets/").status_code == 200


def test_each_sign_in_gets_a_new_token_stored_only_as_a_digest(db):
    user = UserFactory(password="pw")
    first, second = _sign_in(user), _sign_in(user)

    assert first != second
    assert _works(first) and _works(second)
    stored = set(ApiToken.objects.filter(user=user).values_list("digest", flat=True))
    assert first not in stored and second not in stored
    assert not ApiToken.objects.filter(digest__in=[first, second]).exists()


def test_a_token_stops_working_after_it_expires(db, settings):
    settings.API_TOKEN_HOURS = 10
    user = UserFactory(password="pw")
    token = _sign_in(user)

    with time_machine.travel(timezone.now() + timedelta(hours=9, minutes=59)):
        assert _works(token)
    with time_machine.travel(timezone.now() + timedelta(hours=10, seconds=1)):
        response = _client(token).get("/api/tickets/")
    assert response.status_code == 401


def test_a_token_stops_working_after_a_password_change(db):
    user = UserFactory(password="pw")
    token = _sign_in(user)

    user.set_password("a new password")
    user.save()

    assert not _works(token)


def test_a_token_stops_working_when_its_user_is_deactivated(db):
    user = UserFactory(password="pw")
    token = _sign_in(user)

    user.is_active = False
    user.save()

    assert not _works(token)


def test_a_token_stops_working_after_logout(db):
    user = UserFactory(password="pw")
    token = _sign_in(user)

    assert _client(token).post("/api/auth/logout/").status_code == 204

    assert not _works(token)
    assert not ApiToken.objects.filter(user=user).exists()


def test_an_integration_token_lives_until_an_admin_revokes_it(db, admin_client):
    account = UserFactory(username="monitoring", role=Role.INTEGRATION)
    token, key = token_issue(user=account, name="Monitoring", lifetime=None)

    with time_machine.travel(timezone.now() + timedelta(days=400)):
        assert _client(key).get("/api/contacts/").status_code == 200

    listing = admin_client.get("/admin/servicedesk/apitoken/")
    assert listing.status_code == 200 and "Monitoring" in listing.content.decode()
    assert key not in listing.content.decode()
    admin_client.post(
        "/admin/servicedesk/apitoken/",
        {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes"},
    )

    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert _client(key).get("/api/contacts/").status_code == 401


def test_an_admin_issues_a_named_token_shown_once(db, admin_client):
    account = UserFactory(username="telephony", role=Role.INTEGRATION)

    response = admin_client.post(
        "/admin/servicedesk/apitoken/add/", {"user": account.pk, "name": "Telephony"}, follow=True
    )

    token = ApiToken.objects.get(user=account)
    assert token.name == "Telephony" and token.expires_at is None
    shown = [str(message) for message in response.context["messages"]]
    key = next(word for text in shown for word in text.split() if word.startswith(token.prefix))
    assert _client(key).get("/api/contacts/").status_code == 200


def test_the_token_contract_is_kept(db):
    user = UserFactory(password="pw")

    response = APIClient().post(
        "/api/auth/token/", {"username": user.username, "password": "pw"}, format="json"
    )

    assert response.status_code == 200
    assert isinstance(response.json()["token"], str)
