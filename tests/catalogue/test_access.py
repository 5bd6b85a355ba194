"""Who sees which order: the requester, agents by ticket visibility, and the approvers; else 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.models import Role
from tests.factories import AssignmentGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_end_user_cannot_see_another_users_order(api_for, submitted, other_end_user):
    api = api_for(other_end_user)

    assert api.get(f"/api/catalogue/requests/{submitted.pk}/").status_code == 404
    assert api.get("/api/catalogue/requests/").json()["results"] == []
    browser = Client()
    browser.force_login(other_end_user)
    assert browser.get(reverse("portal:order-detail", kwargs={"pk": submitted.pk})).status_code == 404


def test_end_user_cannot_see_or_decide_another_persons_approval(api_for, submitted, other_end_user):
    approval = submitted.approvals.get(order=1)
    api = api_for(other_end_user)

    assert api.get(f"/api/catalogue/approvals/{approval.pk}/").status_code == 404
    assert api.post(f"/api/catalogue/approvals/{approval.pk}/approve/").status_code == 404
    assert api.get("/api/catalogue/approvals/").json()["results"] == []


def test_requester_sees_their_own_orders(api_for, submitted, requester):
    orders = api_for(requester).get("/api/catalogue/requests/", {"requester": "me"}).json()["results"]

    assert [o["id"] for o in orders] == [submitted.pk]


def test_approvers_see_the_orders_they_are_asked_to_approve(api_for, submitted, service_owner):
    response = api_for(service_owner).get(f"/api/catalogue/requests/{submitted.pk}/")

    assert response.status_code == 200
    assert response.json()["number"] == submitted.ticket.number


def test_first_line_agents_see_every_order(api_for, submitted, agent):
    orders = api_for(agent).get("/api/catalogue/requests/").json()["results"]

    assert [o["id"] for o in orders] == [submitted.pk]


def test_a_resolver_of_another_group_does_not_see_the_order(api_for, submitted):
    outsider = UserFactory(role=Role.RESOLVER)
    AssignmentGroupFactory(members=[outsider])

    assert api_for(outsider).get(f"/api/catalogue/requests/{submitted.pk}/").status_code == 404


def test_the_requester_does_not_see_the_fulfilment_task_tickets_themselves(
    api_for, submitted, requester, line_manager, service_owner
):
    for approval in submitted.approvals.order_by("order"):
        api_for(approval.approver).post(f"/api/catalogue/approvals/{approval.pk}/approve/")
    order = api_for(requester).get(f"/api/catalogue/requests/{submitted.pk}/").json()
    (task,) = order["tasks"]

    assert api_for(requester).get(f"/api/tickets/{task['id']}/").status_code == 404
    assert task["title"] == "Gi tilgang til programmet"


def test_the_link_page_needs_no_sign_in_but_other_pages_do(submitted):
    response = Client().get(reverse("catalogue:approvals"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
