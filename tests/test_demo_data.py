"""`manage.py demo_data`: the demo organisation, logins and a consistent ticket history."""

from __future__ import annotations

import re
from collections import defaultdict
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import F

from incidents.models import Comment, EventAction, PriorityRule, State, Ticket, TicketEvent
from incidents.services import first_line_group
from servicedesk.demo import CUSTOMER_CENTRE, DEMO_LOGINS, DEMO_PASSWORD, TIER_1_SERVICES
from servicedesk.models import AssignmentGroup, GroupLevel, HealthTrust, Role, Service, User

pytestmark = pytest.mark.django_db

TICKETS = 200


@pytest.fixture
def demo(settings: pytest.FixtureRequest) -> str:
    """Run the command with small numbers; return what it printed."""
    # The demo password is hashed once per run and checked once per login below: keep both fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    out = StringIO()
    call_command("demo_data", tickets=TICKETS, users=40, calls=30, stdout=out)
    return out.getvalue()


def test_every_demo_login_signs_in_with_the_demo_password(demo):
    for login in DEMO_LOGINS:
        user = authenticate(username=login.username, password=DEMO_PASSWORD)
        assert user is not None, login.username
        assert user.role == login.role


def test_demo_logins_have_the_roles_and_groups_the_design_promises(demo):
    users = User.objects.in_bulk([login.username for login in DEMO_LOGINS], field_name="username")
    customer_centre = AssignmentGroup.objects.get(name=CUSTOMER_CENTRE)
    assert customer_centre.members.filter(username__in=["agent1", "agent2"]).count() == 2
    assert users["agent1"].role == users["agent2"].role == Role.FIRST_LINE
    assert users["resolver1"].assignment_groups.filter(level=GroupLevel.SECOND_LINE).exists()
    assert users["cab1"].role == Role.CHANGE_MANAGER
    assert users["manager1"].role == Role.MANAGER
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert {users[name].preferred_language for name in users} == {"nb", "en"}


def test_the_two_end_users_belong_to_different_trusts(demo):
    enduser1 = User.objects.get(username="enduser1")
    enduser2 = User.objects.get(username="enduser2")
    assert enduser1.role == enduser2.role == Role.END_USER
    assert enduser1.trust is not None and enduser2.trust is not None
    assert enduser1.trust != enduser2.trust


def test_four_trusts_and_about_twenty_groups_with_the_customer_centre_as_first_line(demo):
    assert HealthTrust.objects.count() == 4
    assert 18 <= AssignmentGroup.objects.count() <= 24
    assert first_line_group().name == CUSTOMER_CENTRE
    assert not AssignmentGroup.objects.filter(email="").exists()
    assert AssignmentGroup.objects.filter(level=GroupLevel.THIRD_LINE).exists()
    assert AssignmentGroup.objects.filter(level=GroupLevel.VENDOR).exists()


def test_every_tier_one_service_of_the_design_exists(demo):
    tier_1 = set(Service.objects.filter(tier=1).values_list("name", flat=True))
    assert tier_1 == set(TIER_1_SERVICES)
    assert len([name for name in tier_1 if name.startswith("LIMS")]) == 4
    assert Service.objects.filter(tier__gt=1).exists()


def test_tickets_are_spread_over_open_and_finished_states(demo):
    assert Ticket.objects.count() == TICKETS
    states = set(Ticket.objects.values_list("state", flat=True))
    assert {State.NEW, State.ASSIGNED, State.IN_PROGRESS, State.PENDING, State.CLOSED} <= states
    assert Ticket.objects.filter(major_incident=True, priority=1, service__tier=1).exists()


def test_about_two_thirds_are_resolved_at_first_line(demo):
    resolved = Ticket.objects.filter(state__in=[State.RESOLVED, State.CLOSED])
    first_line = resolved.filter(resolved_by_group__level=GroupLevel.FIRST_LINE, reassignment_count=0)
    assert 0.5 <= first_line.count() / resolved.count() <= 0.85
    assert (
        resolved.filter(reassignment_count__gte=1)
        .exclude(resolved_by_group__level=GroupLevel.FIRST_LINE)
        .exists()
    )


def test_every_ticket_starts_with_a_created_event_carrying_its_number(demo):
    first_events = {}
    for event in TicketEvent.objects.order_by("created_at", "id"):
        first_events.setdefault(event.ticket_id, event)
    for ticket in Ticket.objects.all():
        event = first_events[ticket.pk]
        assert event.action == EventAction.CREATED
        assert event.new_value == ticket.number
        assert event.created_at == ticket.created_at


