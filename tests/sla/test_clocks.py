"""SLA clocks on tickets, driven through the services at chosen instants.

The standard policy (seeded by migration): P1 15 min / 4 h on 24/7; P2 1 h / 8 business hours;
P3 4 business hours / 3 business days; P4 1 business day / 10 business days. A business day is
Mon–Fri 08:00–15:30 Europe/Oslo (27,000 s), closed on Norwegian public holidays.
Impact × urgency → priority: (3,3) → P4, (2,2) → P3, (2,1) → P2, (1,1) → P1.
"""

from __future__ import annotations

import pytest

from incidents import services
from sla.models import Clock, ClockState, Metric

from .conftest import oslo

pytestmark = pytest.mark.django_db

PRIORITY = {1: (1, 1), 2: (2, 1), 3: (2, 2), 4: (3, 3)}


def _log(agent, caller, priority: int, **fields):
    impact, urgency = PRIORITY[priority]
    return services.ticket_create(
        actor=agent, caller=caller, title="Clock test", impact=impact, urgency=urgency, **fields
    )


def _clock(ticket, metric=Metric.RESOLUTION, group=None) -> Clock:
    return Clock.objects.get(ticket=ticket, metric=metric, group=group)


CREATION_CASES = [
    pytest.param(
        oslo(2025, 3, 3, 7, 0),
        3,
        oslo(2025, 3, 3, 12, 0),
        oslo(2025, 3, 5, 15, 30),
        # Mon 07:00, before opening: counting starts 08:00. Response 4 h → 12:00.
        # Resolution 3 × 27,000 s: Mon, Tue, Wed full days → Wed 15:30.
        id="P3 logged before opening counts from 08:00",
    ),
    pytest.param(
        oslo(2025, 3, 7, 16, 0),
        3,
        oslo(2025, 3, 10, 12, 0),
        oslo(2025, 3, 12, 15, 30),
        # Fri 16:00, after closing: nothing until Mon 08:00. Response Mon 12:00;
        # resolution Mon + Tue + Wed → Wed 12 March 15:30.
        id="P3 logged after closing on Friday counts from Monday",
    ),
    pytest.param(
        oslo(2025, 3, 7, 15, 0),
        2,
        oslo(2025, 3, 10, 8, 30),
        oslo(2025, 3, 10, 15, 30),
        # Fri 15:00: 30 min (1,800 s) left on Friday. Response 3,600 s → 1,800 s on Monday → 08:30.
        # Resolution 8 h = 28,800 s: 1,800 Fri + 27,000 Mon → Mon 15:30.
        id="P2 on Friday afternoon runs over the weekend into Monday",
    ),
    pytest.param(
        oslo(2025, 4, 16, 14, 0),
        4,
        oslo(2025, 4, 22, 14, 0),
        oslo(2025, 5, 6, 14, 0),
        # Wed 16 April 2025 14:00: 5,400 s left that day. Thu 17 (Maundy Thursday), Fri 18 (Good
        # Friday) and Mon 21 (Easter Monday) are holidays. Response 27,000 s: 21,600 s on Tue 22
        # → 14:00. Resolution 270,000 s: 5,400 + Tue 22 … Wed 30 (7 days, 189,000) = 194,400;
        # Thu 1 May is a holiday; Fri 2 and Mon 5 → 248,400; 21,600 s on Tue 6 May → 14:00.
        id="P4 logged the day before Maundy Thursday skips Easter",
    ),
    pytest.param(
        oslo(2024, 5, 16, 12, 0),
        3,
        oslo(2024, 5, 21, 8, 30),
        oslo(2024, 5, 23, 12, 0),
        # Thu 16 May 2024 12:00: 12,600 s left. Fri 17 May (Constitution Day) and Mon 20 May (Whit
        # Monday) are holidays. Response 14,400 s: 1,800 s on Tue 21 → 08:30.
        # Resolution 81,000 s: 12,600 + Tue 21 (27,000) + Wed 22 (27,000) = 66,600; 14,400 s on
        # Thu 23 → 12:00.
        id="P3 across 17 May and Whit Monday",
    ),
    pytest.param(
        oslo(2024, 2, 28, 15, 0),
        4,
        oslo(2024, 2, 29, 15, 0),
        oslo(2024, 3, 13, 15, 0),
        # Wed 28 Feb 2024 15:00: 1,800 s left. Response 27,000 s: 25,200 s on Thu 29 Feb → 15:00.
        # Resolution 270,000 s = 1,800 + 9 full days (Thu 29 Feb … Tue 12 Mar = 243,000) = 244,800;
        # 25,200 s on Wed 13 March → 15:00.
        id="P4 across 29 February",
    ),
    pytest.param(
        oslo(2025, 3, 29, 23, 0),
        1,
        oslo(2025, 3, 29, 23, 15),
        oslo(2025, 3, 30, 4, 0),
        # P1 on 24/7. Sat 29 March 23:00 CET = 22:00 UTC. Clocks go forward at 02:00 on the 30th.
        # Response 15 min → 23:15. Resolution 4 real hours → 02:00 UTC = 04:00 CEST (the wall
        # clock shows five hours later: one hour was skipped).
        id="P1 on 24/7 across the spring DST change counts real time",
    ),
    pytest.param(
        oslo(2025, 10, 26, 0, 30),
        1,
        oslo(2025, 10, 26, 0, 45),
        oslo(2025, 10, 26, 3, 30),
        # Sun 26 Oct 00:30 CEST = Sat 22:30 UTC. Clocks go back at 03:00 CEST → 02:00 CET.
        # Resolution 4 real hours → 02:30 UTC = 03:30 CET (the wall clock shows three hours later).
        id="P1 on 24/7 across the autumn DST change counts real time",
    ),
]


