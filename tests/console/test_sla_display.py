"""SLA clocks in the console: badges and sorting on the list, the service-level box on the ticket
page, and the in-app notifications, all as of a chosen instant.

The standard policy (seeded by migration): P1 4 h resolution on 24/7; P3 3 business days;
P4 10 business days. A business day is Mon–Fri 08:00–15:30 Europe/Oslo (27,000 s).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services
from incidents.models import Ticket
from servicedesk import paging
from servicedesk.models import AssignmentGroup, Role, User
from sla.scan import sweep
from tests.factories import AssignmentGroupFactory, UserFactory
from tests.sla.conftest import oslo

from .helpers import ticket_url

pytestmark = pytest.mark.django_db

PRIORITY = {1: (1, 1), 2: (2, 1), 3: (2, 2), 4: (3, 3)}
# Every "known instant" test looks at the console on Monday 3 March 2025 at noon, Oslo time.
NOON = oslo(2025, 3, 3, 12, 0)


@pytest.fixture
def at() -> Callable[[datetime], Iterator[None]]:
    """`with at(instant):` — services act and pages render at that instant."""

    @contextmanager
    def travel(instant: datetime) -> Iterator[None]:
        with time_machine.travel(instant, tick=False):
            yield

    return travel


def log(agent: User, caller: User, priority: int, title: str, **fields: object) -> Ticket:
    impact, urgency = PRIORITY[priority]
    return services.ticket_create(
        actor=agent, caller=caller, title=title, impact=impact, urgency=urgency, **fields
    )


@pytest.fixture
def board(at, agent, end_user, first_line_group) -> dict[str, Ticket]:
    """Six tickets whose resolution clocks, at NOON, are in each of the six badge states."""
    tickets = {}
    with at(oslo(2025, 3, 3, 6, 0)):  # P1, 4 h on 24/7, resolved after 5 h
        tickets["breached"] = log(agent, end_user, 1, "Breached")
    with at(oslo(2025, 3, 3, 7, 25)):  # P1 due 11:25: 35 min overdue at noon
        tickets["overdue"] = log(agent, end_user, 1, "Overdue")
    with at(oslo(2025, 3, 3, 9, 0)):
        tickets["warning"] = log(agent, end_user, 1, "Warning")  # P1 due 13:00: 75 % used at noon
        tickets["paused"] = log(agent, end_user, 3, "Paused")
        tickets["met"] = log(agent, end_user, 4, "Met")
    with at(oslo(2025, 3, 3, 9, 30)):
        services.ticket_claim(ticket=tickets["paused"], actor=agent)
    with at(oslo(2025, 3, 3, 10, 0)):  # the P3 ran 1 h, then waits for the caller
        services.ticket_pend(ticket=tickets["paused"], actor=agent, reason="customer")
        services.ticket_resolve(ticket=tickets["met"], actor=agent, code="solved", note="Restarted")
    with at(oslo(2025, 3, 3, 10, 15)):  # P1 due 14:15: 2 h 15 min left at noon, 44 % used
        tickets["ok"] = log(agent, end_user, 1, "On time")
    with at(oslo(2025, 3, 3, 11, 0)):
        services.ticket_resolve(ticket=tickets["breached"], actor=agent, code="solved", note="Late")
    return tickets


def row_badges(page: str) -> dict[str, tuple[str, str]]:
    """Ticket number → (badge level, badge text) of each list row's resolution column."""
    badges = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        number = re.search(r">((?:INC|REQ)\d{7})</a>", row)
        badge = re.search(r'class="badge sla sla-(\w+)"[^>]*>([^<]*)<', row)
        if number and badge:
            badges[number.group(1)] = (badge.group(1), badge.group(2))
    return badges


def numbers_in_order(page: str) -> list[str]:
    return re.findall(r'<td><a href="/console/tickets/\d+/">((?:INC|REQ)\d{7})</a></td>', page)


# --- the list --------------------------------------------------------------------------------


def test_list_shows_time_left_and_overdue_badges_as_text_at_a_known_instant(at, console_for, agent, board):
    client = console_for(agent)

    with at(NOON):
        page = client.get(reverse("console:ticket-list")).content.decode()

    assert row_badges(page) == {
        board["ok"].number: ("ok", "2 h 15 min left"),
        board["warning"].number: ("warning", "Warning: 1 h left"),
        board["overdue"].number: ("overdue", "Overdue 35 min"),
        board["paused"].number: ("paused", "Paused, 21 h 30 min left"),  # 81,000 − 3,600 s
        board["met"].number: ("met", "Met"),
        board["breached"].number: ("breached", "Breached"),
    }


