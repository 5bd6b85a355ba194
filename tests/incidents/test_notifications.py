"""Side effects run on a real Celery worker over Redis, after commit, and never lose a ticket."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Ticket
from servicedesk.celery import app as celery_app

# serialized_rollback: keep the migrations' seed data (the priority matrix) across the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.redis
def test_caller_gets_an_email_from_the_worker_when_the_ticket_is_logged(agent, end_user):
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        ticket = services.ticket_create(actor=agent, caller=end_user, title="Monitor is black")

        assert _wait_for(lambda: any(ticket.number in m.subject for m in mail.outbox))

    message = next(m for m in mail.outbox if ticket.number in m.subject)
    assert message.to == [end_user.email]


@pytest.mark.redis
def test_group_is_emailed_when_a_ticket_is_escalated_to_it(agent, end_user, second_line_group):
    celery_app.control.purge()
    ticket = services.ticket_create(actor=agent, caller=end_user, title="Lab results missing")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        services.ticket_escalate(ticket=ticket, actor=agent, group=second_line_group)

        assert _wait_for(lambda: any(second_line_group.email in m.to for m in mail.outbox))


def test_ticket_is_saved_promptly_when_the_broker_is_down(agent, end_user, caplog):
    """Nothing is lost: the ticket is logged even if its e-mail cannot be enqueued."""
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    celery_app.pool.force_close_all()
    client = APIClient()
    client.force_authenticate(agent)
    try:
        started = time.monotonic()
        response = client.post(
            "/api/tickets/", {"caller": end_user.pk, "title": "Broker is down"}, format="json"
        )
        elapsed = time.monotonic() - started
    finally:
        celery_app.conf.broker_url = original
        celery_app.pool.force_close_all()

    assert response.status_code == 201
    assert Ticket.objects.filter(pk=response.json()["id"]).exists()
    assert elapsed < 10  # bounded by the broker timeouts, no hang
    assert any(
        "on_commit" in record.getMessage() for record in caplog.records
    )  # the failed enqueue is logged


def test_notification_is_written_in_the_callers_language(end_user, first_line_group):
    from incidents.tasks import notify_ticket
    from tests.factories import TicketFactory

    end_user.preferred_language = "nb"
    end_user.save(update_fields=["preferred_language"])
    ticket = TicketFactory(caller=end_user, assignment_group=first_line_group)

    notify_ticket(ticket.pk, "created")  # the task's body, run here directly

    assert mail.outbox[-1].subject == f"Saken din {ticket.number} er registrert"
