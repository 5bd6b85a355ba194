"""Service status: known problems (ongoing unplanned outages) and planned maintenance, page and banner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.selectors import service_status
from sla.models import OutageCause
from tests.changes.factories import ChangeFactory
from tests.factories import OutageFactory, ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_an_ongoing_outage_shows_as_a_known_problem_on_the_home_banner(browser_for, end_user):
    now = timezone.now()
    epr, lab = ServiceFactory(name="DIPS Arena"), ServiceFactory(name="Labsystem")
    major = TicketFactory(service=epr, major_incident=True, title="Pasient Ola Nordmann får ikke journal")
    OutageFactory(service=epr, started_at=now - timedelta(minutes=40), cause=OutageCause.MAJOR_INCIDENT,
                  ticket=major, note="Ola Nordmann ringte")  # fmt: skip
    OutageFactory(service=epr, started_at=now - timedelta(minutes=10), cause=OutageCause.MONITORING)
    OutageFactory(service=lab, started_at=now - timedelta(hours=3), ended_at=now - timedelta(hours=2))

    status = service_status(now)
    page = browser_for(end_user).get(reverse("portal:home")).content.decode()

    assert [item.service for item in status.problems] == ["DIPS Arena"]  # one line per service
    assert status.problems[0].start == now - timedelta(minutes=40)  # since the first outage began
    assert "Known problem with DIPS Arena since" in page
    assert "Labsystem" not in page  # its outage has ended
    assert "Ola Nordmann" not in page  # neither the ticket's title nor the note is published


def test_planned_maintenance_comes_from_scheduled_changes(browser_for, end_user):
    now = timezone.now()
    pacs = ServiceFactory(name="PACS")
    change = ChangeFactory(title="Oppgradering av PACS-arkivet")
    OutageFactory(service=pacs, change=change, planned=True, cause=OutageCause.CHANGE,
                  started_at=now + timedelta(days=2), ended_at=now + timedelta(days=2, hours=2))  # fmt: skip

    status = service_status(now)
    page = browser_for(end_user).get(reverse("portal:status")).content.decode()

    assert [item.service for item in status.maintenance_planned] == ["PACS"]
    assert status.all_clear
    assert "Oppgradering av PACS-arkivet" in page
