"""The "waiting for my vote" list and its count in the change sub-navigation, per role."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import selectors, services
from changes.models import ChangeType
from servicedesk.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def count_in_nav(page: str) -> str | None:
    """The number in the badge beside "Waiting for my vote" in the change menu (the last link to
    the list: a change manager's main navigation links to it too), or None without a badge."""
    link = page.rsplit('href="/console/changes/votes/"', 1)[1].split("</a>", 1)[0]
    if 'class="count"' not in link:
        return None
    return link.split('class="count" aria-hidden="true">', 1)[1].split("<", 1)[0]


def test_a_cab_member_sees_the_changes_that_wait_for_their_vote_and_the_count(
    console_for, awaiting_change, cab_members
):
    first = awaiting_change(title="Patch the PACS archive")
    second = awaiting_change(title="Move the EPR database")
    client = console_for(cab_members[0])

    page = client.get(reverse("changes:votes")).content.decode()

    assert first.number in page and second.number in page
    assert count_in_nav(page) == "2"
    assert "0 of 1" in page  # approvals so far, of those required
    assert count_in_nav(client.get(reverse("changes:list")).content.decode()) == "2"
    assert count_in_nav(client.get(reverse("changes:calendar")).content.decode()) == "2"


def test_a_vote_takes_the_change_off_the_voters_list_but_not_off_the_other_members(
    console_for, awaiting_change, cab, cab_members
):
    cab.rules.update(required_approvals=2)
    change = awaiting_change()
    services.change_approve(change=change, actor=cab_members[0])

    voter_page = console_for(cab_members[0]).get(reverse("changes:votes")).content.decode()
    other_page = console_for(cab_members[1]).get(reverse("changes:votes")).content.decode()

    assert change.number not in voter_page and count_in_nav(voter_page) is None
    assert "No change waits for your vote." in voter_page
    assert change.number in other_page and count_in_nav(other_page) == "1"
    assert "1 of 2" in other_page


def test_an_approved_or_rejected_change_waits_for_nobody(console_for, awaiting_change, cab_members):
    approved = awaiting_change(title="Approved one")
    rejected = awaiting_change(title="Rejected one")
    services.change_approve(change=approved, actor=cab_members[0])
    services.change_reject(change=rejected, actor=cab_members[1], reason="No back-out plan tested.")

    page = console_for(cab_members[2]).get(reverse("changes:votes")).content.decode()

    assert approved.number not in page and rejected.number not in page
    assert count_in_nav(page) is None


def test_the_requester_on_the_board_is_not_asked_to_vote_on_their_own_change(
    console_for, awaiting_change, cab, requester, cab_members
):
    cab.members.add(requester)
    change = awaiting_change()

    page = console_for(requester).get(reverse("changes:votes")).content.decode()

    assert change.number not in page and count_in_nav(page) is None


def test_a_change_manager_off_the_board_and_a_resolver_see_an_empty_list(
    console_for, awaiting_change, change_manager, cab_members
):
    change = awaiting_change()
    resolver = UserFactory(role=Role.RESOLVER)

    for user in (change_manager, resolver):
        page = console_for(user).get(reverse("changes:votes")).content.decode()
        assert change.number not in page and count_in_nav(page) is None


def test_an_emergency_change_waits_for_the_ecab_not_the_cab(
    console_for, awaiting_change, cab_members, ecab_member
):
    change = awaiting_change(change_type=ChangeType.EMERGENCY)

    ecab_page = console_for(ecab_member).get(reverse("changes:votes")).content.decode()
    cab_page = console_for(cab_members[0]).get(reverse("changes:votes")).content.decode()

    assert change.number in ecab_page and count_in_nav(ecab_page) == "1"
    assert change.number not in cab_page


def test_an_end_user_is_sent_to_the_portal(console_for, awaiting_change, cab_members, end_user):
    awaiting_change()
    response = console_for(end_user).get(reverse("changes:votes"))

    assert response["Location"] == reverse("portal:home")


def test_the_list_runs_as_many_queries_for_12_changes_as_for_2(console_for, awaiting_change, cab_members):
    client = console_for(cab_members[0])
    url = reverse("changes:votes")

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _ in range(2):
        awaiting_change()
    with_2 = queries()
    for _ in range(10):
        awaiting_change()
    with_12 = queries()

    assert with_2 == with_12
    assert count_in_nav(client.get(url).content.decode()) == "12"


def test_the_count_costs_one_query(awaiting_change, cab_members):
    awaiting_change()
    with CaptureQueriesContext(connection) as captured:
        count = selectors.awaiting_vote_count(cab_members[0])
    assert count == 1 and len(captured) == 1
