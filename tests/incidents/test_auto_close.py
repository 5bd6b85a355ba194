"""Resolved tickets close by themselves once the reopen window has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import State, TicketEvent
from incidents.tasks import close_resolved_tickets
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_tickets_resolved_over_a_week_ago_are_closed_by_the_system(settings):
    settings.AUTO_CLOSE_AFTER_DAYS = 7
    now = timezone.now()
    old = TicketFactory(state=State.RESOLVED, resolved_at=now - timedelta(days=8))
    recent = TicketFactory(state=State.RESOLVED, resolved_at=now - timedelta(days=2))
    still_open = TicketFactory(state=State.IN_PROGRESS)

    assert close_resolved_tickets() == 1
    assert close_resolved_tickets() == 0  # running again changes nothing

    old.refresh_from_db(), recent.refresh_from_db(), still_open.refresh_from_db()
    assert (old.state, recent.state, still_open.state) == (State.CLOSED, State.RESOLVED, State.IN_PROGRESS)
    event = TicketEvent.objects.get(ticket=old)
    assert (event.action, event.field, event.actor) == ("closed", "state", None)
