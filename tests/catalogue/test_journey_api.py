"""Done when: an access request with two approval steps goes from submitted to fulfilled through the
API (the service owner approving by the e-mailed one-time link), and the requester is told."""

from __future__ import annotations

import pytest
from django.test import Client

from catalogue.models import Approval, CatalogueRequest, Decision, RequestState
from incidents.models import State, Ticket

from .helpers import START, link_path, mails_to

pytestmark = pytest.mark.django_db


def test_access_request_with_two_approvals_goes_from_submitted_to_fulfilled_through_the_api(
    api_for, access_item, requester, line_manager, service_owner, access_group, access_resolver, sent_mail
):
    # Given an end user ordering access to DIPS through the API
    answers = {"application": "DIPS", "role_needs": "Nurse, read and write the chart", "start_date": START}
    response = api_for(requester).post(
        "/api/catalogue/requests/", {"item": access_item.pk, "answers": answers}, format="json"
    )
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["state"] == "awaiting_approval"
    assert order["ticket_state"] == "pending"  # out of the queue, clocks paused, while approvers decide
    assert [a["approver"]["id"] for a in order["approvals"]] == [line_manager.pk, service_owner.pk]
    assert order["answers"] == answers
    mails = sent_mail()
    assert any(order["number"] in m.subject for m in mails_to(mails, requester))
    assert len(mails_to(mails, line_manager)) == 1
    assert mails_to(mails, service_owner) == []  # step 2 waits for step 1

    # When the line manager approves in the API
    manager_api = api_for(line_manager)
    waiting = manager_api.get("/api/catalogue/approvals/", {"pending": "true"}).json()["results"]
    assert [a["request"] for a in waiting] == [order["id"]]
    response = manager_api.post(f"/api/catalogue/approvals/{waiting[0]['id']}/approve/", {"comment": "OK"})
    assert response.status_code == 200
    assert response.json()["decision"] == "approved"

    # and the service owner approves by the link e-mailed to them, without signing in
    owner_mails = mails_to(sent_mail(), service_owner)
    assert len(owner_mails) == 1
    link = link_path(owner_mails[0])
    browser = Client()
    assert browser.get(link).status_code == 200
    assert browser.post(link, {"decision": "approve", "comment": ""}).status_code == 200

    # then the fulfilment task waits in the access group's queue, and claim-next hands it out
    assert CatalogueRequest.objects.get(pk=order["id"]).state == RequestState.FULFILLING
    resolver_api = api_for(access_resolver)
    queues = {q["name"]: q["waiting"] for q in resolver_api.get("/api/queues/").json()}
    assert queues["Tilgangsstyring"] == 1
    claimed = resolver_api.post(f"/api/queues/{access_group.pk}/claim-next/")
    assert claimed.status_code == 200
    task = claimed.json()
    assert task["parent"] == order["id"]
    assert task["title"] == "Gi tilgang til programmet"
    assert "DIPS" in task["description"] and requester.username in task["description"]

    # and resolving it fulfils the order
    response = resolver_api.post(
        f"/api/tickets/{task['id']}/resolve/", {"code": "fulfilled", "note": "Access granted in DIPS"}
    )
    assert response.status_code == 200
    order = api_for(requester).get(f"/api/catalogue/requests/{order['id']}/").json()
    assert order["state"] == "fulfilled"
    assert order["ticket_state"] == "resolved"
    assert [t["state"] for t in order["tasks"]] == ["resolved"]
    assert Ticket.objects.get(pk=order["id"]).resolution_code == "fulfilled"

    # and the requester is told once that it is done
    resolved = [m for m in mails_to(sent_mail(), requester) if "resolved" in m.subject]
    assert len(resolved) == 1
    assert order["number"] in resolved[0].subject


def test_an_item_without_approvals_goes_straight_to_its_fulfilment_queue(api_for, catalogue, requester):
    item_id = next(
        i["id"]
        for i in api_for(requester).get("/api/catalogue/items/").json()["results"]
        if i["name"] == "Mobiltelefon"
    )

    response = api_for(requester).post(
        "/api/catalogue/requests/", {"item": item_id, "answers": {"international": False}}, format="json"
    )

    assert response.status_code == 201
    order = response.json()
    assert order["state"] == "fulfilling"
    assert order["approvals"] == []
    assert [t["state"] for t in order["tasks"]] == ["new"]
    assert Ticket.objects.get(pk=order["id"]).state == State.IN_PROGRESS


def test_a_step_whose_approver_is_the_requester_is_approved_at_once(
    api_for, access_item, line_manager, service_owner
):
    # Given the service owner, who has a line manager, ordering access for themselves
    service_owner.line_manager = line_manager
    service_owner.save()

    response = api_for(service_owner).post(
        "/api/catalogue/requests/",
        {"item": access_item.pk, "answers": {"application": "DIPS", "role_needs": "x", "start_date": START}},
        format="json",
    )

    assert response.status_code == 201
    assert [a["decision"] for a in response.json()["approvals"]] == ["pending", "approved"]


def test_items_list_their_order_form_and_approval_steps(api_for, access_item, requester):
    items = api_for(requester).get("/api/catalogue/items/").json()["results"]

    access = next(i for i in items if i["id"] == access_item.pk)
    assert access["category"]["name"] == "Tilgang"
    assert [f["key"] for f in access["form"]] == ["application", "role_needs", "start_date", "end_date"]
    application = access["form"][0]
    assert application["type"] == "choice"
    assert application["choices"] == ["DIPS", "Sectra PACS", "Metavision", "Labprøvesvar"]
    assert [f["required"] for f in access["form"]] == [True, True, True, False]
    assert [s["approver_role"] for s in access["approval_steps"]] == ["line_manager", "service_owner"]


def test_inactive_items_are_not_offered(api_for, access_item, requester):
    access_item.active = False
    access_item.save()

    response = api_for(requester).get(f"/api/catalogue/items/{access_item.pk}/")

    assert response.status_code == 404


def test_approvals_list_only_those_waiting_for_my_decision_when_pending(api_for, submitted, service_owner):
    owner_api = api_for(service_owner)

    assert owner_api.get("/api/catalogue/approvals/", {"pending": "true"}).json()["results"] == []
    everything = owner_api.get("/api/catalogue/approvals/").json()["results"]
    assert [a["decision"] for a in everything] == ["pending"]
    assert Approval.objects.filter(decision=Decision.PENDING).count() == 2


def test_an_approved_item_without_tasks_goes_back_to_the_desk_queue_to_be_fulfilled(
    api_for, access_item, submitted, agent, first_line_group, requester
):
    # Given an access item without fulfilment tasks, approved by both approvers
    access_item.task_templates.all().delete()
    for approval in submitted.approvals.order_by("order"):
        api_for(approval.approver).post(f"/api/catalogue/approvals/{approval.pk}/approve/")
    submitted.refresh_from_db()
    assert submitted.state == RequestState.APPROVED

    # When a first-line agent takes it from the customer centre's queue and resolves it
    claimed = api_for(agent).post(f"/api/queues/{first_line_group.pk}/claim-next/")
    assert claimed.json()["id"] == submitted.pk
    api_for(agent).post(
        f"/api/tickets/{submitted.pk}/resolve/", {"code": "fulfilled", "note": "Done at once."}
    )

    # Then the order is fulfilled
    order = api_for(requester).get(f"/api/catalogue/requests/{submitted.pk}/").json()
    assert order["state"] == "fulfilled"
