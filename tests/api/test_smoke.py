from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_agent_logs_a_ticket_through_the_api(api_for, agent, end_user):
    response = api_for(agent).post("/api/tickets/", {"caller": end_user.pk, "title": "PC will not start"})
    assert response.status_code == 201, response.content
    assert response.json()["number"].startswith("INC")
