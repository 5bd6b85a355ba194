"""Major incidents through the API: a manager declares one (P1 on a tier-1 service proposes it),
related tickets are linked to it, the affected services' outage follows it, and it closes only
after its post-incident review. Every step writes history; a refused step changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Kind, PostIncidentReview, State, Ticket, TicketEvent
from servicedesk.models import AssignmentGroup, Role, Service, User
from sla.availability import availability_by_service
from sla.models import Outage, OutageCause
from tests.factories import ServiceFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(hours=5)


def iso(moment) -> str:
    return moment.isoformat()


def stored(ticket: Ticket) -> tuple[object, ...]:
    """What a refused request must leave as it was."""
    ticket.refresh_from_db()
    return (
        ticket.major_incident,
        ticket.major_declared_at,
        ticket.major_ended_at,
        ticket.state,
        TicketEvent.objects.count(),
        list(Outage.objects.order_by("id").values_list("id", "started_at", "ended_at")),
        PostIncidentReview.objects.count(),
    )


@pytest.fixture
def manager(db: None) -> User:
    return UserFactory(username="manager", role=Role.MANAGER)


@pytest.fixture
def pas(second_line_group: AssignmentGroup) -> Service:
    return ServiceFactory(name="PAS", tier=1, owner_group=second_line_group)


@pytest.fixture
def incident(pas: Service, first_line_group: AssignmentGroup, end_user: User) -> Ticket:
    """PAS is down: a priority-1 incident on a tier-1 service, logged at T0."""
    return TicketFactory(
        caller=end_user,
        service=pas,
        impact=1,
        urgency=1,
        priority=1,
        title="PAS is down",
        assignment_group=first_line_group,
        created_at=T0,
    )


@pytest.fixture
def call(pas: Service, first_line_group: AssignmentGroup) -> Ticket:
    """Another caller about the same failure."""
    return TicketFactory(
        service=pas, priority=2, title="PAS does not respond", assignment_group=first_line_group
    )


def declare(client, ticket, **body):
    return client.post(f"/api/tickets/{ticket.pk}/declare-major/", body, format="json")


def test_a_p1_incident_on_a_tier_1_service_proposes_a_major_incident(api_for, agent, incident, call):
    assert api_for(agent).get(f"/api/tickets/{incident.pk}/").json()["major_proposed"] is True
    assert api_for(agent).get(f"/api/tickets/{call.pk}/").json()["major_proposed"] is False


def test_the_whole_major_incident_through_the_api(api_for, manager, agent, incident, call, pas):
    boss, desk = api_for(manager), api_for(agent)

    # 1. The manager confirms the proposal; PAS's outage starts at the impact start.
    declared = declare(boss, incident, impact_start=iso(T0 - timedelta(minutes=10)))
    assert declared.status_code == 200, declared.content
    assert declared.json()["major_incident"] is True
    assert declared.json()["major_proposed"] is False
    outage = Outage.objects.get()
    assert (outage.service, outage.cause, outage.planned, outage.ticket_id, outage.ended_at) == (
        pas,
        OutageCause.MAJOR_INCIDENT,
        False,
        incident.pk,
        None,
    )
    assert outage.started_at == T0 - timedelta(minutes=10)

    # 2. An agent links a caller's ticket to it (twice: the second changes nothing).
    linked = desk.post(f"/api/tickets/{incident.pk}/link/", {"ticket": call.pk})
    assert linked.status_code == 200
    assert linked.json()["parent"] == incident.pk
    events = TicketEvent.objects.count()
    assert desk.post(f"/api/tickets/{incident.pk}/link/", {"ticket": call.pk}).status_code == 200
    assert TicketEvent.objects.count() == events

    # 3. Service restored: the outage ends then.
    restored_at = T0 + timedelta(hours=2)
    ended = boss.post(f"/api/tickets/{incident.pk}/end-major/", {"restored_at": iso(restored_at)})
    assert ended.status_code == 200
    outage.refresh_from_db()
    assert outage.ended_at == restored_at
    availability = availability_by_service(start=T0 - timedelta(hours=1), end=T0 + timedelta(hours=3))
    assert [(row.service_name, row.unplanned_seconds) for row in availability] == [("PAS", 2 * 3600 + 600)]

    # 4. Resolved; it may not close before its review.
    assert desk.post(f"/api/tickets/{incident.pk}/claim/").status_code == 200
    resolved = desk.post(f"/api/tickets/{incident.pk}/resolve/", {"code": "solved", "note": "Node replaced."})
    assert resolved.status_code == 200
    refused = desk.post(f"/api/tickets/{incident.pk}/close/")
    assert refused.status_code == 409
    assert "review" in refused.json()["detail"]

    # 5. The review: cause, actions, owner, due. Then it closes.
    review = {
        "cause": "A failed node.",
        "actions": "Add a spare node.",
        "owner": manager.pk,
        "due": "2027-01-31",
    }
    written = boss.post(f"/api/tickets/{incident.pk}/review/", review)
    assert written.status_code == 200
    assert written.json()["due"] == "2027-01-31"
    assert desk.get(f"/api/tickets/{incident.pk}/review/").json()["cause"] == "A failed node."
    assert desk.post(f"/api/tickets/{incident.pk}/close/").status_code == 200

    # The history tells the story.
    actions = [e["action"] for e in boss.get(f"/api/tickets/{incident.pk}/events/").json()]
    for expected in ("major_declared", "linked", "major_ended", "resolved", "reviewed", "closed"):
        assert expected in actions
    call_history = desk.get(f"/api/tickets/{call.pk}/events/").json()
    assert [(e["action"], e["field"], e["new_value"]) for e in call_history if e["action"] == "linked"] == [
        ("linked", "parent", str(incident))
    ]
    assert list(outage.events.values_list("action", "field")) == [("created", ""), ("ended", "ended_at")]


def test_only_managers_declare_end_or_review(api_for, agent, resolver, incident, manager):
    before = stored(incident)

    assert declare(api_for(agent), incident).status_code == 403
    # The resolver's group does not hold the ticket: they may not even see it.
    assert declare(api_for(resolver), incident).status_code == 404
    assert stored(incident) == before

    declare(api_for(manager), incident)
    before = stored(incident)
    assert api_for(agent).post(f"/api/tickets/{incident.pk}/end-major/", {}).status_code == 403
    assert stored(incident) == before


def test_an_end_user_cannot_declare_or_see_the_review(api_for, end_user, incident, manager):
    before = stored(incident)
    assert declare(api_for(end_user), incident).status_code == 403
    assert stored(incident) == before
    declare(api_for(manager), incident)
    api_for(manager).post(f"/api/tickets/{incident.pk}/end-major/", {})
    api_for(manager).post(
        f"/api/tickets/{incident.pk}/review/",
        {"cause": "x", "actions": "y", "owner": manager.pk, "due": "2027-01-01"},
    )
    assert api_for(end_user).get(f"/api/tickets/{incident.pk}/review/").status_code == 404


def test_declaring_twice_or_a_request_is_409_and_changes_nothing(api_for, manager, incident, pas):
    declare(api_for(manager), incident)
    before = stored(incident)
    assert declare(api_for(manager), incident).status_code == 409
    assert stored(incident) == before

    request = TicketFactory(kind=Kind.REQUEST, service=pas, priority=1)
    assert declare(api_for(manager), request).status_code == 409
    assert not request.outages.exists()


def test_a_restore_before_the_impact_start_or_in_the_future_is_400_and_changes_nothing(
    api_for, manager, incident
):
    boss = api_for(manager)
    assert declare(boss, incident, impact_start=iso(timezone.now() + timedelta(hours=1))).status_code == 400
    declare(boss, incident, impact_start=iso(T0))
    before = stored(incident)

    early = boss.post(
        f"/api/tickets/{incident.pk}/end-major/", {"restored_at": iso(T0 - timedelta(minutes=1))}
    )
    future = boss.post(
        f"/api/tickets/{incident.pk}/end-major/", {"restored_at": iso(timezone.now() + timedelta(hours=1))}
    )

    assert (early.status_code, future.status_code) == (400, 400)
    assert "restored_at" in early.json()
    assert stored(incident) == before


def test_a_ticket_without_a_service_needs_the_affected_services(api_for, manager, first_line_group, pas):
    ticket = TicketFactory(priority=1, assignment_group=first_line_group)
    before = stored(ticket)

    assert declare(api_for(manager), ticket).status_code == 400
    assert stored(ticket) == before
    epr = ServiceFactory(name="EPR", tier=1)
    assert declare(api_for(manager), ticket, services=[pas.pk, epr.pk]).status_code == 200
    assert set(Outage.objects.values_list("service__name", flat=True)) == {"PAS", "EPR"}


def test_resolving_an_ongoing_major_incident_ends_it_and_its_outage(api_for, manager, agent, incident):
    declare(api_for(manager), incident)
    api_for(agent).post(f"/api/tickets/{incident.pk}/claim/")

    api_for(agent).post(f"/api/tickets/{incident.pk}/resolve/", {"code": "solved", "note": "Fixed."})

    incident.refresh_from_db()
    outage = Outage.objects.get()
    assert incident.major_ended_at is not None
    assert outage.ended_at == incident.major_ended_at == incident.resolved_at


def test_linking_to_a_ticket_that_is_not_a_major_incident_is_409(api_for, agent, incident, call):
    before = stored(call)

    response = api_for(agent).post(f"/api/tickets/{call.pk}/link/", {"ticket": incident.pk})

    assert response.status_code == 409
    assert stored(call) == before


def test_linking_a_ticket_the_agent_may_not_see_is_404(
    api_for, manager, resolver, incident, second_line_group
):
    declare(api_for(manager), incident)
    incident.assignment_group = second_line_group
    incident.save(update_fields=["assignment_group"])
    hidden = TicketFactory(priority=3)  # another group's ticket
    before = stored(hidden)

    response = api_for(resolver).post(f"/api/tickets/{incident.pk}/link/", {"ticket": hidden.pk})

    assert response.status_code == 404
    assert stored(hidden) == before


def test_a_review_is_written_only_after_the_incident_ends_and_with_every_part(api_for, manager, incident):
    boss = api_for(manager)
    declare(boss, incident)
    review = {"cause": "A failed node.", "actions": "Spare node.", "owner": manager.pk, "due": "2027-01-31"}
    before = stored(incident)
    assert boss.post(f"/api/tickets/{incident.pk}/review/", review).status_code == 409
    assert stored(incident) == before

    boss.post(f"/api/tickets/{incident.pk}/end-major/", {})
    before = stored(incident)
    assert boss.post(f"/api/tickets/{incident.pk}/review/", {**review, "cause": " "}).status_code == 400
    assert boss.post(f"/api/tickets/{incident.pk}/review/", {**review, "due": "soon"}).status_code == 400
    assert stored(incident) == before


def test_the_major_incident_flag_is_not_edited_directly(api_for, agent, incident):
    before = stored(incident)

    response = api_for(agent).patch(f"/api/tickets/{incident.pk}/", {"major_incident": True})

    assert response.status_code == 400
    assert "major_incident" in response.json()
    assert stored(incident) == before


def test_a_manager_may_log_a_ticket_as_a_major_incident_at_once(
    api_for, manager, end_user, pas, first_line_group
):
    body = {"caller": end_user.pk, "title": "EPR down", "service": pas.pk, "impact": 1, "urgency": 1}

    response = api_for(manager).post("/api/tickets/", {**body, "major_incident": True})

    assert response.status_code == 201
    assert response.json()["major_incident"] is True
    assert Outage.objects.filter(ticket_id=response.json()["id"], ended_at__isnull=True).count() == 1


def test_an_agent_may_not_log_a_ticket_as_a_major_incident(api_for, agent, end_user, pas, first_line_group):
    body = {"caller": end_user.pk, "title": "EPR down", "service": pas.pk, "major_incident": True}

    assert api_for(agent).post("/api/tickets/", body).status_code == 403
    assert not Ticket.objects.exists()


def test_a_manager_corrects_the_impact_start_on_the_outage(api_for, manager, incident):
    declare(api_for(manager), incident)
    outage = Outage.objects.get()

    response = api_for(manager).patch(
        f"/api/outages/{outage.pk}/", {"started_at": iso(T0 - timedelta(hours=1))}
    )

    assert response.status_code == 200
    outage.refresh_from_db()
    assert outage.started_at == T0 - timedelta(hours=1)
    assert State(incident.state) == State.NEW  # the ticket itself is untouched
