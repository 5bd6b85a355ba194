"""Contact events from the telephony system: idempotent, and refused when they do not fit."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(hours=1)


def _event(contact_id, event, seconds, **extra):
    return {
        "contact_id": contact_id,
        "event": event,
        "at": (T0 + timedelta(seconds=seconds)).isoformat(),
        **extra,
    }


def _state(contact_id="c1"):
    c = Contact.objects.get(external_id=contact_id)
    return (c.state, c.offered_at, c.answered_at, c.abandoned_at, c.wait_seconds, c.agent_id)


def test_a_call_is_offered_then_answered_and_its_wait_measured(telephony, queue, agent):
    offered = telephony.post(
        "/api/contacts/", _event("c1", "offered", 0, queue="main", caller_number="+4791234567")
    )
    answered = telephony.post("/api/contacts/", _event("c1", "answered", 42, agent=agent.username))

    assert (offered.status_code, answered.status_code) == (201, 200)
    assert answered.json()["state"] == "answered"
    assert answered.json()["wait_seconds"] == 42
    assert answered.json()["agent"] == agent.username


def test_the_caller_is_found_by_phone_number(telephony, queue, end_user):
    response = telephony.post(
        "/api/contacts/", _event("c1", "offered", 0, queue="main", caller_number=end_user.phone)
    )

    assert response.json()["caller"] == end_user.pk


@pytest.mark.parametrize(
    "order",
    list(itertools.permutations(range(3))),
    ids=lambda order: "-".join(map(str, order)),
)
def test_replaying_events_twice_or_out_of_order_ends_as_once_in_order(telephony, queue, agent, order):
    events = [
        _event("c1", "offered", 0, queue="main"),
        _event("c1", "answered", 30, agent=agent.username),
        _event("c2", "offered", 5, queue="main"),
    ]
    abandon = _event("c2", "abandoned", 65)
    for event in [*events, abandon]:  # once, in order
        telephony.post("/api/contacts/", event)
    in_order = (_state("c1"), _state("c2"))
    Contact.objects.all().delete()

    # The system delivers in another order, twice, and retries what was refused (404: not yet offered).
    pending = [events[i] for i in order] * 2 + [abandon, abandon]
    for _attempt in range(10):
        refused = []
        for event in pending:
            response = telephony.post("/api/contacts/", event)
            assert response.status_code in (200, 201, 404), response.json()
            if response.status_code == 404:
                refused.append(event)
        pending = refused

    assert pending == []
    assert (_state("c1"), _state("c2")) == in_order


@pytest.mark.parametrize(
    ("steps", "status", "field"),
    [
        ([_event("c9", "answered", 10)], 404, None),  # answered before offered: unknown contact
        ([_event("c1", "answered", 50)], 409, None),  # answered twice, differently
        ([_event("c1", "abandoned", 50)], 409, None),  # abandoned after answered
        ([_event("c2", "answered", -10)], 400, "at"),  # before the offer
        (
            [
                {
                    "contact_id": "c2",
                    "event": "answered",
                    "at": (timezone.now() + timedelta(hours=1)).isoformat(),
                }
            ],
            400,
            "at",
        ),
        ([_event("c3", "offered", 0, queue="nonexistent")], 400, "queue"),
        ([_event("c3", "offered", 0)], 400, "queue"),
        ([_event("c3", "rang", 0, queue="main")], 400, "event"),
        ([{"event": "offered", "queue": "main"}], 400, "contact_id"),
        ([_event("c1", "offered", 99, queue="main")], 409, None),  # offered again, differently
    ],
    ids=[
        "answered before offered",
        "answered twice",
        "abandoned after answered",
        "answered before the offer",
        "time in the future",
        "unknown queue",
        "offer without queue",
        "unknown event",
        "no contact id",
        "offered twice differently",
    ],
)
def test_events_that_do_not_fit_are_refused_and_change_nothing(telephony, queue, agent, steps, status, field):
    telephony.post("/api/contacts/", _event("c1", "offered", 0, queue="main"))
    telephony.post("/api/contacts/", _event("c1", "answered", 20, agent=agent.username))
    telephony.post("/api/contacts/", _event("c2", "offered", 0, queue="main"))
    before = list(Contact.objects.order_by("id").values())

    response = telephony.post("/api/contacts/", steps[0])

    assert response.status_code == status, response.json()
    if field:
        assert field in response.json()
    assert list(Contact.objects.order_by("id").values()) == before


def test_only_the_integration_account_reports_events(api_for, agent, queue):
    response = api_for(agent).post("/api/contacts/", _event("c1", "offered", 0, queue="main"))

    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_agents_may_read_contacts_but_end_users_may_not(api_for, agent, end_user, telephony, queue):
    telephony.post("/api/contacts/", _event("c1", "offered", 0, queue="main"))

    assert api_for(agent).get("/api/contacts/").json()["count"] == 1
    assert api_for(end_user).get("/api/contacts/").status_code == 403
