"""The console's read path at scale: counts that stop, searches and look-ups on indexes.

What a user notices is asserted through the pages; that each query can use its index is
asserted with EXPLAIN with sequential scans disabled (on a handful of rows the planner would
rightly scan; this proves the index matches the query's expression, so it serves it at scale).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import selectors, services
from incidents.filters import TicketFilter
from incidents.models import Ticket
from incidents.views import _sorted
from servicedesk import paging
from servicedesk.api import people_matching
from servicedesk.models import Role, User
from servicedesk.paging import CappedPaginator
from sla import selectors as sla_selectors
from sla.models import ClockAlert, Metric
from tests.factories import AssignmentGroupFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("console:ticket-list")


def plan(queryset: QuerySet, *, bitmap_only: bool = False) -> str:
    """The plan with sequential scans off (and with `bitmap_only`, plain index scans too: then a
    GIN index is the only way left, whatever the planner thinks of a few rows' statistics)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if bitmap_only:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
    return queryset.order_by().explain()


# --- the list's count stops at the cap --------------------------------------------------------


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cap 5, two rows a page: the thousand-row behaviour on eight tickets."""
    monkeypatch.setattr(paging, "CAP", 5)
    monkeypatch.setattr("incidents.views.PAGE_SIZE", 2)


def test_past_the_cap_the_list_says_more_than_and_offers_pages_up_to_it(console_for, agent, small_cap):
    TicketFactory.create_batch(8)
    client = console_for(agent)

    first = client.get(LIST).content.decode()
    assert "More than 5 tickets" in first
    assert "Page 1 of more than 3" in first
    assert ">Last<" not in first

    last = client.get(LIST, {"page": 3}).content.decode()
    assert "Page 3 of more than 3" in last
    assert "Only the first 5 are shown: narrow the filter to see the rest." in last
    assert 'rel="next"' not in last


def test_under_the_cap_the_list_counts_exactly(console_for, agent, small_cap):
    TicketFactory.create_batch(4)

    page = console_for(agent).get(LIST).content.decode()

    assert "4 tickets" in page
    assert "Page 1 of 2" in page
    assert ">Last<" in page
    assert "More than" not in page


def test_the_capped_list_runs_as_many_queries_as_the_counted_one(console_for, agent, small_cap):
    client = console_for(agent)
    TicketFactory.create_batch(3)
    client.get(LIST)
    with CaptureQueriesContext(connection) as counted:
        client.get(LIST)
    TicketFactory.create_batch(30)
    with CaptureQueriesContext(connection) as capped:
        assert "More than 5" in client.get(LIST).content.decode()
    assert len(capped) == len(counted)


def test_the_paginator_counts_at_most_cap_plus_one_rows():
    TicketFactory.create_batch(7)
    tickets = Ticket.objects.order_by("-created_at")

    capped = CappedPaginator(tickets, 2, cap=5)
    exact = CappedPaginator(tickets, 2, cap=10)

    assert (capped.count, capped.capped, capped.num_pages) == (5, True, 3)
    assert (exact.count, exact.capped, exact.num_pages) == (7, False, 4)
    with CaptureQueriesContext(connection) as queries:
        CappedPaginator(tickets, 2, cap=5).count  # noqa: B018
    assert "LIMIT 6" in queries[0]["sql"]


# --- text search, caller look-up, group filter: on indexes ---------------------------------------


def test_text_search_finds_words_in_either_language_and_either_field(console_for, agent):
    TicketFactory(title="Skriverkø henger på avdelingen", description="")
    TicketFactory(title="Cannot log in", description="The label PRINTER is offline too")
    TicketFactory(title="Outlook will not open", description="")

    client = console_for(agent)
    norwegian = client.get(LIST, {"q": "skriver"}).content.decode()
    english = client.get(LIST, {"q": "printer"}).content.decode()

    assert "Skriverkø henger" in norwegian and "Cannot log in" not in norwegian
    assert "Cannot log in" in english and "Outlook" not in english


def test_text_search_is_an_index_scan():
    searched = Ticket.objects.filter(title__icontains="printer")
    described = Ticket.objects.filter(description__icontains="skriver")

    assert "ticket_title_trgm_idx" in plan(searched, bitmap_only=True)
    assert "ticket_description_trgm_idx" in plan(described, bitmap_only=True)


def test_caller_lookup_matches_name_phone_and_email_on_the_index():
    kari = UserFactory(first_name="Kari", last_name="Nordmann", phone="+47 912 34 567", email="kari@hf.no")
    UserFactory(first_name="Ola", last_name="Hansen", phone="22 33 44 55", email="ola@hf.no")
    people = User.objects.all()

    assert list(people_matching(people, "kari nord")) == [kari]
    assert list(people_matching(people, "NORDMANN")) == [kari]
    assert list(people_matching(people, "912")) == [kari]
    assert list(people_matching(people, "kari@hf")) == [kari]
    assert "user_search_trgm_idx" in plan(people_matching(people, "nordmann"), bitmap_only=True)


def test_one_groups_open_tickets_read_the_group_and_state_index(second_line_group, end_user):
    # Twenty groups of 40 tickets, one in seven open, with fresh statistics.
    now = timezone.now()
    groups = [second_line_group, *AssignmentGroupFactory.create_batch(19)]
    Ticket.objects.bulk_create(
        Ticket(
            caller=end_user,
            title=f"T{i}",
            assignment_group=groups[i % 20],
            state="new" if i % 7 == 0 else "closed",
            created_at=now,
            updated_at=now,
        )
        for i in range(800)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_ticket")
    open_of_group = Ticket.objects.filter(
        assignment_group=second_line_group, state__in=["new", "in_progress"]
    )

    assert "ticket_group_state_idx" in plan(open_of_group)


def test_open_tickets_by_priority_read_the_open_priority_index(end_user):
    # The list's "priority, then oldest" sort of open tickets: its first page in index order.
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            caller=end_user,
            title=f"T{i}",
            priority=1 + i % 4,
            state="in_progress" if i % 7 == 0 else "closed",
            created_at=now - timedelta(minutes=i),
            updated_at=now,
        )
        for i in range(800)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_ticket")
    open_tickets = TicketFilter({"open": "true"}, queryset=Ticket.objects.all()).qs

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    first_page = _sorted(open_tickets, "priority")[:25].explain()

    assert "ticket_open_priority_idx" in first_page
    assert "Sort" not in first_page


def test_queue_counts_are_index_only_counts_of_the_partial_queue_index(agent, second_line_group):
    TicketFactory(assignment_group=second_line_group, state="new")
    TicketFactory(assignment_group=second_line_group, state="assigned")
    TicketFactory(assignment_group=second_line_group, state="in_progress")
    TicketFactory(assignment_group=second_line_group, state="new", assignee=agent)

    queues = {group.pk: group.waiting for group in selectors.queues_for(agent)}

    assert queues[second_line_group.pk] == 2
    assert "ticket_queue_idx" in plan(selectors.queues_for(agent))


# --- the navigation's alert count -----------------------------------------------------------


def alerts(ticket: Ticket, count: int, *, hours_ago: float = 1) -> None:
    """`count` warnings on the ticket's resolution clock (one per level), recorded hours ago."""
    clock = ticket.clocks.get(metric=Metric.RESOLUTION, group__isnull=True)
    at = timezone.now() - timedelta(hours=hours_ago)
    ClockAlert.objects.bulk_create(
        ClockAlert(
            clock=clock,
            ticket=ticket,
            kind="warning",
            level=level,
            fraction=0.5,
            threshold_at=at,
            recorded_at=at,
        )
        for level in range(1, count + 1)
    )


@pytest.fixture
def manager(db: None) -> User:
    return UserFactory(username="manager", role=Role.MANAGER)


def test_the_nav_counts_the_last_days_alerts(console_for, manager, agent, end_user):
    ticket = services.ticket_create(actor=agent, caller=end_user, title="Printer jammed")
    alerts(ticket, 3)
    alerts(services.ticket_create(actor=agent, caller=end_user, title="Old"), 4, hours_ago=30)

    page = console_for(manager).get(LIST).content.decode()

    assert '<span class="count" aria-hidden="true">3</span>' in page


def test_past_99_alerts_the_nav_says_99_plus(console_for, manager, agent, end_user):
    ticket = services.ticket_create(actor=agent, caller=end_user, title="Printer jammed")
    alerts(ticket, 120)

    page = console_for(manager).get(LIST).content.decode()

    assert '<span class="count" aria-hidden="true">99+</span>' in page
    assert sla_selectors.recent_alert_count(manager, timezone.now()) == 100  # counting stopped


def test_the_alert_count_reads_the_recorded_at_index(manager):
    recent = sla_selectors.alerts_for(manager).filter(recorded_at__gt=timezone.now()).order_by()

    assert "clock_alert_recorded_idx" in plan(recent)


# --- ordering by time left ------------------------------------------------------------------


def test_time_left_pages_run_through_the_due_tickets_then_the_rest(agent, end_user):
    """Slices across the boundary between tickets with a running clock and those without give the
    same order as one ORDER BY over all of them, in two queries whatever the slice."""
    for i, (impact, urgency) in enumerate([(3, 3), (1, 1), (2, 2), (3, 3), (2, 3)]):
        ticket = services.ticket_create(
            actor=agent, caller=end_user, title=f"T{i}", impact=impact, urgency=urgency
        )
        if i >= 3:
            services.ticket_pend(ticket=ticket, actor=agent, reason="customer")
    tickets = Ticket.objects.all()
    expected = [t.pk for t in sla_selectors.order_by_time_left(tickets)]
    order = sla_selectors.TimeLeftOrder(tickets)

    with CaptureQueriesContext(connection) as queries:
        pages = [order[0:2], order[2:4], order[4:6]]

    assert [t.pk for page in pages for t in page] == expected
    assert [t.title for t in pages[0]] == ["T1", "T2"]  # highest priority, least time left
    assert len(queries) == 6
    assert "clock_due_idx" in plan(
        Ticket.objects.filter(clocks__state="running", clocks__metric=Metric.RESOLUTION).order_by(
            "clocks__due_at"
        )
    )
