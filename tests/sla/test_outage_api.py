"""`/api/outages/`: monitoring's down/up events (idempotent), managers' corrections, staff's list.
A refused request changes nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.models import Role, Service, User
from servicedesk.tokens import token_issue
from sla.models import Outage, OutageCause, OutageEvent
from tests.factories import OutageFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(hours=3)


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def stored() -> list[tuple[object, ...]]:
    """Everything stored about outages, to compare before and after a refused request."""
    outages = list(
        Outage.objects.order_by("id").values_list("id", "service", "started_at", "ended_at", "note")
    )
    return [*outages, ("events", OutageEvent.objects.count())]


@pytest.fixture
def pas(db: None) -> Service:
    return ServiceFactory(name="PAS", tier=1)


@pytest.fixture
def monitoring(db: None) -> APIClient:
    """The monitoring system's API client (an integration account, token auth)."""
    account = UserFactory(username="monitoring", role=Role.INTEGRATION)
    client = APIClient()
    _token, key = token_issue(user=account, name="monitoring", lifetime=None)  # a named integration token
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def manager(db: None) -> User:
    return UserFactory(username="manager", role=Role.MANAGER)


def post(client: APIClient, service: Service, event: str, minutes: float) -> object:
    return client.post("/api/outages/", {"service": service.pk, "event": event, "at": at(minutes)})


def test_monitoring_reports_a_service_down_and_up_again(monitoring, pas):
    down = post(monitoring, pas, "down", 0)
    up = post(monitoring, pas, "up", 30)

    assert (down.status_code, up.status_code) == (201, 200)
    outage = Outage.objects.get()
    assert (outage.cause, outage.planned, outage.started_at, outage.ended_at) == (
        OutageCause.MONITORING,
        False,
        T0,
        T0 + timedelta(minutes=30),
    )
    assert up.json()["is_open"] is False
    assert list(outage.events.values_list("action", "field")) == [("created", ""), ("ended", "ended_at")]


def test_a_repeated_down_or_up_returns_200_and_changes_nothing(monitoring, pas):
    post(monitoring, pas, "down", 0)
    before = stored()
    assert post(monitoring, pas, "down", 0).status_code == 200
    assert post(monitoring, pas, "down", 5).status_code == 200  # still down: nothing new
    assert stored() == before

    post(monitoring, pas, "up", 30)
    before = stored()
    assert post(monitoring, pas, "up", 30).status_code == 200
    assert post(monitoring, pas, "down", 0).status_code == 200  # a late retry of the first down
    assert stored() == before


def test_up_for_a_service_that_is_not_down_is_409_and_changes_nothing(monitoring, pas):
    response = post(monitoring, pas, "up", 30)

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert stored() == [("events", 0)]


def test_up_before_the_down_is_400_and_changes_nothing(monitoring, pas):
    post(monitoring, pas, "down", 30)
    before = stored()

    response = post(monitoring, pas, "up", 10)

    assert response.status_code == 400
    assert "at" in response.json()
    assert stored() == before


def test_events_in_the_future_or_incomplete_are_400(monitoring, pas):
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert (
        monitoring.post("/api/outages/", {"service": pas.pk, "event": "down", "at": future}).status_code
        == 400
    )
    assert monitoring.post("/api/outages/", {"service": pas.pk, "event": "down"}).status_code == 400
    assert (
        monitoring.post("/api/outages/", {"service": 999999, "event": "down", "at": at(0)}).status_code == 400
    )
    assert (
        monitoring.post("/api/outages/", {"service": pas.pk, "event": "sideways", "at": at(0)}).status_code
        == 400
    )
    assert stored() == [("events", 0)]


def test_a_new_down_after_an_up_opens_a_new_outage(monitoring, pas):
    post(monitoring, pas, "down", 0)
    post(monitoring, pas, "up", 10)

    response = post(monitoring, pas, "down", 60)

    assert response.status_code == 201
    assert Outage.objects.filter(ended_at__isnull=True).count() == 1
    assert Outage.objects.count() == 2


def test_only_the_integration_posts_monitoring_events(api_for, agent, manager, end_user, pas):
    body = {"service": pas.pk, "event": "down", "at": at(0)}

    assert api_for(agent).post("/api/outages/", body).status_code == 403
    assert api_for(manager).post("/api/outages/", body).status_code == 403
    assert api_for(end_user).post("/api/outages/", body).status_code == 403
    assert stored() == [("events", 0)]


