"""Done when: a rejection stops the order and tells the requester why."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.models import Decision, RequestState
from incidents.models import ResolutionCode, State, Ticket

from .helpers import link_path, mails_to

pytestmark = pytest.mark.django_db


def test_line_manager_rejection_stops_the_order_and_tells_the_requester_why(
    api_for, submitted, requester, line_manager, service_owner, sent_mail
):
    approval = submitted.approvals.get(order=1)

    response = api_for(line_manager).post(
        f"/api/catalogue/approvals/{approval.pk}/reject/", {"reason": "You are moving to another ward."}
    )

    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.state == RequestState.REJECTED
    assert submitted.rejection_reason == "You are moving to another ward."
    ticket = Ticket.objects.get(pk=submitted.pk)
    assert ticket.state == State.RESOLVED
    assert ticket.resolution_code == ResolutionCode.REJECTED
    assert not Ticket.objects.filter(parent=ticket).exists()  # no fulfilment tasks
    assert submitted.approvals.get(order=2).decision == Decision.WITHDRAWN
    mails = sent_mail()
    told = [m for m in mails_to(mails, requester) if ticket.number in m.subject and "resolved" in m.subject]
    assert len(told) == 1
    assert "You are moving to another ward." in told[0].body
    assert mails_to(mails, service_owner) == []  # step 2 never asked


def test_rejecting_by_the_one_time_link_stops_the_order(submitted, line_manager, sent_mail):
    link = link_path(mails_to(sent_mail(), line_manager)[0])

    response = Client().post(link, {"decision": "reject", "reason": "Not needed for your role."})

    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.state == RequestState.REJECTED
    assert submitted.approvals.get(order=1).used_at is not None


def test_rejecting_in_the_portal_shows_the_reason_on_the_order(submitted, requester, line_manager):
    approver = Client()
    approver.force_login(line_manager)
    approval = submitted.approvals.get(order=1)
    approver.post(
        reverse("portal:approval-decide", kwargs={"pk": approval.pk, "decision": "reject"}),
        {"reason": "Ask again when you start."},
    )

    nurse = Client()
    nurse.force_login(requester)
    page = nurse.get(reverse("portal:order-detail", kwargs={"pk": submitted.pk})).content.decode()

    assert "Rejected" in page and "Ask again when you start." in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_needs_a_reason_and_changes_nothing_without_one(api_for, submitted, line_manager, reason):
    approval = submitted.approvals.get(order=1)

    response = api_for(line_manager).post(
        f"/api/catalogue/approvals/{approval.pk}/reject/", {"reason": reason}
    )

    assert response.status_code == 400
    assert "reason" in response.json()
    approval.refresh_from_db()
    assert approval.decision == Decision.PENDING
    submitted.refresh_from_db()
    assert submitted.state == RequestState.AWAITING_APPROVAL


def test_a_desk_agent_cancelling_the_request_ticket_withdraws_its_approvals(
    api_for, agent, submitted, line_manager
):
    response = api_for(agent).post(
        f"/api/tickets/{submitted.pk}/resolve/", {"code": "cancelled", "note": "Caller withdrew the order."}
    )

    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.state == RequestState.CANCELLED
    assert set(submitted.approvals.values_list("decision", flat=True)) == {Decision.WITHDRAWN}
    approval = submitted.approvals.get(order=1)
    response = api_for(line_manager).post(f"/api/catalogue/approvals/{approval.pk}/approve/")
    assert response.status_code == 409
