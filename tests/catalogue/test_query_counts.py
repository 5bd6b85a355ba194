"""The catalogue and my-orders pages (and their API lists) run a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from catalogue.models import ApproverKind, RequestState
from incidents.models import Kind
from servicedesk.models import User
from tests.factories import CategoryFactory, ServiceFactory, TicketFactory, UserFactory

from .factories import (
    ApprovalFactory,
    ApprovalStepFactory,
    CatalogueItemFactory,
    CatalogueRequestFactory,
    FormFieldFactory,
    TaskTemplateFactory,
)

pytestmark = pytest.mark.django_db


def queries_for(client: Client | APIClient, url: str) -> int:
    client.get(url)  # warm-up: one-off work (e.g. first-use caches) is not what we measure
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_items(count: int) -> None:
    # Each item in its own category (half of them sub-categories), with its own steps and form.
    for i in range(count):
        category = CategoryFactory(parent=CategoryFactory() if i % 2 else None)
        item = CatalogueItemFactory(category=category)
        FormFieldFactory(item=item)
        ApprovalStepFactory(item=item, order=1)
        ApprovalStepFactory(item=item, order=2, approver=ApproverKind.SERVICE_OWNER, service=ServiceFactory())


def add_orders(requester: User, count: int) -> None:
    # Each order with its own item, approvers and a fulfilment task in its own group.
    for _ in range(count):
        order = CatalogueRequestFactory(ticket=TicketFactory(caller=requester, kind=Kind.REQUEST))
        ApprovalFactory(request=order, order=1, decision="approved", decided_at=order.ticket.created_at)
        ApprovalFactory(request=order, order=2)
        TicketFactory(parent=order.ticket, kind=Kind.REQUEST, assignment_group=TaskTemplateFactory().group)
    CatalogueRequestFactory(state=RequestState.FULFILLED)  # someone else's


@pytest.fixture
def browser(end_user) -> Client:
    client = Client()
    client.force_login(end_user)
    return client


def test_portal_catalogue_page_runs_as_many_queries_for_50_items_as_for_5(browser):
    url = reverse("portal:order")
    add_items(5)
    with_5 = queries_for(browser, url)

    add_items(45)
    with_50 = queries_for(browser, url)

    assert with_50 == with_5


def test_portal_my_orders_page_runs_as_many_queries_for_50_orders_as_for_5(browser, end_user):
    url = reverse("portal:orders")
    add_orders(end_user, 5)
    with_5 = queries_for(browser, url)

    add_orders(end_user, 45)
    with_50 = queries_for(browser, url)

    assert with_50 == with_5


def test_order_and_item_api_lists_run_a_fixed_number_of_queries(api_for, end_user):
    api = api_for(end_user)
    add_items(5)
    add_orders(end_user, 5)
    items_5 = queries_for(api, "/api/catalogue/items/")
    orders_5 = queries_for(api, "/api/catalogue/requests/")

    add_items(20)
    add_orders(end_user, 20)

    assert queries_for(api, "/api/catalogue/items/") == items_5
    assert queries_for(api, "/api/catalogue/requests/") == orders_5


def test_approvals_page_runs_a_fixed_number_of_queries(agent):
    client = Client()
    client.force_login(agent)
    url = reverse("catalogue:approvals")

    def add(count: int) -> None:
        for _ in range(count):
            ApprovalFactory(approver=agent, request=CatalogueRequestFactory(ticket__caller=UserFactory()))

    add(3)
    with_3 = queries_for(client, url)
    add(27)

    assert queries_for(client, url) == with_3


def test_portal_approvals_page_runs_a_fixed_number_of_queries(end_user):
    client = Client()
    client.force_login(end_user)
    url = reverse("portal:approvals")

    def add(count: int) -> None:
        for _ in range(count):
            ApprovalFactory(approver=end_user, request=CatalogueRequestFactory(ticket__caller=UserFactory()))

    add(3)
    with_3 = queries_for(client, url)
    add(27)

    assert queries_for(client, url) == with_3
