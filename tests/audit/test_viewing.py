"""Who may read the access log: auditors and admins every row (by ticket, by person, as CSV);
the caller of a ticket who else opened it; nobody else anything."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessChannel, AccessLog, AccessResource
from incidents import services
from incidents.models import Ticket
from servicedesk.models import User
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def read(
    user: User, ticket: Ticket, *, channel: str = AccessChannel.CONSOLE, minutes_ago: int = 0
) -> AccessLog:
    return AccessLog.objects.create(
        at=timezone.now() - timedelta(minutes=minutes_ago),
        user=user,
        ticket=ticket,
        channel=channel,
        resource=AccessResource.DETAIL,
        address="10.0.0.1",
    )


# --- the auditor ------------------------------------------------------------------------------


def test_auditor_sees_who_has_opened_a_ticket(console_for, auditor, agent, resolver, ticket):
    read(agent, ticket, minutes_ago=5)
    read(resolver, ticket, channel=AccessChannel.API)
    read(agent, TicketFactory())  # another ticket

    page = console_for(auditor).get(reverse("audit:access-log"), {"ticket": ticket.number})

    assert page.status_code == 200
    assert [(r.user.username, r.channel) for r in page.context["rows"]] == [
        ("resolver", "api"),
        ("agent", "console"),
    ]
    assert "10.0.0.1" in page.content.decode()


def test_auditor_sees_what_a_person_has_opened(console_for, auditor, agent, resolver, ticket):
    other = TicketFactory()
    read(agent, ticket, minutes_ago=5)
    read(agent, other)
    read(resolver, ticket)

    page = console_for(auditor).get(reverse("audit:access-log"), {"person": "agent"})

    assert [r.ticket_id for r in page.context["rows"]] == [other.pk, ticket.pk]


def test_auditor_exports_the_log_of_a_person_as_csv(console_for, auditor, agent, ticket):
    read(agent, ticket)
    TicketFactory(title="=HYPERLINK()")

    response = console_for(auditor).get(reverse("audit:access-log-export"), {"person": "agent"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="access-log.csv"'
    header, *lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert header == ["when", "user name", "person", "ticket", "how", "what", "address"]
    assert [(line[1], line[3], line[4], line[6]) for line in lines] == [
        ("agent", ticket.number, "console", "10.0.0.1")
    ]


def test_auditor_filters_by_dates(console_for, auditor, agent, ticket):
    read(agent, ticket, minutes_ago=3 * 24 * 60)
    read(agent, ticket)
    today = timezone.localdate().isoformat()

    page = console_for(auditor).get(reverse("audit:access-log"), {"ticket": ticket.pk, "since": today})

    assert len(page.context["rows"]) == 1


def test_the_log_is_read_by_ticket_or_person_never_whole(console_for, auditor, agent, ticket):
    read(agent, ticket)
    client = console_for(auditor)

    first = client.get(reverse("audit:access-log"))
    only_dates = client.get(reverse("audit:access-log"), {"since": "2020-01-01"})

    assert first.status_code == 200
    assert first.context["rows"] == []
    assert only_dates.status_code == 400
    assert "Choose a ticket or a person." in only_dates.content.decode()


def test_a_bad_ticket_number_is_a_400_with_the_field_message(console_for, auditor):
    response = console_for(auditor).get(reverse("audit:access-log"), {"ticket": "printer"})

    assert response.status_code == 400
    assert "Enter a ticket number such as INC0001234." in response.content.decode()


def test_admin_reads_the_log_like_an_auditor(console_for, admin_user, agent, ticket):
    read(agent, ticket)

    page = console_for(admin_user).get(reverse("audit:access-log"), {"ticket": ticket.number})

    assert len(page.context["rows"]) == 1


def test_auditor_reads_the_log_through_the_api(api_for, auditor, agent, ticket):
    read(agent, ticket)

    response = api_for(auditor).get("/api/access-log/", {"ticket": ticket.number})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["user"]["username"] == "agent"
    assert row["ticket"] == {"id": ticket.pk, "number": ticket.number}
    assert (row["channel"], row["resource"], row["address"]) == ("console", "detail", "10.0.0.1")


def test_auditor_reads_any_tickets_log_through_the_ticket_path(api_for, auditor, agent, ticket):
    read(agent, ticket)

    response = api_for(auditor).get(f"/api/tickets/{ticket.pk}/access-log/")

    assert response.status_code == 200
    assert [r["address"] for r in response.json()["results"]] == ["10.0.0.1"]


def test_the_log_page_of_a_ticket_runs_as_many_queries_for_100_rows_as_for_5(
    console_for, auditor, ticket, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    client = console_for(auditor)
    url = reverse("audit:access-log") + f"?ticket={ticket.number}"

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _ in range(5):
        read(UserFactory(), ticket)
    with_5 = queries()
    for _ in range(45):
        read(UserFactory(), ticket)
    assert queries() == with_5


# --- the auditor can change nothing -----------------------------------------------------------


def test_auditor_cannot_open_tickets_that_are_not_their_own(console_for, api_for, auditor, ticket):
    assert console_for(auditor).get(reverse("console:ticket", kwargs={"pk": ticket.pk})).status_code == 404
    assert api_for(auditor).get(f"/api/tickets/{ticket.pk}/").status_code == 404
    assert api_for(auditor).get("/api/tickets/").json()["results"] == []


def test_auditor_cannot_work_tickets_or_use_the_agent_pages(console_for, api_for, auditor, ticket):
    client = console_for(auditor)
    api = api_for(auditor)

    assert not auditor.is_agent
    assert client.get(reverse("console:queues")).status_code == 403
    assert client.get(reverse("console:ticket-new")).status_code == 403
    assert client.get(reverse("changes:list")).status_code == 403
    assert api.get("/api/users/").status_code == 403
    assert api.post(f"/api/tickets/{ticket.pk}/claim/").status_code == 404
    assert api.patch(f"/api/tickets/{ticket.pk}/", {"title": "x"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.assignee_id is None
    assert ticket.title == "Cannot log in to the EPR"


def test_auditor_calling_in_their_own_ticket_is_an_end_user_for_it(api_for, auditor, agent):
    own = services.ticket_create(actor=agent, caller=auditor, title="My badge does not open the door")
    api = api_for(auditor)

    assert api.get(f"/api/tickets/{own.pk}/").status_code == 200
    assert api.post(f"/api/tickets/{own.pk}/claim/").status_code == 403
    assert api.get(f"/api/tickets/{own.pk}/comments/").status_code == 200


# --- the caller -------------------------------------------------------------------------------


def test_end_user_sees_who_has_opened_their_ticket_on_its_page(console_for, end_user, agent, ticket):
    read(agent, ticket)
    client = console_for(end_user)

    page = client.get(reverse("portal:ticket", kwargs={"pk": ticket.pk}))

    assert [r.user.username for r in page.context["own_reads"]] == ["agent"]  # not their own read
    text = page.content.decode()
    assert "Who has opened your ticket" in text
    assert "10.0.0.1" not in text


def test_end_user_reads_the_log_of_their_ticket_through_the_api_without_addresses(
    api_for, end_user, agent, ticket
):
    read(agent, ticket)
    read(end_user, ticket)

    response = api_for(end_user).get(f"/api/tickets/{ticket.pk}/access-log/")

    assert response.status_code == 200
    assert [(r["user"]["username"], r["address"]) for r in response.json()["results"]] == [("agent", None)]


def test_end_users_read_the_log_in_the_portal_not_the_console(console_for, end_user, agent, ticket):
    read(agent, ticket)

    page = console_for(end_user).get(reverse("audit:ticket", kwargs={"pk": ticket.pk}))

    assert page.status_code == 302 and page["Location"] == reverse("portal:home")


def test_an_end_user_never_sees_the_log_of_another_users_ticket(console_for, api_for, other_end_user, ticket):
    assert api_for(other_end_user).get(f"/api/tickets/{ticket.pk}/access-log/").status_code == 404
    page = console_for(other_end_user).get(reverse("portal:ticket", kwargs={"pk": ticket.pk}))
    assert page.status_code == 404
    assert api_for(other_end_user).get("/api/access-log/", {"ticket": ticket.pk}).status_code == 403


def test_an_agent_may_open_the_ticket_but_not_its_log(console_for, api_for, agent, ticket):
    assert api_for(agent).get(f"/api/tickets/{ticket.pk}/access-log/").status_code == 403
    assert console_for(agent).get(reverse("audit:ticket", kwargs={"pk": ticket.pk})).status_code == 403
    assert api_for(agent).get("/api/access-log/", {"ticket": ticket.pk}).status_code == 403
    assert console_for(agent).get(reverse("audit:access-log")).status_code == 403
    page = console_for(agent).get(reverse("console:ticket", kwargs={"pk": ticket.pk}))
    assert page.context["own_reads"] is None


def test_a_resolver_gets_404_for_a_ticket_outside_their_groups(api_for, console_for, resolver, ticket):
    assert api_for(resolver).get(f"/api/tickets/{ticket.pk}/access-log/").status_code == 404
    assert console_for(resolver).get(reverse("audit:ticket", kwargs={"pk": ticket.pk})).status_code == 404
    assert api_for(resolver).get("/api/access-log/", {"ticket": ticket.pk}).status_code == 403


def test_a_resolver_gets_403_for_a_ticket_of_their_group(api_for, resolver, second_line_group, end_user):
    ticket = TicketFactory(caller=end_user, assignment_group=second_line_group)

    assert api_for(resolver).get(f"/api/tickets/{ticket.pk}/access-log/").status_code == 403


def test_the_access_log_is_in_the_nav_of_auditors_only(console_for, auditor, agent):
    url = reverse("audit:access-log")

    assert url in console_for(auditor).get(reverse("console:ticket-list")).content.decode()
    assert url not in console_for(agent).get(reverse("console:ticket-list")).content.decode()


def test_the_api_log_is_read_by_ticket_or_person_never_whole(api_for, auditor):
    response = api_for(auditor).get("/api/access-log/")

    assert response.status_code == 400
    assert response.json()["__all__"] == ["Choose a ticket or a person."]


def test_the_callers_ticket_page_runs_as_many_queries_with_50_reads_as_with_1(console_for, end_user, ticket):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    client = console_for(end_user)
    url = reverse("portal:ticket", kwargs={"pk": ticket.pk})

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    read(UserFactory(), ticket)
    with_1 = queries()
    for _ in range(49):
        read(UserFactory(), ticket)
    assert queries() == with_1
