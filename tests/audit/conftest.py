"""Fixtures for the access log and retention: an auditor, signed-in browsers, a ticket."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from incidents import services
from incidents.models import Ticket
from servicedesk.models import Role, User
from tests.factories import UserFactory


@pytest.fixture
def auditor(db: None) -> User:
    return UserFactory(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def console_for(db: None) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client(REMOTE_ADDR="10.1.2.3")
        client.force_login(user)
        return client

    return make


@pytest.fixture
def ticket(agent: User, end_user: User) -> Ticket:
    """End user A's ticket, logged by the agent, waiting in the first-line queue."""
    return services.ticket_create(actor=agent, caller=end_user, title="Cannot log in to the EPR")