@pytest.mark.parametrize(("created", "priority", "response_due", "resolution_due"), CREATION_CASES)
def test_clocks_start_on_creation_with_due_times_on_the_business_calendar(
    at, agent, end_user, first_line_group, created, priority, response_due, resolution_due
):
    with at(created):
        ticket = _log(agent, end_user, priority)

    assert _clock(ticket, Metric.RESPONSE).due_at == response_due
    assert _clock(ticket, Metric.RESOLUTION).due_at == resolution_due
    assert _clock(ticket).state == ClockState.RUNNING


def test_a_pause_over_a_weekend_counts_no_business_time(at, agent, end_user, first_line_group):
    with at(oslo(2025, 3, 7, 9, 0)):  # Friday 09:00, P3
        ticket = _log(agent, end_user, 3)
    with at(oslo(2025, 3, 7, 10, 0)):
        services.ticket_claim(ticket=ticket, actor=agent)
        services.ticket_pend(ticket=ticket, actor=agent, reason="customer")
    paused = _clock(ticket)
    with at(oslo(2025, 3, 10, 10, 0)):  # Monday 10:00, the caller answered
        services.ticket_start(ticket=ticket, actor=agent)

    # 3,600 s ran on Friday 09:00–10:00. Fri 10:00–15:30 and Mon 08:00–10:00 were paused.
    # Remaining 81,000 − 3,600 = 77,400 s from Mon 10:00: Mon 19,800 (57,600 left),
    # Tue 27,000 (30,600), Wed 27,000 (3,600), Thu 08:00 + 1 h → Thu 13 March 09:00.
    clock = _clock(ticket)
    assert (paused.state, paused.due_at, paused.elapsed_seconds) == (ClockState.PAUSED, None, 3600)
    assert clock.due_at == oslo(2025, 3, 13, 9, 0)
    assert [(s.running, s.business_seconds) for s in clock.segments.all()] == [
        (True, 3600),
        (False, 0),
        (True, 0),
    ]


def test_the_response_clock_stops_when_an_agent_claims(at, agent, end_user, first_line_group):
    with at(oslo(2025, 3, 3, 9, 0)):
        ticket = _log(agent, end_user, 3)
    with at(oslo(2025, 3, 3, 9, 20)):
        services.ticket_claim(ticket=ticket, actor=agent)

    response = _clock(ticket, Metric.RESPONSE)
    assert (response.state, response.elapsed_seconds, response.met) == (ClockState.STOPPED, 1200, True)
    assert response.due_at is None


def test_a_public_agent_comment_is_a_response_but_an_internal_one_is_not(
    at, agent, end_user, first_line_group
):
    with at(oslo(2025, 3, 3, 9, 0)):
        ticket = _log(agent, end_user, 3)
    with at(oslo(2025, 3, 3, 9, 10)):
        services.comment_add(ticket=ticket, actor=agent, body="Looking", internal=True)
    assert _clock(ticket, Metric.RESPONSE).state == ClockState.RUNNING
    with at(oslo(2025, 3, 3, 9, 30)):
        services.comment_add(ticket=ticket, actor=agent, body="We are on it")

    assert _clock(ticket, Metric.RESPONSE).elapsed_seconds == 1800


def test_reopen_after_resolve_resumes_the_resolution_clock(at, agent, end_user, first_line_group):
    with at(oslo(2025, 3, 3, 9, 0)):  # Monday 09:00, P4
        ticket = _log(agent, end_user, 4)
    with at(oslo(2025, 3, 3, 11, 0)):
        services.ticket_resolve(ticket=ticket, actor=agent, code="solved", note="Restarted")
    resolved = _clock(ticket)
    with at(oslo(2025, 3, 5, 9, 0)):  # Wednesday 09:00 the caller reopens
        services.ticket_reopen(ticket=ticket, actor=end_user, reason="Broken again")

    # 7,200 s were banked. 270,000 − 7,200 = 262,800 s from Wed 09:00: Wed 23,400 (239,400 left),
    # Thu 6, Fri 7, Mon 10, Tue 11, Wed 12, Thu 13, Fri 14, Mon 17 = 8 × 27,000 = 216,000
    # (23,400 left) → Tue 18 March 08:00 + 6.5 h = 14:30.
    clock = _clock(ticket)
    assert (resolved.state, resolved.elapsed_seconds, resolved.met) == (ClockState.STOPPED, 7200, True)
    assert (clock.state, clock.due_at, clock.met) == (ClockState.RUNNING, oslo(2025, 3, 18, 14, 30), None)
    assert _clock(ticket, Metric.RESPONSE).state == ClockState.STOPPED  # answered once and for all