def test_badges_read_in_the_users_language(at, console_for, agent, board):
    agent.preferred_language = "nb"
    agent.save(update_fields=["preferred_language"])

    with at(NOON):
        page = console_for(agent).get(reverse("console:ticket-list")).content.decode()

    badges = row_badges(page)
    assert badges[board["ok"].number] == ("ok", "2 t 15 min igjen")
    assert badges[board["overdue"].number] == ("overdue", "35 min over frist")
    assert badges[board["paused"].number] == ("paused", "Pauset, 21 t 30 min igjen")
    assert "Frist for løsning" in page


def test_list_shows_the_due_time_of_a_running_clock_in_oslo_time(at, console_for, agent, board):
    with at(NOON):
        page = console_for(agent).get(reverse("console:ticket-list")).content.decode()

    assert '<time datetime="2025-03-03T10:25:00+00:00">2025-03-03 11:25</time>' in page


def test_sorting_by_time_left_orders_by_resolution_due_with_no_due_time_last(at, console_for, agent, board):
    with at(NOON):
        page = console_for(agent).get(reverse("console:ticket-list") + "?sort=time_left").content.decode()

    # Running clocks by due time; then the paused and stopped ones by priority.
    assert numbers_in_order(page) == [
        board[name].number for name in ("overdue", "warning", "ok", "breached", "paused", "met")
    ]


def test_sorting_by_time_left_gives_the_same_order_where_a_union_cannot_be_limited(
    at, console_for, agent, board, monkeypatch
):
    """SQLite, the demo's default, has no LIMIT inside a UNION: the list falls back to one ORDER BY."""
    from django.db import connection

    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", False)
    with at(NOON):
        page = console_for(agent).get(reverse("console:ticket-list") + "?sort=time_left").content.decode()

    assert numbers_in_order(page) == [
        board[name].number for name in ("overdue", "warning", "ok", "breached", "paused", "met")
    ]


def test_sorting_by_priority_puts_the_best_priority_and_longest_waiting_first(at, console_for, agent, board):
    page = console_for(agent).get(reverse("console:ticket-list") + "?sort=priority").content.decode()

    assert numbers_in_order(page) == [
        board[name].number for name in ("breached", "overdue", "warning", "ok", "paused", "met")
    ]


def test_the_list_is_newest_first_by_default_and_for_an_unknown_sort(console_for, agent, board):
    client = console_for(agent)

    default = numbers_in_order(client.get(reverse("console:ticket-list")).content.decode())
    unknown = numbers_in_order(client.get(reverse("console:ticket-list") + "?sort=bogus").content.decode())

    assert default == unknown
    assert default[0] == board["ok"].number
    assert default[-1] == board["breached"].number


# --- the ticket page -------------------------------------------------------------------------


@pytest.fixture
def paused_over_a_weekend(at, agent, end_user, first_line_group) -> Ticket:
    """P3 logged Friday 7 March 2025 09:00, on hold from 10:00 until Monday 10:00."""
    with at(oslo(2025, 3, 7, 9, 0)):
        ticket = log(agent, end_user, 3, "Scanner on ward 4")
    with at(oslo(2025, 3, 7, 9, 30)):
        services.ticket_claim(ticket=ticket, actor=agent)
    with at(oslo(2025, 3, 7, 10, 0)):
        services.ticket_pend(ticket=ticket, actor=agent, reason="customer")
    with at(oslo(2025, 3, 10, 10, 0)):
        services.ticket_start(ticket=ticket, actor=agent)
    return ticket


def segment_rows(page: str, heading: str) -> list[list[str]]:
    """The cells (tags stripped) of the segments table under the clock heading `heading`."""
    article = re.search(rf"<h3[^>]*>{heading} .*?</article>", page, re.S)
    assert article, heading
    body = re.search(r"<tbody>(.*?)</tbody>", article.group(0), re.S)
    assert body
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    ]


