from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from incidents.models import ContactQueue
from servicedesk.models import Role
from tests.factories import UserFactory


@pytest.fixture
def queue(first_line_group) -> ContactQueue:
    return ContactQueue.objects.create(code="main", name="Main number", group=first_line_group)


@pytest.fixture
def telephony() -> APIClient:
    """The telephony system's API client (a dedicated integration account, token auth)."""
    from rest_framework.authtoken.models import Token

    account = UserFactory(username="telephony", role=Role.INTEGRATION)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=account).key}")
    return client