def test_raising_the_priority_midway_keeps_elapsed_time(at, agent, end_user, first_line_group):
    with at(oslo(2025, 3, 3, 9, 0)):  # Monday 09:00, P4
        ticket = _log(agent, end_user, 4)
    with at(oslo(2025, 3, 3, 10, 0)):  # an hour later it turns out to be P2
        services.ticket_update(ticket=ticket, actor=agent, impact=2, urgency=1)

    # Resolution: 3,600 s elapsed; P2 allows 28,800 → 25,200 s left from Mon 10:00:
    # Mon 10:00–15:30 = 19,800 (5,400 left) → Tue 08:00 + 1.5 h = 09:30.
    # Response: 3,600 s elapsed, P2 allows 3,600: due right now, not yet exceeded.
    assert _clock(ticket).due_at == oslo(2025, 3, 4, 9, 30)
    assert _clock(ticket).target_seconds == 28800
    assert _clock(ticket, Metric.RESPONSE).due_at == oslo(2025, 3, 3, 10, 0)


def test_raising_to_p1_switches_to_the_24_7_calendar(at, agent, end_user, first_line_group):
    with at(oslo(2025, 3, 7, 15, 0)):  # Friday 15:00, P4
        ticket = _log(agent, end_user, 4)
    with at(oslo(2025, 3, 7, 15, 20)):
        services.ticket_update(ticket=ticket, actor=agent, impact=1, urgency=1)

    # 1,200 business seconds on the office calendar; P1 allows 14,400 real seconds on 24/7:
    # 13,200 s (3 h 40 min) from Fri 15:20 → Fri 19:00, though the office has closed.
    assert _clock(ticket).due_at == oslo(2025, 3, 7, 19, 0)


def test_resolving_while_paused_stops_the_clock_with_what_ran(at, agent, end_user, first_line_group):
    with at(oslo(2025, 3, 3, 9, 0)):
        ticket = _log(agent, end_user, 3)
    with at(oslo(2025, 3, 3, 10, 0)):
        services.ticket_claim(ticket=ticket, actor=agent)
        services.ticket_pend(ticket=ticket, actor=agent, reason="third_party")
    with at(oslo(2025, 3, 4, 10, 0)):  # resolved directly from pending, a day later
        services.ticket_resolve(ticket=ticket, actor=agent, code="solved", note="Vendor fixed it")

    clock = _clock(ticket)
    assert (clock.state, clock.elapsed_seconds, clock.met) == (ClockState.STOPPED, 3600, True)
    assert clock.stopped_at == oslo(2025, 3, 4, 10, 0)


def test_a_clock_stopped_late_is_breached_at_the_moment_it_ran_out(at, agent, end_user, first_line_group):
    with at(oslo(2025, 3, 3, 9, 0)):  # P2: resolution 8 business hours
        ticket = _log(agent, end_user, 2)
    with at(oslo(2025, 3, 5, 9, 0)):
        services.ticket_resolve(ticket=ticket, actor=agent, code="solved", note="Late")

    # Mon 09:00–15:30 = 23,400; 5,400 s more on Tue → 8 h reached Tue 09:30.
    clock = _clock(ticket)
    assert (clock.met, clock.breached_at) == (False, oslo(2025, 3, 4, 9, 30))


def test_each_group_gets_an_ola_clock_for_the_time_it_held_the_ticket(
    at, agent, resolver, end_user, first_line_group, second_line_group
):
    from sla.models import Calendar, OlaTarget

    office = Calendar.objects.get(name="Kontortid")
    OlaTarget.objects.create(group=first_line_group, target_seconds=1800, calendar=office)
    OlaTarget.objects.create(group=second_line_group, target_seconds=27_000, calendar=office)
    with at(oslo(2025, 3, 3, 9, 0)):
        ticket = _log(agent, end_user, 3)
    with at(oslo(2025, 3, 3, 10, 0)):  # the customer centre held it for an hour: over its 30 min
        services.ticket_escalate(ticket=ticket, actor=agent, group=second_line_group)
    with at(oslo(2025, 3, 4, 9, 0)):
        services.ticket_claim(ticket=ticket, actor=resolver)

    first = _clock(ticket, Metric.OLA, group=first_line_group)
    second = _clock(ticket, Metric.OLA, group=second_line_group)
    # Customer centre: 09:00–10:00 = 3,600 s against 1,800 → breached at 09:30.
    assert (first.state, first.elapsed_seconds, first.met) == (ClockState.STOPPED, 3600, False)
    assert first.breached_at == oslo(2025, 3, 3, 9, 30)
    # Clinical systems holds it from Mon 10:00: one business day → Tue 10:00.
    assert (second.state, second.due_at) == (ClockState.RUNNING, oslo(2025, 3, 4, 10, 0))
