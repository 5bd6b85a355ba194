"""Service status: known problems (open major incidents) and planned maintenance, page and banner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from changes.models import PlannedOutage
from incidents.models import State
from portal.selectors import service_status
from tests.changes.factories import ChangeFactory
from tests.factories import ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_an_open_major_incident_shows_as_a_known_problem_on_the_home_banner(browser_for, end_user):
    epr = ServiceFactory(name="DIPS Arena")
    TicketFactory(service=epr, major_incident=True, title="Pasient Ola Nordmann får ikke journal")
    TicketFactory(service=epr, major_incident=True, state=State.RESOLVED, title="Gammelt")

    page = browser_for(end_user).get(reverse("portal:home")).content.decode()

    assert "Known problem with DIPS Arena since" in page
    assert "Ola Nordmann" not in page  # the ticket's own title is not published


def test_planned_maintenance_comes_from_scheduled_changes(browser_for, end_user):
    now = timezone.now()
    pacs = ServiceFactory(name="PACS")
    change = ChangeFactory(title="Oppgradering av PACS-arkivet")
    PlannedOutage.objects.create(
        change=change, service=pacs, start=now + timedelta(days=2), end=now + timedelta(days=2, hours=2)
    )

    status = service_status(now)
    page = browser_for(end_user).get(reverse("portal:status")).content.decode()

    assert [item.service for item in status.maintenance_planned] == ["PACS"]
    assert status.all_clear
    assert "Oppgradering av PACS-arkivet" in page