def test_history_replays_to_the_state_each_ticket_is_in(demo):
    events = defaultdict(list)
    for event in TicketEvent.objects.order_by("created_at", "id"):
        events[event.ticket_id].append(event)
    for ticket in Ticket.objects.all():
        state = State.NEW
        for event in events[ticket.pk]:
            if event.field == "state":
                assert event.old_value == state, ticket.number
                state = event.new_value
        assert state == ticket.state, ticket.number
        assert ticket.updated_at == events[ticket.pk][-1].created_at


def test_timestamps_and_bookkeeping_columns_are_consistent(demo):
    tickets = Ticket.objects.all()
    assert not tickets.filter(resolved_at__lte=F("created_at")).exists()
    assert not tickets.filter(closed_at__lte=F("resolved_at")).exists()
    assert not tickets.filter(state=State.CLOSED, closed_at__isnull=True).exists()
    assert not tickets.filter(
        state__in=[State.RESOLVED, State.CLOSED], resolved_by_group__isnull=True
    ).exists()
    assert (
        not tickets.exclude(state__in=[State.RESOLVED, State.CLOSED])
        .filter(resolved_at__isnull=False)
        .exists()
    )
    assert not tickets.filter(state=State.PENDING, pending_reason="").exists()
    # In a queue (unclaimed, new or assigned) exactly when queue_entered_at is set.
    queued = tickets.filter(assignee__isnull=True, state__in=[State.NEW, State.ASSIGNED])
    assert not queued.filter(queue_entered_at__isnull=True).exists()
    assert not tickets.exclude(pk__in=queued).filter(queue_entered_at__isnull=False).exists()
    assert not TicketEvent.objects.filter(created_at__lt=F("ticket__created_at")).exists()


def test_priorities_follow_the_matrix(demo):
    matrix = {(rule.impact, rule.urgency): rule.priority for rule in PriorityRule.objects.all()}
    for impact, urgency, priority in Ticket.objects.values_list("impact", "urgency", "priority"):
        assert matrix[(impact, urgency)] == priority


def test_claims_record_the_queue_wait_and_comments_their_event(demo):
    claims = TicketEvent.objects.filter(action=EventAction.CLAIMED, field="state")
    assert claims.exists()
    assert all("queue_wait_seconds" in event.details for event in claims)
    comment_ids = set(Comment.objects.values_list("id", flat=True))
    commented = TicketEvent.objects.filter(action=EventAction.COMMENTED)
    assert {event.details["comment"] for event in commented} == comment_ids
    assert Comment.objects.filter(internal=True).exists() and Comment.objects.filter(internal=False).exists()


def test_running_again_with_if_empty_creates_nothing(demo):
    counts = (
        User.objects.count(),
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        Comment.objects.count(),
    )
    out = StringIO()
    call_command("demo_data", "--if-empty", stdout=out)
    assert "no demo data created" in out.getvalue()
    assert (
        User.objects.count(),
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        Comment.objects.count(),
    ) == counts


def test_the_summary_lists_the_counts_and_the_demo_logins(demo):
    assert re.search(rf"^\s+tickets\s+{TICKETS}$", demo, re.MULTILINE)
    assert "first-line resolution" in demo
    for login in DEMO_LOGINS:
        assert login.username in demo


def test_demo_has_a_knowledge_base_and_survey_answers(demo):
    from knowledge.models import Article, ArticleStatus
    from portal.models import SurveyAnswer

    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    assert published.count() >= 35
    assert set(published.values_list("language", flat=True)) == {"nb", "en"}
    assert published.filter(translation_of__isnull=False).exists()
    answers = SurveyAnswer.objects.all()
    assert answers.exists()
    assert not answers.exclude(ticket__state__in=[State.RESOLVED, State.CLOSED]).exists()
    assert not answers.exclude(caller=F("ticket__caller")).exists()
    assert "Knowledge base:" in demo


def test_the_demo_end_users_have_their_own_cases_in_the_portal(demo):
    enduser1 = User.objects.get(username="enduser1")
    own = Ticket.objects.filter(caller=enduser1, created_by=enduser1, channel="portal")

    in_progress = own.get(title="Skriveren på akuttmottaket skriver ikke ut")
    assert in_progress.state == State.IN_PROGRESS
    assert (
        in_progress.service is not None and in_progress.service.name == "Utskrift"
    )  # chosen as in the portal
    assert in_progress.comments.filter(internal=False).exclude(author=enduser1).exists()
    waiting_for_them = own.get(title="Får ikke åpnet kurven i DIPS")
    assert waiting_for_them.state == State.RESOLVED
    assert not hasattr(waiting_for_them, "survey_answer")  # left for enduser1 to rate
    assert Ticket.objects.filter(caller__username="enduser2", created_by__username="enduser2").exists()
