"""Major incidents on the ticket page: a manager's buttons declare, end and review; agents link
calls to it; closing waits for the review. Each goes through its service and leaves history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import EventAction, State, Ticket
from servicedesk.models import AssignmentGroup, Role, User
from sla.models import Outage
from tests.factories import ServiceFactory, TicketFactory, UserFactory

from .helpers import flashed, ticket_url, transition_url

pytestmark = pytest.mark.django_db

OSLO_INPUT = "%Y-%m-%dT%H:%M"  # what a datetime-local field sends (Oslo wall-clock time)


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime(OSLO_INPUT)


@pytest.fixture
def manager(db: None) -> User:
    return UserFactory(username="manager", role=Role.MANAGER)


@pytest.fixture
def incident(first_line_group: AssignmentGroup, end_user: User) -> Ticket:
    pas = ServiceFactory(name="PAS", tier=1)
    return TicketFactory(
        caller=end_user,
        service=pas,
        priority=1,
        title="PAS is down",
        assignment_group=first_line_group,
        created_at=timezone.now() - timedelta(hours=3),
    )


def test_a_proposed_major_incident_shows_the_declare_button_to_managers_only(
    console_for, manager, agent, incident
):
    manager_page = console_for(manager).get(ticket_url(incident.pk)).content.decode()
    agent_page = console_for(agent).get(ticket_url(incident.pk)).content.decode()

    assert 'id="major-proposed"' in manager_page
    assert transition_url(incident.pk, "declare-major") in manager_page
    assert 'id="major-proposed"' in agent_page
    assert transition_url(incident.pk, "declare-major") not in agent_page


def test_the_whole_major_incident_from_the_console(console_for, manager, agent, incident, first_line_group):
    boss, desk = console_for(manager), console_for(agent)
    call = TicketFactory(service=incident.service, priority=2, assignment_group=first_line_group)
    impact_start = (timezone.now() - timedelta(hours=2)).replace(second=0, microsecond=0)

    response = boss.post(
        transition_url(incident.pk, "declare-major"), {"impact_start": local_input(impact_start)}, follow=True
    )
    assert f"{incident.number} is a major incident." in flashed(response)
    outage = Outage.objects.get(ticket=incident)
    assert (outage.started_at, outage.ended_at) == (impact_start, None)

    response = desk.post(transition_url(incident.pk, "link"), {"ticket": call.number}, follow=True)
    assert f"The ticket is linked to {incident.number}." in flashed(response)
    call.refresh_from_db()
    assert call.parent_id == incident.pk

    page = desk.get(ticket_url(incident.pk)).content.decode()
    assert 'id="major-incident"' in page
    assert call.number in page  # among the child tickets

    restored = impact_start + timedelta(minutes=90)
    response = boss.post(
        transition_url(incident.pk, "end-major"), {"restored_at": local_input(restored)}, follow=True
    )
    assert f"The major incident {incident.number} has ended." in flashed(response)
    outage.refresh_from_db()
    assert outage.ended_at == restored

    desk.post(transition_url(incident.pk, "resolve"), {"code": "solved", "note": "Node replaced."})
    response = desk.post(transition_url(incident.pk, "close"), follow=True)
    assert "A major incident is closed only after its post-incident review." in flashed(response)
    incident.refresh_from_db()
    assert incident.state == State.RESOLVED

    review = {"cause": "Failed node.", "actions": "Spare node.", "owner": manager.pk, "due": "2027-02-01"}
    response = boss.post(transition_url(incident.pk, "review"), review, follow=True)
    assert f"The post-incident review of {incident.number} is saved." in flashed(response)
    assert "Failed node." in response.content.decode()

    desk.post(transition_url(incident.pk, "close"))
    incident.refresh_from_db()
    assert incident.state == State.CLOSED
    actions = set(incident.events.values_list("action", flat=True))
    assert {
        EventAction.MAJOR_DECLARED,
        EventAction.LINKED,
        EventAction.MAJOR_ENDED,
        EventAction.REVIEWED,
        EventAction.CLOSED,
    } <= actions


def test_an_agent_cannot_declare_from_the_console_and_nothing_changes(console_for, agent, incident):
    response = console_for(agent).post(transition_url(incident.pk, "declare-major"), {}, follow=True)

    assert "Only service-desk managers may declare, end or review major incidents." in flashed(response)
    incident.refresh_from_db()
    assert not incident.major_incident
    assert not Outage.objects.exists()


def test_linking_an_unknown_number_says_so_and_changes_nothing(console_for, manager, agent, incident):
    console_for(manager).post(transition_url(incident.pk, "declare-major"), {})
    events = incident.events.count()

    response = console_for(agent).post(
        transition_url(incident.pk, "link"), {"ticket": "INC9999999"}, follow=True
    )

    assert "No ticket with that number was found." in flashed(response)
    assert incident.events.count() == events


def test_a_manager_corrects_the_outage_on_the_ticket_page(console_for, manager, agent, incident):
    console_for(manager).post(transition_url(incident.pk, "declare-major"), {})
    outage = Outage.objects.get()
    start = (timezone.now() - timedelta(hours=4)).replace(second=0, microsecond=0)
    url = reverse("console:outage-edit", kwargs={"pk": incident.pk, "outage_id": outage.pk})

    refused = console_for(agent).post(url, {"started_at": local_input(start)}, follow=True)
    assert "Only service-desk managers may record or edit outages." in flashed(refused)
    bad = console_for(manager).post(
        url,
        {"started_at": local_input(start), "ended_at": local_input(start - timedelta(hours=1))},
        follow=True,
    )
    assert "An outage cannot end before it starts." in flashed(bad)
    outage.refresh_from_db()
    assert outage.started_at == incident.created_at

    console_for(manager).post(url, {"started_at": local_input(start)})
    outage.refresh_from_db()
    assert (outage.started_at, outage.ended_at) == (start, None)
    assert outage.events.filter(field="started_at").count() == 1
