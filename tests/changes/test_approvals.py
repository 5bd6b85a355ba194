"""Approvals: the board is data, each member decides once, and the board is told by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from changes import services
from changes.models import AdvisoryBoard, Approval, ApprovalRule, Risk, State
from servicedesk.errors import DomainError, IllegalTransition, NotAllowed
from servicedesk.models import Role
from servicedesk.outbox import dispatch_pending
from tests.factories import UserFactory

from .helpers import answers

pytestmark = pytest.mark.django_db


def test_board_members_are_emailed_when_a_change_awaits_them_but_not_its_requester(
    awaiting_change, cab, cab_members, requester
):
    cab.members.add(requester)
    cab_members[0].preferred_language = "nb"
    cab_members[0].save()

    change = awaiting_change()
    dispatch_pending()

    sent = {message.to[0]: message.subject for message in mail.outbox if change.number in message.subject}
    assert set(sent) == {member.email for member in cab_members}
    assert sent[cab_members[1].email] == f"Change {change.number} awaits your approval"
    with translation.override("nb"):
        expected = translation.gettext("Change %(number)s awaits your approval") % {"number": change.number}
    assert sent[cab_members[0].email] == expected  # in the member's own language


def test_approving_twice_returns_the_same_approval(awaiting_change, cab_members):
    change = awaiting_change()
    first = services.change_approve(change=change, actor=cab_members[0], comment="Yes")

    again = services.change_approve(change=change, actor=cab_members[0], comment="Yes, really")

    assert again.pk == first.pk
    assert Approval.objects.count() == 1
    change.refresh_from_db()
    assert change.state == State.APPROVED


def test_a_member_who_approved_cannot_then_reject(awaiting_change, cab, cab_members):
    ApprovalRule.objects.filter(change_type="normal", risk=Risk.LOW).update(required_approvals=2)
    change = awaiting_change()
    services.change_approve(change=change, actor=cab_members[0])

    with pytest.raises(IllegalTransition, match="already approved"):
        services.change_reject(change=change, actor=cab_members[0], reason="Second thoughts")

    change.refresh_from_db()
    assert change.state == State.AWAITING_APPROVAL


def test_the_owner_may_not_approve_either(awaiting_change, cab_members, change_manager):
    change = awaiting_change()
    services.change_update(change=change, actor=change_manager, owner=cab_members[0])

    with pytest.raises(NotAllowed, match="their own change"):
        services.change_approve(change=change, actor=cab_members[0])


def test_approval_is_not_requested_from_a_board_too_small_to_decide(requester, change_manager, cab, pacs):
    # The CAB has two members, one of whom is the requester: one may approve, and high risk needs 3
    cab.members.add(requester, UserFactory(role=Role.RESOLVER))
    change = services.change_create(
        actor=requester,
        title="Move the data centre",
        services=[pacs],
        implementation_plan="x",
        backout_plan="y",
    )
    services.change_submit(change=change, actor=requester)
    services.change_assess(change=change, actor=change_manager, answers=answers(True))

    with pytest.raises(
        DomainError,
        match=r"approvals needed: 3; members who may approve it \(not its requester or owner\): 1\.",
    ):
        services.change_request_approval(change=change, actor=change_manager)

    change.refresh_from_db()
    assert change.state == State.ASSESSED


def test_the_requester_may_withdraw_their_change_until_it_goes_to_the_board(
    awaiting_change, cab_members, requester, pacs
):
    draft = services.change_create(actor=requester, title="Tidy the PACS logs", services=[pacs])
    services.change_cancel(change=draft, actor=requester, reason="Not needed after all.")
    draft.refresh_from_db()
    assert draft.state == State.CANCELLED

    before_the_board = awaiting_change()
    with pytest.raises(NotAllowed):
        services.change_cancel(change=before_the_board, actor=requester, reason="Changed my mind.")


def test_boards_and_rules_are_seeded_as_data():
    rules = {
        (r.change_type, r.risk): (r.board.name, r.required_approvals) for r in ApprovalRule.objects.all()
    }

    assert rules == {
        ("normal", "low"): ("CAB", 1),
        ("normal", "medium"): ("CAB", 2),
        ("normal", "high"): ("CAB", 3),
        ("emergency", "low"): ("ECAB", 1),
        ("emergency", "medium"): ("ECAB", 1),
        ("emergency", "high"): ("ECAB", 1),
    }
    assert set(AdvisoryBoard.objects.values_list("name", "kind")) == {("CAB", "cab"), ("ECAB", "ecab")}
