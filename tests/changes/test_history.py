"""Every step writes one history event per changed field (and one without a field when it
changes none, as an approval short of the quorum); a step that is refused writes nothing."""

from __future__ import annotations

from unittest.mock import ANY

import pytest

from changes import services
from changes.models import ChangeEvent, State
from servicedesk.errors import IllegalTransition

from .helpers import answers, evening, history

pytestmark = pytest.mark.django_db


def test_every_transition_yields_one_event_per_changed_field(
    requester, change_manager, cab_members, pacs, epr
):
    change = services.change_create(
        actor=requester,
        title="Upgrade PACS",
        services=[pacs],
        implementation_plan="Upgrade.",
        backout_plan="Restore.",
    )
    services.change_update(change=change, actor=requester, title="Upgrade PACS to 7.2", services=[pacs, epr])
    services.change_submit(change=change, actor=requester)
    services.change_assess(change=change, actor=change_manager, answers=answers(True), impact=1)
    services.change_request_approval(change=change, actor=change_manager)
    for member in cab_members:
        services.change_approve(change=change, actor=member)
    start, end = evening(3)
    services.change_schedule(change=change, actor=change_manager, planned_start=start, planned_end=end)
    services.change_implement(change=change, actor=change_manager)
    services.change_complete(change=change, actor=change_manager, outcome="successful", notes="Done.")
    services.change_close(change=change, actor=change_manager, review_notes="As planned.")

    assert history(change) == [
        ("created", "", "", change.number),
        ("updated", "title", "Upgrade PACS", "Upgrade PACS to 7.2"),
        ("updated", "services", "PACS/RIS", "EPR, PACS/RIS" if epr.pk < pacs.pk else "PACS/RIS, EPR"),
        ("submitted", "state", "draft", "submitted"),
        ("assessed", "state", "submitted", "assessed"),
        ("assessed", "risk", "", "high"),
        ("assessed", "risk_score", "", "13"),
        ("assessed", "impact", "3", "1"),
        ("approval_requested", "state", "assessed", "awaiting_approval"),
        ("approval_requested", "approval_board", "", "CAB"),
        ("approval_requested", "required_approvals", "0", "3"),
        ("approved", "", "", ""),  # 1 of 3
        ("approved", "", "", ""),  # 2 of 3
        ("approved", "state", "awaiting_approval", "approved"),  # 3 of 3
        ("scheduled", "state", "approved", "scheduled"),
        ("scheduled", "planned_start", "", start.isoformat()),
        ("scheduled", "planned_end", "", end.isoformat()),
        ("implementing", "state", "scheduled", "implementing"),
        ("implementing", "actual_start", "", ANY),
        ("completed", "state", "implementing", "review"),
        ("completed", "outcome", "", "successful"),
        ("completed", "outcome_notes", "", "Done."),
        ("completed", "actual_end", "", ANY),
        ("closed", "state", "review", "closed"),
        ("closed", "review_notes", "", "As planned."),
        ("closed", "closed_at", "", ANY),
    ]
    approvals = ChangeEvent.objects.filter(change=change, action="approved").order_by("id")
    assert [(e.actor, e.details["approvals"], e.details["required"]) for e in approvals] == [
        (cab_members[0], 1, 3),
        (cab_members[1], 2, 3),
        (cab_members[2], 3, 3),
    ]


def test_cancelling_records_the_state_with_the_reason(approved_change, change_manager):
    change = approved_change()
    services.change_cancel(change=change, actor=change_manager, reason="Superseded by CHG0000099.")

    assert history(change)[-1] == ("cancelled", "state", "approved", "cancelled")
    assert change.events.last().details == {"reason": "Superseded by CHG0000099."}


def test_an_edit_that_changes_nothing_records_nothing(requester, pacs):
    change = services.change_create(actor=requester, title="Patch", services=[pacs])

    services.change_update(change=change, actor=requester, title="Patch", services=[pacs])

    assert history(change) == [("created", "", "", change.number)]


def test_a_refused_step_records_nothing(approved_change, change_manager):
    change = approved_change()
    before = history(change)

    with pytest.raises(IllegalTransition, match="cannot become"):
        services.change_close(change=change, actor=change_manager, review_notes="Too early.")

    assert history(change) == before
    change.refresh_from_db()
    assert change.state == State.APPROVED
