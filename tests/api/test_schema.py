"""The API is a public contract: its OpenAPI 3 schema must validate and its docs must load."""

from __future__ import annotations

import pytest
import yaml
from openapi_spec_validator import validate
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_openapi_schema_validates_and_covers_the_fixed_paths(api_for, agent):
    response = api_for(agent).get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    for path in [
        "/api/auth/token/",
        "/api/tickets/",
        "/api/tickets/{id}/",
        "/api/tickets/{id}/comments/",
        "/api/tickets/{id}/attachments/",
        "/api/tickets/{id}/events/",
        "/api/tickets/{id}/resolve/",
        "/api/queues/",
        "/api/queues/{id}/claim-next/",
        "/api/services/",
        "/api/groups/",
        "/api/users/",
    ]:
        assert path in schema["paths"], path


def test_api_docs_page_loads_with_local_assets(agent):
    client = APIClient()
    client.force_login(agent)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"cdn.jsdelivr" not in response.content  # served from our own static files