def test_ticket_page_shows_the_segments_of_a_clock_paused_over_a_weekend(
    at, console_for, agent, paused_over_a_weekend
):
    with at(oslo(2025, 3, 10, 11, 0)):
        response = console_for(agent).get(ticket_url(paused_over_a_weekend.pk))

    page = response.content.decode()
    assert segment_rows(page, "Resolution") == [
        ["Running", "2025-03-07 09:00", "2025-03-07 10:00", "Created", "1 h", "1 h"],
        ["Paused", "2025-03-07 10:00", "2025-03-10 10:00", "Placed on hold", "none", "1 h"],
        ["Running", "2025-03-10 10:00", "now", "Started", "1 h", "2 h"],
    ]
    # 81,000 − 3,600 s from Monday 10:00 → Thursday 13 March 09:00 (see tests/sla/test_clocks.py).
    assert '<time datetime="2025-03-13T08:00:00+00:00">2025-03-13 09:00</time>' in page


def test_ticket_page_lists_each_clock_with_target_time_counted_and_badge(
    at, console_for, agent, paused_over_a_weekend
):
    with at(oslo(2025, 3, 10, 11, 0)):
        response = console_for(agent).get(ticket_url(paused_over_a_weekend.pk))

    clocks = [
        (r.summary.name, r.summary.target_text, r.summary.elapsed_text, r.summary.text)
        for r in response.context["clocks"]
    ]
    assert clocks == [
        ("First response", "4 h", "30 min", "Met"),
        ("Resolution", "22 h 30 min", "2 h", "2 d 22 h left"),  # until Thursday 09:00
    ]
    assert "Service level" in response.content.decode()


def test_ticket_page_marks_the_stretch_in_which_a_clock_breached(at, console_for, agent, board):
    with at(NOON):
        response = console_for(agent).get(ticket_url(board["breached"].pk))

    rows = segment_rows(response.content.decode(), "Resolution")
    assert rows == [
        ["Running Target passed here", "2025-03-03 06:00", "2025-03-03 11:00", "Created", "5 h", "5 h"]
    ]
    assert '<time datetime="2025-03-03T09:00:00+00:00">2025-03-03 10:00</time>' in response.content.decode()


# --- notifications ---------------------------------------------------------------------------


@pytest.fixture
def breached_p2(at, agent, end_user, resolver, second_line_group) -> Ticket:
    """P2 logged Mon 3 March 2025 09:00 and assigned to the resolver in second line; nobody
    answers the caller, so the sweep at 10:05 records the response warnings and breach."""
    with at(oslo(2025, 3, 3, 9, 0)):
        ticket = log(agent, end_user, 2, "Lab printer")
    with at(oslo(2025, 3, 3, 9, 1)):
        services.ticket_assign(ticket=ticket, actor=agent, group=second_line_group, assignee=resolver)
    sweep(now=oslo(2025, 3, 3, 10, 5))
    return ticket


