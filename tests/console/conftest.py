"""Fixtures for the agent console: signed-in browsers and a few tickets to look at."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from incidents import services
from incidents.models import Attachment, Ticket
from servicedesk.models import User


@pytest.fixture
def console_for(db: None) -> Callable[[User], Client]:
    """A browser signed in as the given user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def logged_ticket(agent: User, end_user: User) -> Ticket:
    """A new ticket the agent logged for end user A, waiting in the first-line queue."""
    return services.ticket_create(actor=agent, caller=end_user, title="Cannot log in to the EPR")


@pytest.fixture
def attach() -> Callable[..., Attachment]:
    """Attach a small text file to a ticket through the service."""

    def make(ticket: Ticket, actor: User, *, name: str = "error.log", internal: bool = False) -> Attachment:
        upload = SimpleUploadedFile(name, b"stack trace\n", content_type="text/plain")
        return services.attachment_add(ticket=ticket, actor=actor, upload=upload, internal=internal)

    return make

