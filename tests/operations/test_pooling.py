"""Safe behind PgBouncer in transaction pooling (issue 12, "Beyond one machine"): no page leaves
a server-side cursor open past its transaction.

Outside a transaction Django declares its cursors WITH HOLD; the pooler may hand the next FETCH
to another server connection, where the cursor does not exist, and the page fails. Every
select list of a form (the ticket list's filters, the log-a-call form, the admin) used to read
its choices that way. These tests run outside a test transaction, as a web request does.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from servicedesk.models import Role
from tests.factories import ServiceFactory, TicketFactory, UserFactory

from .conftest import signed_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def held_cursors(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        b"".join(response)  # a download reads its rows as it is sent
    return [q["sql"][:120] for q in queries if "WITH HOLD" in q["sql"]]


def test_no_console_page_holds_a_cursor_past_its_transaction(agent, first_line_group):
    ServiceFactory()
    ticket = TicketFactory(assignment_group=first_line_group)
    client = signed_in(agent)

    for url in (
        "/console/",
        "/console/?q=skriver&open=true",
        f"/console/tickets/{ticket.pk}/",
        "/console/tickets/new/",
        "/console/queues/",
        "/console/changes/",
        "/console/changes/new/",
    ):
        assert held_cursors(client, url) == [], url


def test_no_portal_report_or_admin_page_holds_a_cursor_past_its_transaction(end_user):
    ServiceFactory()
    ticket = TicketFactory(caller=end_user)

    portal = signed_in(end_user)
    for url in ("/portal/", "/portal/report/", "/portal/order/", f"/portal/tickets/{ticket.pk}/"):
        assert held_cursors(portal, url) == [], url

    manager = signed_in(UserFactory(role=Role.MANAGER))
    for url in (
        "/console/reports/",
        "/console/reports/contacts.xlsx?month=2026-01",
        "/console/reports/outages.xlsx?month=2026-01",
    ):
        assert held_cursors(manager, url) == [], url

    auditor = signed_in(UserFactory(role=Role.AUDITOR))
    assert held_cursors(auditor, "/console/audit/access-log.csv?person=a") == []

    admin = signed_in(UserFactory(is_staff=True, is_superuser=True))
    for url in ("/admin/incidents/ticket/", f"/admin/incidents/ticket/{ticket.pk}/change/"):
        assert held_cursors(admin, url) == [], url
