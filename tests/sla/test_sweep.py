"""The sweep records each warning and each breach exactly once, and owes its notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError

from incidents import services
from servicedesk.models import OutboxMessage, Role
from servicedesk.outbox import dispatch_pending
from sla.models import Clock, ClockAlert, Metric
from sla.scan import sweep
from tests.factories import UserFactory

from .conftest import oslo

pytestmark = pytest.mark.django_db


@pytest.fixture
def p2_ticket(at, agent, end_user, first_line_group):
    """P2 logged Mon 3 March 2025 09:00: response due 10:00 (warnings 09:45, 09:54)."""
    with at(oslo(2025, 3, 3, 9, 0)):
        return services.ticket_create(actor=agent, caller=end_user, title="Lab printer", impact=2, urgency=1)


def _alerts(ticket):
    return sorted(
        (a.clock.metric, a.kind, a.level)
        for a in ClockAlert.objects.filter(ticket=ticket).select_related("clock")
    )


def test_warnings_then_breach_are_recorded_once_each(p2_ticket):
    response = Clock.objects.get(ticket=p2_ticket, metric=Metric.RESPONSE)
    # 75 % of 3,600 s = 2,700 s → 09:45; 90 % = 3,240 s → 09:54; 100 % → 10:00.
    assert response.next_check_at == oslo(2025, 3, 3, 9, 45)

    first = sweep(now=oslo(2025, 3, 3, 9, 50))
    again = sweep(now=oslo(2025, 3, 3, 9, 50))
    late = sweep(now=oslo(2025, 3, 3, 10, 5))
    later = sweep(now=oslo(2025, 3, 3, 10, 30))

    assert (first.warnings, first.breaches) == (1, 0)
    assert (again.warnings, again.breaches) == (0, 0)
    assert (late.warnings, late.breaches) == (1, 1)
    assert (later.warnings, later.breaches) == (0, 0)
    assert _alerts(p2_ticket) == [
        ("response", "breach", 0),
        ("response", "warning", 1),
        ("response", "warning", 2),
    ]
    response.refresh_from_db()
    assert response.breached_at == oslo(2025, 3, 3, 10, 0)
    assert response.next_check_at is None  # nothing more to find: the index no longer holds it


def test_a_sweep_long_after_records_every_missed_threshold_once(p2_ticket):
    result = sweep(now=oslo(2025, 3, 3, 15, 0))

    # Response (3 thresholds by 10:00) and resolution (8 h: 75 % = 6 h → 15:00 is its first warning).
    assert (result.warnings, result.breaches) == (3, 1)
    assert ("resolution", "warning", 1) in _alerts(p2_ticket)


def test_a_clock_that_stopped_in_time_is_never_reported(at, p2_ticket, agent):
    with at(oslo(2025, 3, 3, 9, 30)):
        services.ticket_claim(ticket=p2_ticket, actor=agent)

    sweep(now=oslo(2025, 3, 3, 10, 30))

    assert all(metric != "response" for metric, _kind, _level in _alerts(p2_ticket))


def test_the_database_refuses_a_second_record_of_the_same_breach(p2_ticket):
    sweep(now=oslo(2025, 3, 3, 10, 5))
    alert = ClockAlert.objects.get(ticket=p2_ticket, kind="breach")
    alert.pk = None

    with pytest.raises(IntegrityError):
        alert.save()


def test_breach_notifies_assignee_group_and_managers_by_email(
    at, p2_ticket, agent, first_line_group, settings
):
    settings.LANGUAGE_CODE_FOR_GROUPS = "en"
    manager = UserFactory(role=Role.MANAGER, email="boss@example.org")
    with at(oslo(2025, 3, 3, 9, 1)):
        services.ticket_assign(ticket=p2_ticket, actor=agent, group=first_line_group, assignee=agent)
    # the assignment is no response to the caller, so the response clock runs on
    dispatch_pending()  # what the ticket itself owed (the caller's receipt)
    mail.outbox.clear()
    sweep(now=oslo(2025, 3, 3, 10, 5))

    dispatch_pending()

    # Two warnings (75 %, 90 %) and the breach of the response clock, each mailed once.
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        f"SLA breach: {p2_ticket.number} First response is overdue",
        f"SLA warning: {p2_ticket.number} has used 75% of its First response time",
        f"SLA warning: {p2_ticket.number} has used 90% of its First response time",
    ]
    assert all(set(m.to) == {agent.email, first_line_group.email, manager.email} for m in mail.outbox)
    assert dispatch_pending() == 0  # nothing is sent twice
    assert not OutboxMessage.objects.filter(sent_at=None).exists()


def test_rebuilding_keeps_what_the_sweep_recorded(p2_ticket):
    from sla.clock import sync_ticket_clocks

    sweep(now=oslo(2025, 3, 3, 9, 50))
    sync_ticket_clocks(p2_ticket)

    response = Clock.objects.get(ticket=p2_ticket, metric=Metric.RESPONSE)
    assert response.warned_level == 1
    assert response.next_check_at == oslo(2025, 3, 3, 9, 54)
    assert sweep(now=oslo(2025, 3, 3, 9, 50)).warnings == 0


def test_time_left_sorting_uses_due_times(p2_ticket, at, agent, end_user):
    with at(oslo(2025, 3, 3, 9, 0) + timedelta(minutes=1)):
        later = services.ticket_create(actor=agent, caller=end_user, title="Later", impact=3, urgency=3)
    due = dict(Clock.objects.filter(metric=Metric.RESOLUTION).values_list("ticket_id", "due_at"))
    assert due[p2_ticket.pk] < due[later.pk]
