"""An order's ticket is logged on its catalogue item's service, and so are its fulfilment tasks;
orders placed before items had a service get it from the data migration."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from catalogue import services
from catalogue.models import CatalogueItem, CatalogueRequest
from incidents.models import Ticket, TicketEvent
from servicedesk.models import Service, User

pytestmark = pytest.mark.django_db

fill_migration = importlib.import_module("catalogue.migrations.0003_fill_order_ticket_service")


def test_an_order_s_ticket_is_logged_on_the_item_s_service(submitted, access_service):
    ticket = Ticket.objects.get(pk=submitted.pk)
    assert ticket.service == access_service


def test_the_console_ticket_page_shows_the_order_s_service(submitted, access_service, agent: User):
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("console:ticket", kwargs={"pk": submitted.pk})).content.decode()
    assert f"<dt>Service</dt><dd>{access_service.name}</dd>" in page


def test_fulfilment_tasks_are_logged_on_the_order_s_service(
    submitted, line_manager, service_owner, access_service
):
    for approver in (line_manager, service_owner):
        services.approval_approve(approval=submitted.approvals.get(approver=approver), actor=approver)
    task = Ticket.objects.get(parent_id=submitted.pk)
    assert task.service == access_service


def test_an_item_without_a_service_logs_its_orders_without_one(catalogue, requester: User):
    item = CatalogueItem.objects.get(name="Mobiltelefon")  # the test data has no "Mobile phones"
    assert item.service is None
    order = services.request_submit(item=item, requester=requester, answers={"international": False})
    assert Ticket.objects.get(pk=order.pk).service is None


def test_the_migration_fills_old_orders_from_the_item_s_service_with_a_history_row(
    submitted: CatalogueRequest, access_item: CatalogueItem, access_service: Service
):
    # Given an order from before items had a service: neither the item nor the ticket has one
    CatalogueItem.objects.filter(pk=access_item.pk).update(service=None)
    Ticket.objects.filter(pk=submitted.pk).update(service=None)

    # When the data migration runs
    fill_migration.fill(apps, None)

    # then the item takes the service its service-owner step names, and the ticket gets it,
    # with one history row that says where it came from
    access_item.refresh_from_db()
    assert access_item.service == access_service
    assert Ticket.objects.get(pk=submitted.pk).service == access_service
    event = TicketEvent.objects.get(ticket_id=submitted.pk, field="service")
    assert (event.actor, event.old_value, event.new_value) == (None, "", access_service.name)
    assert event.details["new_id"] == access_service.pk

    # and a second run changes nothing
    fill_migration.fill(apps, None)
    assert TicketEvent.objects.filter(ticket_id=submitted.pk, field="service").count() == 1
