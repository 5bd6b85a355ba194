"""Finding 6: a date parameter out of range anywhere is a 400 or a clamped page, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from changes.models import Change

EDGES = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-12:00",
]


@pytest.mark.parametrize("view", ["week", "month"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_the_change_calendar_at_the_edges_of_time_shows_a_page(agent, view, day):
    client = Client()
    client.force_login(agent)

    response = client.get("/console/changes/calendar/", {"view": view, "date": day})

    assert response.status_code in (200, 400)


@pytest.mark.parametrize("value", EDGES)
def test_dates_at_the_edges_of_time_are_refused_or_served_on_every_list_and_form(agent, value):
    console = Client()
    console.force_login(agent)
    api = APIClient()
    api.force_authenticate(agent)

    for url in ["/console/tickets/", "/console/tickets/export.csv", "/console/changes/"]:
        for name in ("created_after", "created_before", "planned_after", "planned_before"):
            assert console.get(url, {name: value}).status_code in (200, 400), (url, name)
    for url in ["/api/tickets/", "/api/changes/"]:
        for name in ("created_after", "created_before", "planned_after", "planned_before"):
            assert api.get(url, {name: value}).status_code in (200, 400), (url, name)

    created = api.post(
        "/api/changes/", {"title": "x", "planned_start": value, "planned_end": value}, format="json"
    )
    form = console.post(
        "/console/changes/new/",
        {
            "change_type": "normal",
            "title": "x",
            "impact": 3,
            "planned_start": value[:16],
            "planned_end": value[:16],
        },
    )

    assert created.status_code == 400
    assert form.status_code == 400
    assert not Change.objects.exists()
