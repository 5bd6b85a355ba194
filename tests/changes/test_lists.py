"""Finding changes: the API list and the console list filter by state, type, risk and service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from changes.models import ChangeType, Risk, State

from .factories import ChangeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(pacs, epr):
    return {
        "pacs": ChangeFactory(title="PACS patch", state=State.SCHEDULED, risk=Risk.LOW, services=[pacs]),
        "epr": ChangeFactory(
            title="EPR hotfix",
            state=State.APPROVED,
            risk=Risk.HIGH,
            change_type=ChangeType.EMERGENCY,
            services=[epr],
        ),
        "both": ChangeFactory(
            title="Network split", state=State.SCHEDULED, risk=Risk.HIGH, services=[pacs, epr]
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "scheduled"}, {"pacs", "both"}),
        ({"change_type": "emergency"}, {"epr"}),
        ({"risk": "high"}, {"epr", "both"}),
        ({"service": "pacs"}, {"pacs", "both"}),
        ({"q": "hotfix"}, {"epr"}),
        ({"q": "number:both"}, {"both"}),
    ],
)
def test_api_list_filters_changes(api_for, change_manager, changes, pacs, query, expected):
    query = dict(query)
    if query.get("service") == "pacs":
        query["service"] = pacs.pk
    if query.get("q", "").startswith("number:"):
        query["q"] = changes[query["q"].removeprefix("number:")].number

    response = api_for(change_manager).get("/api/changes/", query)

    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {changes[name].pk for name in expected}


def test_console_list_filters_by_state_and_service(console_for, resolver, changes, epr):
    response = console_for(resolver).get(reverse("changes:list"), {"state": "scheduled", "service": epr.pk})

    assert response.status_code == 200
    assert [change.title for change in response.context["changes"]] == ["Network split"]
    assert "Network split" in response.content.decode()
    assert "PACS patch" not in response.content.decode()
