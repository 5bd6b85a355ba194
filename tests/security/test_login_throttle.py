"""Finding 2: failed sign-ins are throttled by account and by client address, on the login form
and on the token endpoint, with a clear message and Retry-After; the lockout ends by itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory

LIMIT = 5


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _form(username, password, address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})


def _api(username, password, address="10.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_the_login_form_answers_429_with_a_message_after_the_failure_limit(db):
    UserFactory(username="nurse", password="right")
    answers = [_form("nurse", "wrong").status_code for _ in range(LIMIT - 1)]
    assert answers == [200] * (LIMIT - 1)  # the form again, with its error

    refused = _form("nurse", "wrong")
    right = _form("nurse", "right")

    assert refused.status_code == 429
    assert right.status_code == 429  # even the right password waits out the pause
    assert "Too many failed sign-in attempts" in right.content.decode()
    assert int(right["Retry-After"]) == 15 * 60


def test_the_token_endpoint_answers_429_after_the_failure_limit(db):
    UserFactory(username="nurse", password="right")
    for _ in range(LIMIT - 1):
        assert _api("nurse", "wrong").status_code == 400

    refused = _api("nurse", "right") if _api("nurse", "wrong").status_code == 429 else None

    assert refused is not None and refused.status_code == 429
    assert "token" not in refused.json()
    assert refused.json()["detail"].startswith("Too many failed sign-in attempts")
    assert int(refused["Retry-After"]) == 15 * 60


def test_thirty_wrong_passwords_then_the_right_one_is_refused_on_both(db):
    UserFactory(username="nurse", password="right")
    for _ in range(15):
        _form("nurse", "wrong")
        _api("nurse", "wrong")

    assert _form("nurse", "right").status_code == 429
    assert _api("nurse", "right").status_code == 429


def test_the_right_password_works_again_after_the_window(db):
    UserFactory(username="nurse", password="right")
    for _ in range(30):
        _api("nurse", "wrong")
    assert _api("nurse", "right").status_code == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        # The locmem cache expires by wall-clock time as well.
        assert _api("nurse", "right").status_code == 200
        assert _form("nurse", "right").status_code == 302


def test_an_account_is_throttled_whatever_address_the_guesses_come_from(db):
    UserFactory(username="nurse", password="right")
    for n in range(LIMIT):
        _api("nurse", "wrong", address=f"10.0.1.{n}")

    assert _api("nurse", "right", address="10.0.2.1").status_code == 429


def test_an_address_is_throttled_whatever_accounts_it_guesses(db):
    UserFactory(username="nurse", password="right")
    for n in range(LIMIT):
        _form(f"someone{n}", "wrong", address="10.0.3.3")

    assert _form("nurse", "right", address="10.0.3.3").status_code == 429
    assert _form("nurse", "right", address="10.0.3.4").status_code == 302  # others sign in


def test_a_success_before_the_limit_clears_the_count(db):
    UserFactory(username="nurse", password="right")
    for _ in range(LIMIT - 1):
        _api("nurse", "wrong")
    assert _api("nurse", "right").status_code == 200

    for _ in range(LIMIT - 1):
        _api("nurse", "wrong")
    assert _api("nurse", "right").status_code == 200
