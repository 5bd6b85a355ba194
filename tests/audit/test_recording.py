"""Every read of a ticket's content writes an access-log row: who, when, which ticket, how, what,
from which address -- in the console, the API, the admin and an export."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessLog
from audit.services import record_ticket_read
from incidents import services
from servicedesk.models import User
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def rows() -> list[tuple[object, ...]]:
    fields = ("user__username", "ticket_id", "channel", "resource", "address")
    return list(AccessLog.objects.order_by("id").values_list(*fields))


def test_opening_a_ticket_in_the_console_writes_one_row(console_for, agent, ticket):
    response = console_for(agent).get(reverse("console:ticket", kwargs={"pk": ticket.pk}))

    assert response.status_code == 200
    assert rows() == [("agent", ticket.pk, "console", "detail", "10.1.2.3")]
    assert AccessLog.objects.get().at is not None


def test_a_ticket_the_user_may_not_see_writes_no_row(console_for, other_end_user, ticket):
    response = console_for(other_end_user).get(reverse("portal:ticket", kwargs={"pk": ticket.pk}))

    assert response.status_code == 404
    assert rows() == []


def test_opening_their_ticket_in_the_portal_writes_one_portal_row(console_for, end_user, ticket):
    response = console_for(end_user).get(reverse("portal:ticket", kwargs={"pk": ticket.pk}))

    assert response.status_code == 200
    assert rows() == [("enduser_a", ticket.pk, "portal", "detail", "10.1.2.3")]


def test_downloading_a_file_in_the_console_writes_a_file_row(console_for, agent, ticket):
    upload = SimpleUploadedFile("error.log", b"stack trace\n", content_type="text/plain")
    attachment = services.attachment_add(ticket=ticket, actor=agent, upload=upload)

    response = console_for(agent).get(reverse("console:attachment", kwargs={"pk": attachment.pk}))
    b"".join(response.streaming_content)  # the test client closes the response at the end

    assert rows() == [("agent", ticket.pk, "console", "file", "10.1.2.3")]


@pytest.mark.parametrize(
    ("path", "resource"),
    [("", "detail"), ("comments/", "comments"), ("attachments/", "attachments"), ("events/", "history")],
)
def test_reading_a_ticket_through_the_api_writes_a_row(api_for, agent, ticket, path, resource):
    response = api_for(agent).get(f"/api/tickets/{ticket.pk}/{path}", REMOTE_ADDR="192.0.2.7")

    assert response.status_code == 200
    assert rows() == [("agent", ticket.pk, "api", resource, "192.0.2.7")]


def test_downloading_a_file_through_the_api_writes_a_file_row(api_for, agent, ticket):
    upload = SimpleUploadedFile("error.log", b"stack trace\n", content_type="text/plain")
    attachment = services.attachment_add(ticket=ticket, actor=agent, upload=upload)

    response = api_for(agent).get(f"/api/tickets/{ticket.pk}/attachments/{attachment.pk}/content/")
    b"".join(response.streaming_content)  # the test client closes the response at the end

    assert [(r[2], r[3]) for r in rows()] == [("api", "file")]


def test_token_authenticated_api_reads_are_recorded_as_the_token_user(agent, ticket):
    from rest_framework.test import APIClient

    from servicedesk.tokens import token_issue_for_sign_in

    _token, key = token_issue_for_sign_in(user=agent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert client.get(f"/api/tickets/{ticket.pk}/").status_code == 200

    assert [(r[0], r[2]) for r in rows()] == [("agent", "api")]


def test_posting_a_comment_is_not_recorded_as_a_read(api_for, agent, ticket):
    api_for(agent).post(f"/api/tickets/{ticket.pk}/comments/", {"body": "Called back."})

    assert rows() == []


def test_the_admin_change_view_of_a_ticket_writes_an_admin_row(console_for, admin_user, ticket):
    response = console_for(admin_user).get(reverse("admin:incidents_ticket_change", args=[ticket.pk]))

    assert response.status_code == 200
    assert rows() == [("admin", ticket.pk, "admin", "detail", "10.1.2.3")]


def test_a_catalogue_order_page_is_a_read_of_its_ticket(console_for, agent, ticket):
    from catalogue import services as catalogue_services
    from tests.catalogue.factories import CatalogueItemFactory

    item = CatalogueItemFactory()
    order = catalogue_services.request_submit(item=item, requester=ticket.caller, answers={})
    console_for(agent).get(reverse("catalogue:request", kwargs={"pk": order.pk}))

    assert [(r[1], r[2]) for r in rows()] == [(order.ticket_id, "console")]


def test_an_export_writes_one_row_per_exported_ticket_in_one_statement(console_for, agent, first_line_group):
    exported = TicketFactory.create_batch(3, assignment_group=first_line_group, title="Printer jam")
    TicketFactory(assignment_group=first_line_group, title="Screen flickers")
    client = console_for(agent)

    response = client.get(reverse("console:ticket-export"), {"q": "printer"})
    with CaptureQueriesContext(connection) as captured:
        body = b"".join(response.streaming_content)  # written when the streamed response closes
    lines = list(csv.reader(io.StringIO(body.decode())))
    inserts = [q for q in captured if q["sql"].lstrip().upper().startswith("INSERT")]

    assert len(lines) == 1 + 3
    assert sorted(r[1] for r in rows()) == sorted(t.pk for t in exported)
    assert {(r[0], r[2], r[3], r[4]) for r in rows()} == {("agent", "export", "export_row", "10.1.2.3")}
    assert len(inserts) == 1


def test_the_log_is_written_after_the_view_has_built_its_response(console_for, agent, ticket):
    """Deferred: no row exists while the view runs; it is written when the response closes."""
    with CaptureQueriesContext(connection) as captured:
        console_for(agent).get(reverse("console:ticket", kwargs={"pk": ticket.pk}))

    inserts = [i for i, q in enumerate(captured) if "audit_accesslog" in q["sql"]]
    assert len(inserts) == 1
    # Nothing of the page's own reading comes after the insert.
    assert all(not q["sql"].lstrip().upper().startswith("SELECT") for q in captured[inserts[0] + 1 :])


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(console_for, agent, ticket, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    console_for(agent).get(
        reverse("console:ticket", kwargs={"pk": ticket.pk}), HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    assert rows()[0][4] == "10.1.2.3"


def test_behind_one_trusted_proxy_the_address_it_saw_is_recorded(console_for, agent, ticket, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    console_for(agent).get(
        reverse("console:ticket", kwargs={"pk": ticket.pk}),
        HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.9",  # the first one was made up by the client
    )

    assert rows()[0][4] == "203.0.113.9"


def test_the_hook_outside_a_request_cycle_writes_at_once(agent, ticket, rf):
    request = rf.get("/", REMOTE_ADDR="not an address")
    request.user = agent

    record_ticket_read(request, ticket, channel="portal")

    assert rows() == [("agent", ticket.pk, "portal", "detail", None)]


@pytest.mark.postgres
# No surrounding transaction, as in production (the write is then not in a savepoint);
# serialized_rollback keeps the migrations' seed data across the flush, as the other such tests do.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failed_log_write_is_logged_and_the_page_still_answers(agent: User, end_user: User, caplog):
    ticket = services.ticket_create(actor=agent, caller=end_user, title="Cannot log in")
    client = Client()
    client.force_login(agent)
    # A real failure of the insert: the database refuses every row of the log.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_access_log() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'access log refused'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_access_log BEFORE INSERT ON audit_accesslog "
            "FOR EACH ROW EXECUTE FUNCTION refuse_access_log()"
        )
    try:
        with caplog.at_level(logging.ERROR, logger="audit.services"):
            response = client.get(reverse("console:ticket", kwargs={"pk": ticket.pk}))
            again = client.get(reverse("console:ticket", kwargs={"pk": ticket.pk}))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_access_log ON audit_accesslog")
            cursor.execute("DROP FUNCTION refuse_access_log()")

    assert response.status_code == 200
    assert again.status_code == 200
    assert "Access log: could not write 1 read(s)" in caplog.text
    assert AccessLog.objects.count() == 0
