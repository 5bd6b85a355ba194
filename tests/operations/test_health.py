"""The health endpoint, the console's health page and `manage.py health`.

/healthz is for load balancers and monitoring: no login, nothing about people or tickets, 503
when the database or the broker is down or when the last dispatch or sweep is too old (beat or
every worker has stopped).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.functions import Now
from django.test import Client

from servicedesk import heartbeat
from servicedesk.models import Heartbeat
from servicedesk.tasks import dispatch_outbox
from sla.tasks import sweep_clocks

from .conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs_ran() -> None:
    """The periodic tasks ran just now (each records its heartbeat)."""
    dispatch_outbox.apply()
    sweep_clocks.apply()


def _age(name: str, seconds: int) -> None:
    Heartbeat.objects.filter(name=name).update(beat_at=Now() - timedelta(seconds=seconds))


@pytest.mark.redis
def test_health_endpoint_answers_200_without_login_when_everything_works(jobs_ran):
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    # Only states and ages: nothing about people, tickets or addresses.
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["broker"] == {"ok": True}
    for job in ("dispatch", "sweep"):
        assert body["checks"][job]["ok"] is True
        assert set(body["checks"][job]) == {"ok", "age_seconds", "max_age_seconds"}
        assert 0 <= body["checks"][job]["age_seconds"] < 10


@pytest.mark.redis
def test_health_endpoint_answers_503_when_the_last_sweep_is_older_than_the_limit(jobs_ran, settings):
    settings.HEARTBEAT_MAX_AGE_SECONDS = 60
    _age(heartbeat.SWEEP, 61)

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "failing"
    assert response.json()["checks"]["sweep"]["ok"] is False
    assert response.json()["checks"]["sweep"]["age_seconds"] >= 61
    assert response.json()["checks"]["dispatch"]["ok"] is True


@pytest.mark.redis
def test_the_staleness_limit_is_a_setting(jobs_ran, settings):
    _age(heartbeat.DISPATCH, 100)

    settings.HEARTBEAT_MAX_AGE_SECONDS = 120
    assert Client().get("/healthz").status_code == 200
    settings.HEARTBEAT_MAX_AGE_SECONDS = 90
    assert Client().get("/healthz").status_code == 503


@pytest.mark.redis
def test_health_endpoint_answers_503_when_no_dispatch_ever_ran():
    sweep_clocks.apply()

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["dispatch"] == {"ok": False, "age_seconds": None, "max_age_seconds": 60}


def test_health_endpoint_answers_503_when_the_broker_is_down(jobs_ran, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False}
    assert response.json()["checks"]["database"] == {"ok": True}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_health_endpoint_answers_503_when_the_database_is_down():
    with pytest.raises(Exception), connection.cursor() as cursor:  # noqa: B017 (psycopg's own error types)
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")  # PostgreSQL drops us

    try:
        response = Client().get("/healthz")
    finally:
        connection.close()  # the next query connects again

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": False}
    assert checks["dispatch"]["ok"] is False and checks["sweep"]["ok"] is False


@pytest.mark.redis
def test_a_load_balancer_can_ask_for_the_database_alone(jobs_ran):
    _age(heartbeat.DISPATCH, 3600)  # beat is down: the web still serves

    response = Client().get("/healthz", {"check": "database"})

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": {"ok": True}}


def test_each_periodic_task_records_its_heartbeat_when_it_completes():
    assert heartbeat.pulses()[0].age_seconds is None

    dispatch_outbox.apply()
    sweep_clocks.apply()

    assert {pulse.name: pulse.ok for pulse in heartbeat.pulses()} == {"dispatch": True, "sweep": True}


@pytest.mark.redis
def test_staff_see_the_health_page_with_each_check(client, agent, jobs_ran):
    _age(heartbeat.SWEEP, 3600)
    client.force_login(agent)

    response = client.get("/console/health/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Notification dispatch" in text and "SLA sweep" in text and "Message broker" in text
    assert "Something is not working" in text
    assert "3600 s ago (limit 60 s)" in text


def test_end_users_do_not_get_the_health_page(client, end_user):
    client.force_login(end_user)

    response = client.get("/console/health/")

    # End users never see a console page: they are sent to the portal's home, which shows nothing
    # of the health figures.
    assert (response.status_code, response["Location"]) == (302, "/portal/")


@pytest.mark.redis
def test_health_command_exits_with_an_error_when_a_job_is_stale(jobs_ran, capsys):
    call_command("health", "--only", "dispatch", "sweep")
    assert '"dispatch": {"ok": true' in capsys.readouterr().out

    _age(heartbeat.DISPATCH, 3600)
    with pytest.raises(CommandError, match="dispatch"):
        call_command("health", "--only", "dispatch", "sweep")
