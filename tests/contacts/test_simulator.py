"""The customer-centre simulator: a plausible, reproducible day, posted through the API."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Contact
from contacts.simulator import HOURLY_PROFILE, simulate_day

DAY = dt.date(2025, 3, 3)


def test_a_simulated_day_is_reproducible_and_consistent():
    events = simulate_day(
        DAY, calls=450, agents=["a1", "a2", "a3", "a4", "a5"], callers=["+4790000001"], seed=7
    )

    again = simulate_day(
        DAY, calls=450, agents=["a1", "a2", "a3", "a4", "a5"], callers=["+4790000001"], seed=7
    )
    assert events == again
    by_contact = defaultdict(list)
    for event in events:
        by_contact[event.contact_id].append(event)
    assert 380 < len(by_contact) < 520  # Poisson around 450
    for contact_events in by_contact.values():
        assert contact_events[0].event == "offered"
        assert len(contact_events) == 2 and contact_events[1].event in ("answered", "abandoned")
        assert contact_events[1].at >= contact_events[0].at
    hours = {e.at.astimezone(dt.UTC).hour for e in events if e.event == "offered"}
    assert len(hours) >= len(HOURLY_PROFILE) - 1  # calls come in all day


def test_no_agent_answers_two_calls_at_once():
    events = simulate_day(DAY, calls=450, agents=["a1", "a2"], callers=[], seed=3)

    answered = sorted((e.at, e.agent) for e in events if e.event == "answered")
    last_start: dict[str, dt.datetime] = {}
    for at, agent in answered:
        assert agent not in last_start or at >= last_start[agent]
        last_start[agent] = at


@pytest.mark.django_db
def test_the_command_posts_a_day_through_the_api_and_can_be_replayed(agent, first_line_group):
    out = io.StringIO()

    call_command("simulate_customer_centre", day=DAY, calls=40, stdout=out)
    first = sorted(Contact.objects.values_list("external_id", "state", "wait_seconds"))
    call_command("simulate_customer_centre", day=DAY, calls=40, stdout=out)

    assert len(first) > 20
    assert sorted(Contact.objects.values_list("external_id", "state", "wait_seconds")) == first
    assert "0 refused" in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_a_day_in_the_future(agent, first_line_group):
    with pytest.raises(CommandError, match="future"):
        call_command("simulate_customer_centre", day=dt.date(2999, 1, 1), stdout=io.StringIO())
