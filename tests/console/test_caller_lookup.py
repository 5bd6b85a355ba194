"""Caller look-up: the log-a-call form finds people by name, phone or e-mail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicedesk.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOOKUP_URL = reverse("console:callers")


@pytest.fixture
def kari(db: None) -> User:
    return UserFactory(
        first_name="Kari", last_name="Nordmann", phone="91234567", email="kari.nordmann@example.org"
    )


@pytest.fixture
def ola(db: None) -> User:
    return UserFactory(first_name="Ola", last_name="Hansen", phone="40000000", email="ola.hansen@example.org")


def choice(user: User) -> str:
    return f'name="caller" value="{user.pk}"'


@pytest.mark.parametrize("query", ["Nordmann", "kari nord", "91234567", "kari.nordmann@example"])
def test_caller_lookup_finds_the_person_by_name_phone_or_email(console_for, agent, kari, ola, query):
    response = console_for(agent).get(LOOKUP_URL, {"q": query})

    assert response.status_code == 200
    assert choice(kari) in response.content.decode()
    assert choice(ola) not in response.content.decode()


def test_caller_lookup_returns_at_most_ten_people(console_for, agent):
    UserFactory.create_batch(12, last_name="Berg")

    response = console_for(agent).get(LOOKUP_URL, {"q": "Berg"})

    assert response.content.decode().count('name="caller"') == 10


def test_caller_lookup_without_javascript_shows_results_on_the_log_call_page(console_for, agent, kari):
    response = console_for(agent).get(reverse("console:ticket-new"), {"caller_q": "91234567"})

    assert choice(kari) in response.content.decode()


def test_caller_lookup_is_for_service_desk_staff_only(console_for, end_user, kari):
    response = console_for(end_user).get(LOOKUP_URL, {"q": "Nordmann"})

    assert response.status_code == 302  # end users are sent to the portal
    assert response["Location"].startswith("/portal/")