def test_a_manager_records_an_outage_by_hand_and_corrects_it_with_history(api_for, manager, pas):
    client = api_for(manager)
    created = client.post(
        "/api/outages/", {"service": pas.pk, "started_at": at(0), "note": "Reported by phone"}
    )
    assert created.status_code == 201
    outage_id = created.json()["id"]
    assert created.json()["cause"] == "manual"
    assert created.json()["is_open"] is True

    changed = client.patch(f"/api/outages/{outage_id}/", {"started_at": at(-15), "ended_at": at(45)})

    assert changed.status_code == 200
    outage = Outage.objects.get(pk=outage_id)
    assert (outage.started_at, outage.ended_at) == (T0 - timedelta(minutes=15), T0 + timedelta(minutes=45))
    history = client.get(f"/api/outages/{outage_id}/events/").json()
    assert [(e["action"], e["field"], e["actor"]) for e in history] == [
        ("created", "", "manager"),
        ("updated", "started_at", "manager"),
        ("updated", "ended_at", "manager"),
    ]


def test_an_outage_ending_before_it_starts_is_400_and_changes_nothing(api_for, manager, pas):
    outage = OutageFactory(service=pas, started_at=T0, ended_at=T0 + timedelta(hours=1))
    before = stored()

    patched = api_for(manager).patch(f"/api/outages/{outage.pk}/", {"ended_at": at(-10)})
    created = api_for(manager).post(
        "/api/outages/", {"service": pas.pk, "started_at": at(0), "ended_at": at(-1)}
    )

    assert (patched.status_code, created.status_code) == (400, 400)
    assert "ended_at" in patched.json()
    assert stored() == before


def test_only_managers_edit_outages(api_for, agent, resolver, end_user, pas):
    outage = OutageFactory(service=pas, started_at=T0)
    before = stored()
    body = {"ended_at": at(10)}

    assert api_for(agent).patch(f"/api/outages/{outage.pk}/", body).status_code == 403
    assert api_for(resolver).patch(f"/api/outages/{outage.pk}/", body).status_code == 403
    assert api_for(end_user).patch(f"/api/outages/{outage.pk}/", body).status_code == 403
    assert api_for(agent).post("/api/outages/", {"service": pas.pk, "started_at": at(0)}).status_code == 403
    assert stored() == before


def test_the_service_and_cause_of_an_outage_cannot_be_changed(api_for, manager, pas):
    outage = OutageFactory(service=pas, started_at=T0)
    before = stored()

    response = api_for(manager).patch(
        f"/api/outages/{outage.pk}/", {"service": ServiceFactory().pk, "cause": "change"}
    )

    assert response.status_code == 400
    assert stored() == before


def test_staff_list_outages_filtered_by_service_planned_open_and_period(api_for, agent, end_user, pas):
    epr = ServiceFactory(name="EPR", tier=1)
    old = OutageFactory(service=pas, started_at=T0 - timedelta(days=40), ended_at=T0 - timedelta(days=39))
    planned = OutageFactory(service=pas, started_at=T0, ended_at=T0 + timedelta(hours=1), planned=True)
    ongoing = OutageFactory(service=epr, started_at=T0 + timedelta(hours=1))
    client = api_for(agent)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/outages/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {old.pk, planned.pk, ongoing.pk}
    assert ids(f"service={pas.pk}") == {old.pk, planned.pk}
    assert ids("planned=true") == {planned.pk}
    assert ids("open=true") == {ongoing.pk}
    assert ids("open=false") == {old.pk, planned.pk}
    period_start = (T0 - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    period_end = (T0 + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    assert ids(f"period_start={period_start}&period_end={period_end}") == {planned.pk}
    assert ids(f"period_start={period_start}") == {planned.pk, ongoing.pk}
    assert api_for(end_user).get("/api/outages/").status_code == 403


def test_the_list_takes_the_same_number_of_queries_for_many_outages(
    api_for, agent, pas, django_assert_max_num_queries
):
    for hour in range(30):
        OutageFactory(service=ServiceFactory(), started_at=T0 - timedelta(hours=hour))
    with django_assert_max_num_queries(4):
        assert api_for(agent).get("/api/outages/?page_size=50").status_code == 200
