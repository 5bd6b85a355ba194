"""The live customer-centre view: known figures, constant queries, and answering a contact."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact, ContactQueue
from incidents import services
from servicedesk.models import Role
from tests.factories import TicketFactory, UserFactory
from tests.sla.conftest import oslo

pytestmark = pytest.mark.django_db

NOW = oslo(2025, 3, 3, 14, 0)  # Monday 14:00 in Oslo


def _contact(queue, ext, offered, *, answered=None, abandoned=None, number=""):
    state = "answered" if answered is not None else "abandoned" if abandoned is not None else "offered"
    wait = answered if answered is not None else abandoned
    return Contact.objects.create(
        external_id=ext,
        queue=queue,
        state=state,
        offered_at=offered,
        answered_at=offered + dt.timedelta(seconds=answered) if answered is not None else None,
        abandoned_at=offered + dt.timedelta(seconds=abandoned) if abandoned is not None else None,
        wait_seconds=wait,
        caller_number=number,
    )


@pytest.fixture
def known_day(first_line_group, second_line_group, agent, end_user):
    """Today: answered after 30, 50 and 100 s (mean 60 s), one abandoned, two waiting since
    13:58 and 13:59:30; yesterday's contacts do not count. Tickets resolved today: two at first
    line and one by second line (2 of 3 = 67 %). Two agents on duty."""
    queue = ContactQueue.objects.create(code="main", name="Main number", group=first_line_group)
    for i, wait in enumerate((30, 50, 100)):
        _contact(queue, f"a{i}", oslo(2025, 3, 3, 9, i), answered=wait)
    _contact(queue, "x", oslo(2025, 3, 3, 10, 0), abandoned=40)
    _contact(queue, "old", oslo(2025, 3, 2, 10, 0), answered=500)
    _contact(queue, "w1", oslo(2025, 3, 3, 13, 58), number=end_user.phone)
    _contact(queue, "w2", oslo(2025, 3, 3, 13, 59) + dt.timedelta(seconds=30))
    resolved_at = oslo(2025, 3, 3, 11, 0)
    for group in (first_line_group, first_line_group, second_line_group):
        TicketFactory(
            state="resolved", resolved_at=resolved_at, resolved_by_group=group, assignment_group=group
        )
    UserFactory(role=Role.FIRST_LINE, on_duty_since=resolved_at)
    agent.on_duty_since = resolved_at
    agent.save()
    return queue


def test_live_view_shows_the_figures_of_a_known_day(client, agent, known_day):
    client.force_login(agent)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/console/customer-centre/").content.decode()

    for text in [
        "Waiting now</dt><dd>2</dd>",
        "Longest current wait</dt><dd>2 min 00 s</dd>",  # since 13:58
        "Answered today</dt><dd>3</dd>",
        "Abandoned today</dt><dd>1 (25%)</dd>",  # 1 of 3 + 1
        "Average wait today</dt>\n      <dd>1 min 00 s",  # (30 + 50 + 100) / 3 = 60 s: on target
        "First-line resolution today</dt>\n      <dd>67%",  # 2 of 3
        "Agents on duty</dt><dd>2</dd>",
    ]:
        assert text in page, text
    assert "on target" in page and "over target" not in page


def test_live_view_runs_a_constant_number_of_queries(client, agent, known_day):
    client.force_login(agent)

    def count() -> int:
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            assert client.get("/console/customer-centre/live/").status_code == 200
        return len(queries)

    few = count()
    for i in range(40):
        _contact(known_day, f"more{i}", oslo(2025, 3, 3, 12, 0), number=f"+47900{i:05d}")
        _contact(known_day, f"done{i}", oslo(2025, 3, 3, 12, 0), answered=20 + i)
    assert count() == few


def test_answering_a_contact_opens_log_a_call_with_the_caller_found(client, agent, end_user, known_day):
    client.force_login(agent)
    waiting = Contact.objects.get(external_id="w1")

    response = client.post(f"/console/customer-centre/contacts/{waiting.pk}/answer/")

    waiting.refresh_from_db()
    assert waiting.state == "answered" and waiting.agent == agent
    assert response.status_code == 302
    form = client.get(response["Location"]).content.decode()
    assert end_user.last_name in form  # the caller, found by phone number
    assert 'name="contact" value="w1"' in form


def test_the_ticket_logged_on_the_call_is_linked_to_the_contact(client, agent, end_user, known_day):
    client.force_login(agent)

    client.post(
        "/console/tickets/new/",
        {
            "caller": end_user.pk,
            "contact": "w1",
            "kind": "incident",
            "channel": "phone",
            "impact": 3,
            "urgency": 3,
            "title": "Cannot print",
            "description": "",
            "outcome": "keep",
        },
    )

    ticket = Contact.objects.get(external_id="w1").tickets.get()
    assert ticket.title == "Cannot print"


def test_going_on_and_off_duty(client, agent, first_line_group):
    client.force_login(agent)

    client.post("/console/customer-centre/duty/", {"on_duty": "1"})
    agent.refresh_from_db()
    on = agent.on_duty_since
    client.post("/console/customer-centre/duty/", {"on_duty": "0"})
    agent.refresh_from_db()

    assert on is not None and agent.on_duty_since is None


def test_end_users_cannot_see_the_customer_centre(client, end_user):
    client.force_login(end_user)

    # End users never see the console: they are sent to the portal.
    assert client.get("/console/customer-centre/")["Location"] == "/portal/"
    assert client.post("/console/customer-centre/duty/").status_code == 404


def test_first_line_resolution_today_counts_tickets_resolved_today(agent, end_user, first_line_group):
    from contacts.centre import live_figures

    with time_machine.travel(NOW, tick=False):
        ticket = services.ticket_create(actor=agent, caller=end_user, title="Quick fix")
        services.ticket_resolve(ticket=ticket, actor=agent, code="solved", note="Done")
        figures = live_figures(NOW)

    assert (figures.first_line.resolved, figures.first_line.at_first_line) == (1, 1)
