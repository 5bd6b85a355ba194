"""The change list and the calendar run a fixed number of queries, however many changes they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes.models import State
from tests.factories import AssignmentGroupFactory, ServiceFactory, UserFactory

from .factories import ChangeFactory
from .helpers import evening

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    client.get(url)  # warm-up: one-off work (e.g. first-use caches) is not what we measure
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_changes(count: int, service) -> None:
    """Scheduled changes this week, each with its own people, group and a second service of its own."""
    start, end = evening(0)
    for _ in range(count):
        ChangeFactory(
            state=State.SCHEDULED,
            planned_start=start,
            planned_end=end,
            owner=UserFactory(),
            implementer_group=AssignmentGroupFactory(),
            services=[service, ServiceFactory()],
        )


def test_change_list_runs_as_many_queries_for_50_changes_as_for_5(console_for, change_manager, pacs):
    client = console_for(change_manager)
    url = reverse("changes:list") + f"?service={pacs.pk}&state=scheduled"
    add_changes(5, pacs)
    with_5 = queries_for(client, url)

    add_changes(45, pacs)
    with_50 = queries_for(client, url)

    assert with_5 == with_50


@pytest.mark.parametrize("query", ["", "?view=month", "?view=week&service={service}"])
def test_calendar_runs_as_many_queries_for_50_changes_as_for_5(console_for, change_manager, pacs, query):
    client = console_for(change_manager)
    url = reverse("changes:calendar") + query.format(service=pacs.pk)
    add_changes(5, pacs)
    with_5 = queries_for(client, url)

    add_changes(45, pacs)
    with_50 = queries_for(client, url)

    assert with_5 == with_50
    page = client.get(url).content.decode()
    assert page.count("Upgrade application server") >= 50