def notification_page(client: Client) -> str:
    response = client.get(reverse("console:notifications"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_assignee_sees_the_breach_and_warnings_after_the_sweep(at, console_for, resolver, breached_p2):
    with at(oslo(2025, 3, 3, 10, 10)):
        page = notification_page(console_for(resolver))

    assert page.count(breached_p2.number) == 3
    assert "Breached" in page
    assert "Warning: 75% used" in page
    assert "Warning: 90% used" in page


def test_a_member_of_the_assigned_group_sees_the_alerts(console_for, second_line_group, breached_p2):
    colleague = UserFactory(role=Role.RESOLVER)
    second_line_group.members.add(colleague)

    page = notification_page(console_for(colleague))

    assert breached_p2.number in page


def test_an_unrelated_resolver_sees_no_alerts(console_for, breached_p2):
    other_group: AssignmentGroup = AssignmentGroupFactory(name="Network")
    stranger = UserFactory(role=Role.RESOLVER)
    other_group.members.add(stranger)

    page = notification_page(console_for(stranger))

    assert breached_p2.number not in page
    assert "No notifications." in page


def test_a_first_line_agent_who_sees_every_ticket_gets_only_their_own_alerts(console_for, agent, breached_p2):
    page = notification_page(console_for(agent))

    assert breached_p2.number not in page


def test_a_service_desk_manager_sees_every_alert(console_for, breached_p2):
    manager = UserFactory(role=Role.MANAGER)

    page = notification_page(console_for(manager))

    assert page.count(breached_p2.number) == 3


def test_the_nav_counts_alerts_of_the_last_24_hours(at, console_for, resolver, breached_p2):
    client = console_for(resolver)

    with at(oslo(2025, 3, 3, 12, 0)):
        soon = client.get(reverse("console:ticket-list")).content.decode()
    with at(oslo(2025, 3, 4, 12, 0)):  # a day and two hours later
        later = client.get(reverse("console:ticket-list")).content.decode()

    assert '<span class="count" aria-hidden="true">3</span>' in soon
    assert ": 3 alerts in the last 24 hours" in soon
    assert 'class="count"' not in later
    assert reverse("console:notifications") in later  # the link stays


# --- query counts ----------------------------------------------------------------------------


def queries_for(client: Client, url: str) -> int:
    client.get(url)  # warm-up: one-off work (e.g. first-use caches) is not what we measure
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_tickets_with_clocks(agent: User, count: int) -> None:
    """Tickets through the service (so each has clocks), each with its own caller; every third
    paused, every fifth resolved, so all kinds of clock show."""
    for i in range(count):
        ticket = log(agent, UserFactory(), 1 + i % 4, f"Ticket {i}")
        if i % 3 == 1:
            services.ticket_pend(ticket=ticket, actor=agent, reason="customer")
        elif i % 5 == 2:
            services.ticket_resolve(ticket=ticket, actor=agent, code="solved", note="Done")


@pytest.mark.parametrize("sort", ["", "time_left", "priority"])
def test_ticket_list_with_clocks_runs_as_many_queries_for_200_tickets_as_for_10(
    console_for, agent, first_line_group, sort
):
    client = console_for(agent)
    url = reverse("console:ticket-list") + f"?sort={sort}"
    add_tickets_with_clocks(agent, 10)
    with_10 = queries_for(client, url)

    add_tickets_with_clocks(agent, 190)
    with_200 = queries_for(client, url)

    assert with_10 == with_200


def test_ticket_page_runs_as_many_queries_for_50_pauses_as_for_5(
    at, console_for, agent, end_user, first_line_group
):
    with at(oslo(2025, 3, 3, 8, 0)):
        ticket = log(agent, end_user, 4, "On and off")
        services.ticket_claim(ticket=ticket, actor=agent)
    client = console_for(agent)

    def pause_and_resume(times: int, day: int) -> None:
        for minute in range(times):
            with at(oslo(2025, 3, day, 9, minute)):
                services.ticket_pend(ticket=ticket, actor=agent, reason="customer")
            with at(oslo(2025, 3, day, 10, minute)):
                services.ticket_start(ticket=ticket, actor=agent)

    pause_and_resume(5, 4)
    with at(oslo(2025, 3, 6, 12, 0)):
        with_5 = queries_for(client, ticket_url(ticket.pk))
    pause_and_resume(50, 5)
    with at(oslo(2025, 3, 6, 12, 0)):
        with_50 = queries_for(client, ticket_url(ticket.pk))

    assert with_5 == with_50


def test_notifications_page_runs_as_many_queries_for_30_alerts_as_for_3(console_for, agent, end_user):
    manager = UserFactory(role=Role.MANAGER)
    client = console_for(manager)
    url = reverse("console:notifications")

    def breach(count: int, day: int) -> None:
        with time_machine.travel(oslo(2025, 3, day, 9, 0), tick=False):
            for _ in range(count):
                log(agent, UserFactory(), 2, "Slow")
        sweep(now=oslo(2025, 3, day, 10, 5))  # three alerts per ticket

    breach(1, 3)
    with_3 = queries_for(client, url)
    breach(9, 4)
    with_30 = queries_for(client, url)

    assert with_3 == with_30


def test_the_notification_count_stops_at_the_cap(at, console_for, resolver, breached_p2, monkeypatch):
    # Three alerts (two warnings and the breach); the count is exact up to the cap, then a lower bound.
    with at(oslo(2025, 3, 3, 10, 10)):
        assert "3 notifications" in notification_page(console_for(resolver))
        monkeypatch.setattr(paging, "CAP", 2)
        page = notification_page(console_for(resolver))

    assert "More than 2 notifications" in page
    assert page.count(breached_p2.number) == 2  # rows are offered up to the cap, as on the ticket list
