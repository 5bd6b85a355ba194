"""The change workflow through the API: draft → submitted → assessed → awaiting approval →
approved → scheduled → implementing → review → closed, and the ways it stops."""

from __future__ import annotations

import pytest
from django.core import mail

from changes.models import Approval, ChangeEvent, ChangeType, Risk, StandardChangeTemplate, State
from servicedesk.models import OutboxMessage
from servicedesk.outbox import dispatch_pending

from .helpers import api_answers, evening

pytestmark = pytest.mark.django_db


def post(client, change_id: int, transition: str, body: dict | None = None):
    return client.post(f"/api/changes/{change_id}/{transition}/", body or {}, format="json")


def test_normal_high_risk_change_goes_from_draft_to_closed_with_three_cab_approvals(
    api_for, requester, change_manager, cab, cab_members, pacs, epr
):
    # Given a requester who also sits on the CAB, and three other CAB members
    cab.members.add(requester)
    as_requester, as_manager = api_for(requester), api_for(change_manager)
    start, end = evening(3)

    # When the requester raises and submits a change, and the change manager assesses it high risk
    response = as_requester.post(
        "/api/changes/",
        {
            "title": "Upgrade the PACS database",
            "services": [pacs.pk, epr.pk],
            "implementation_plan": "Stop PACS, upgrade PostgreSQL, start, check images load.",
            "backout_plan": "Restore the pre-upgrade snapshot.",
            "planned_start": start.isoformat(),
            "planned_end": end.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    change_id = response.json()["id"]
    assert response.json()["state"] == State.DRAFT
    assert post(as_requester, change_id, "submit").json()["state"] == State.SUBMITTED
    assessed = post(as_manager, change_id, "assess", {"answers": api_answers(True)}).json()
    assert (assessed["state"], assessed["risk"]) == (State.ASSESSED, Risk.HIGH)

    # ... and sends it to the board the rule for high risk names: the CAB, three approvals
    awaiting = post(as_manager, change_id, "request-approval").json()
    assert awaiting["state"] == State.AWAITING_APPROVAL
    assert (awaiting["approval_board"]["name"], awaiting["required_approvals"]) == ("CAB", 3)
    assert OutboxMessage.objects.filter(
        kind="change.approval_requested", payload={"change_id": change_id}
    ).exists()

    # then the requester's own approval is refused
    own = post(as_requester, change_id, "approve")
    assert own.status_code == 403
    assert not Approval.objects.filter(approver=requester).exists()

    # and a repeat approval changes nothing
    assert post(api_for(cab_members[0]), change_id, "approve", {"comment": "Fine"}).status_code == 200
    approvals, events = Approval.objects.count(), ChangeEvent.objects.count()
    repeat = post(api_for(cab_members[0]), change_id, "approve", {"comment": "Fine"})
    assert repeat.status_code == 200
    assert repeat.json()["state"] == State.AWAITING_APPROVAL
    assert (Approval.objects.count(), ChangeEvent.objects.count()) == (approvals, events)

    # the second approval is not enough; the third, from a distinct member, approves the change
    assert post(api_for(cab_members[1]), change_id, "approve").json()["state"] == State.AWAITING_APPROVAL
    approved = post(api_for(cab_members[2]), change_id, "approve").json()
    assert approved["state"] == State.APPROVED
    assert {a["approver"]["id"] for a in approved["approvals"]} == {m.pk for m in cab_members}

    # and it is scheduled, implemented, reviewed and closed
    scheduled = post(
        as_manager,
        change_id,
        "schedule",
        {"planned_start": start.isoformat(), "planned_end": end.isoformat()},
    )
    assert scheduled.json()["state"] == State.SCHEDULED
    assert post(as_manager, change_id, "implement").json()["state"] == State.IMPLEMENTING
    completed = post(
        as_manager, change_id, "complete", {"outcome": "successful", "notes": "Took 40 minutes."}
    ).json()
    assert (completed["state"], completed["outcome"]) == (State.REVIEW, "successful")
    closed = post(as_manager, change_id, "close", {"review_notes": "Went to plan."}).json()
    assert closed["state"] == State.CLOSED
    assert closed["actual_start"] and closed["actual_end"] and closed["closed_at"]


def test_rejected_change_stops_there_and_its_requester_is_told(
    api_for, requester, change_manager, cab_members, pacs
):
    # Given a change awaiting the CAB's decision, approved by one member so far
    as_manager = api_for(change_manager)
    body = {
        "title": "Replace the core switch",
        "services": [pacs.pk],
        "implementation_plan": "Swap.",
        "backout_plan": "Swap back.",
    }
    change_id = api_for(requester).post("/api/changes/", body, format="json").json()["id"]
    post(api_for(requester), change_id, "submit")
    post(as_manager, change_id, "assess", {"answers": api_answers(True)})
    post(as_manager, change_id, "request-approval")
    post(api_for(cab_members[0]), change_id, "approve")

    # When another member rejects it
    response = post(
        api_for(cab_members[1]), change_id, "reject", {"reason": "No back-out window agreed with the wards."}
    )

    # then the change is rejected, and the requester is owed an e-mail, which is sent
    assert response.status_code == 200
    assert response.json()["state"] == State.REJECTED
    assert OutboxMessage.objects.filter(kind="change.rejected", payload={"change_id": change_id}).exists()
    dispatch_pending()
    assert [m.to for m in mail.outbox if "rejected" in m.subject] == [[requester.email]]

    # and nothing moves it on: no approvals, no schedule, no implementation, no cancel, no edits
    start, end = evening(3)
    refused = [
        post(api_for(cab_members[2]), change_id, "approve"),
        post(
            as_manager,
            change_id,
            "schedule",
            {"planned_start": start.isoformat(), "planned_end": end.isoformat()},
        ),
        post(as_manager, change_id, "implement"),
        post(as_manager, change_id, "cancel", {"reason": "Withdrawn"}),
        as_manager.patch(f"/api/changes/{change_id}/", {"owner": change_manager.pk}, format="json"),
    ]
    assert [r.status_code for r in refused] == [409] * 5
    assert as_manager.get(f"/api/changes/{change_id}/").json()["state"] == State.REJECTED


def test_emergency_change_is_implemented_after_one_ecab_approval_and_reviewed_before_it_closes(
    api_for, requester, change_manager, ecab_member, cab_members, pacs
):
    as_manager = api_for(change_manager)
    body = {
        "title": "Apply the vendor hotfix to PACS",
        "change_type": ChangeType.EMERGENCY,
        "services": [pacs.pk],
        "implementation_plan": "Apply hotfix 4.2.1 on both nodes.",
        "backout_plan": "Uninstall the hotfix.",
    }
    change_id = api_for(requester).post("/api/changes/", body, format="json").json()["id"]
    post(api_for(requester), change_id, "submit")
    post(as_manager, change_id, "assess", {"answers": api_answers(True)})

    # The emergency CAB decides, and one approval is enough even at high risk
    awaiting = post(as_manager, change_id, "request-approval").json()
    assert (awaiting["approval_board"]["name"], awaiting["required_approvals"]) == ("ECAB", 1)
    assert post(api_for(cab_members[0]), change_id, "approve").status_code == 403  # not on the ECAB
    assert post(api_for(ecab_member), change_id, "approve").json()["state"] == State.APPROVED

    # It is implemented at once, without a slot on the calendar
    assert post(as_manager, change_id, "implement").json()["state"] == State.IMPLEMENTING
    assert post(as_manager, change_id, "complete", {"outcome": "successful"}).json()["state"] == State.REVIEW

    # and it cannot close without its post-implementation review
    refused = post(as_manager, change_id, "close")
    assert refused.status_code == 400
    assert "review_notes" in refused.json()
    assert as_manager.get(f"/api/changes/{change_id}/").json()["state"] == State.REVIEW
    closed = post(
        as_manager, change_id, "close", {"review_notes": "Hotfix held; vendor fix due in 5.0."}
    ).json()
    assert (closed["state"], closed["review_notes"]) == (State.CLOSED, "Hotfix held; vendor fix due in 5.0.")


def test_standard_change_from_its_template_is_approved_on_submission(
    api_for, requester, change_manager, pacs
):
    template = StandardChangeTemplate.objects.create(
        name="Restart a PACS node",
        implementation_plan="Drain, restart, undrain.",
        backout_plan="None needed.",
    )
    body = {
        "title": "Restart PACS node 2",
        "change_type": ChangeType.STANDARD,
        "template": template.pk,
        "services": [pacs.pk],
    }

    created = api_for(requester).post("/api/changes/", body, format="json").json()
    submitted = post(api_for(requester), created["id"], "submit").json()

    assert (created["risk"], created["implementation_plan"]) == (Risk.LOW, "Drain, restart, undrain.")
    assert submitted["state"] == State.APPROVED
    assert submitted["approvals"] == []
    start, end = evening(2)
    scheduled = post(
        api_for(change_manager),
        created["id"],
        "schedule",
        {"planned_start": start.isoformat(), "planned_end": end.isoformat()},
    )
    assert scheduled.json()["state"] == State.SCHEDULED
