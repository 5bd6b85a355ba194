"""Fixtures for the portal: signed-in browsers and tickets in each state."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from incidents import services
from incidents.models import Ticket
from servicedesk.models import User


@pytest.fixture
def browser_for(db: None) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def open_ticket(agent: User, end_user: User) -> Ticket:
    return services.ticket_create(actor=agent, caller=end_user, title="Skriveren på post 3 skriver ikke")


@pytest.fixture
def resolved_ticket(agent: User, open_ticket: Ticket) -> Ticket:
    return services.ticket_resolve(
        ticket=open_ticket, actor=agent, code="solved", note="Byttet toner. Skriveren virker igjen."
    )
