from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from contacts.models import ContactQueue
from servicedesk.models import Role
from servicedesk.tokens import token_issue
from tests.factories import UserFactory


@pytest.fixture
def queue(first_line_group) -> ContactQueue:
    return ContactQueue.objects.create(code="main", name="Main number", group=first_line_group)


@pytest.fixture
def telephony() -> APIClient:
    """The telephony system's API client (a dedicated integration account, with the named,
    long-lived token an admin issues it)."""
    account = UserFactory(username="telephony", role=Role.INTEGRATION)
    _token, key = token_issue(user=account, name="Telephony", lifetime=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client
