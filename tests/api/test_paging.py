"""The API list's count stops at a cap (an exact count of a million rows costs more than the
page); its pages do not: an integration following `next` still gets every row once."""

from __future__ import annotations

import pytest

from servicedesk import paging

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve_tickets(end_user, ticket_of):
    return [ticket_of(end_user) for _ in range(12)]


def test_past_the_cap_the_count_says_so_and_next_still_reaches_every_row(
    api_for, agent, twelve_tickets, monkeypatch
):
    monkeypatch.setattr(paging, "API_CAP", 5)
    client = api_for(agent)

    first = client.get("/api/tickets/", {"ordering": "id", "page_size": 5}).json()
    assert (first["count"], first["count_capped"]) == (5, True)

    seen, body = [], first
    while True:
        seen += [row["id"] for row in body["results"]]
        if body["next"] is None:
            break
        body = client.get(body["next"]).json()
    assert seen == [ticket.pk for ticket in twelve_tickets]
    assert body["previous"] is not None  # the third page links back

    assert client.get("/api/tickets/", {"page_size": 5, "page": 4}).status_code == 404
    assert client.get("/api/tickets/", {"page_size": 5, "page": "x"}).status_code == 404


def test_below_the_cap_the_count_is_exact(api_for, agent, twelve_tickets):
    body = api_for(agent).get("/api/tickets/", {"page_size": 5, "page": 3}).json()

    assert (body["count"], body["count_capped"]) == (12, False)
    assert len(body["results"]) == 2 and body["next"] is None
