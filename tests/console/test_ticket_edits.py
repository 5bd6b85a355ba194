"""Inline edits on the console ticket page: details through services.ticket_update (one history
row per changed field, the priority from the matrix, the clocks re-measured), and assigning or
escalating with a work note to a member of the chosen group only."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from incidents import services
from incidents.models import State, Ticket, TicketEvent
from servicedesk.models import AssignmentGroup, Role, User
from sla.models import Clock
from tests.factories import AssignmentGroupFactory, CategoryFactory, ServiceFactory, UserFactory
from tests.sla.test_rebuild import _snapshot as clock_snapshot

from .helpers import flashed, ticket_url
from .test_query_counts import queries_for

pytestmark = pytest.mark.django_db


def edit_url(ticket: Ticket) -> str:
    return reverse("console:ticket-edit", kwargs={"pk": ticket.pk})


def assign_url(ticket: Ticket, escalate: bool = False) -> str:
    return reverse(
        "console:ticket-escalate" if escalate else "console:ticket-assign", kwargs={"pk": ticket.pk}
    )


def details(ticket: Ticket, **changes: object) -> dict[str, object]:
    """The edit form as posted: the ticket's values with the given changes."""
    data: dict[str, object] = {
        "title": ticket.title,
        "service": ticket.service_id or "",
        "category": ticket.category_id or "",
        "impact": ticket.impact,
        "urgency": ticket.urgency,
    }
    data.update(changes)
    return data


def state_of(ticket: Ticket) -> tuple[object, ...]:
    ticket.refresh_from_db()
    return (
        ticket.title,
        ticket.service_id,
        ticket.category_id,
        ticket.impact,
        ticket.urgency,
        ticket.priority,
        ticket.assignment_group_id,
        ticket.assignee_id,
        ticket.updated_at,
        TicketEvent.objects.filter(ticket=ticket).count(),
    )


def option_labels(page: str, select_id: str) -> list[str]:
    select = re.search(rf'<select [^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select #{select_id}"
    return [label.strip() for label in re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))]


# --- details ---------------------------------------------------------------------------------------


def test_agent_changes_urgency_and_the_priority_and_clocks_follow(console_for, agent, logged_ticket):
    assert logged_ticket.priority > 2
    before = Clock.objects.get(ticket=logged_ticket, metric="resolution").target_seconds

    response = console_for(agent).post(
        edit_url(logged_ticket), details(logged_ticket, impact=1, urgency=1), follow=True
    )

    logged_ticket.refresh_from_db()
    assert logged_ticket.priority == 1
    assert (
        f"{logged_ticket.number} is saved. Its priority is now P1 – Critical; the SLA targets follow it."
        in flashed(response)
    )
    rows = TicketEvent.objects.filter(ticket=logged_ticket, action="updated")
    assert sorted(rows.values_list("field", flat=True)) == ["impact", "priority", "urgency"]
    assert rows.get(field="priority").actor == agent
    after = Clock.objects.get(ticket=logged_ticket, metric="resolution").target_seconds
    assert after < before  # P1's resolution target is shorter

    # and the clocks rebuilt from the history are the ones stored live
    live = clock_snapshot()
    Clock.objects.all().delete()
    call_command("rebuild_clocks", stdout=io.StringIO())
    assert clock_snapshot() == live


def test_agent_changes_title_service_and_category_with_one_history_row_each(
    console_for, agent, logged_ticket
):
    service, category = ServiceFactory(name="EPR"), CategoryFactory(name="Login")

    console_for(agent).post(
        edit_url(logged_ticket),
        details(
            logged_ticket,
            title="Cannot log in to the EPR on ward 3",
            service=service.pk,
            category=category.pk,
        ),
    )

    logged_ticket.refresh_from_db()
    assert (logged_ticket.title, logged_ticket.service, logged_ticket.category) == (
        "Cannot log in to the EPR on ward 3",
        service,
        category,
    )
    rows = {e.field: e for e in TicketEvent.objects.filter(ticket=logged_ticket, action="updated")}
    assert set(rows) == {"title", "service", "category"}
    assert (rows["service"].old_value, rows["service"].new_value) == ("", "EPR")


def test_the_page_shows_the_edit_form_filled_with_the_ticket_s_values(console_for, agent, logged_ticket):
    page = console_for(agent).get(ticket_url(logged_ticket.pk)).content.decode()
    assert f'action="{edit_url(logged_ticket)}"' in page
    assert f'value="{logged_ticket.title}"' in page
    assert "Priority (impact × urgency, from the priority matrix):" in page
    preview = reverse("console:ticket-priority", kwargs={"pk": logged_ticket.pk})
    assert f'hx-get="{preview}"' in page


@pytest.mark.parametrize(
    ("impact", "urgency", "shown"),
    [("1", "1", "P1 – Critical"), ("3", "3", None), ("9", "1", "—"), ("x", "1", "—"), ("", "", "—")],
)
def test_the_priority_a_choice_gives_is_shown_before_saving(
    console_for, agent, logged_ticket, impact, urgency, shown
):
    preview = reverse("console:ticket-priority", kwargs={"pk": logged_ticket.pk})
    response = console_for(agent).get(preview, {"impact": impact, "urgency": urgency})
    assert response.status_code == 200
    assert response.content.decode() == (shown or logged_ticket.get_priority_display())


def test_saving_unchanged_details_writes_no_history(console_for, agent, logged_ticket):
    before = state_of(logged_ticket)
    response = console_for(agent).post(edit_url(logged_ticket), details(logged_ticket), follow=True)
    assert "Nothing changed." in flashed(response)
    assert state_of(logged_ticket) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "This field is required."),
        ({"title": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"impact": 9}, "Select a valid choice. 9 is not one of the available choices."),
        ({"urgency": "high"}, "Select a valid choice."),
        ({"service": 99999}, "Select a valid choice."),
        ({"category": "abc"}, "Select a valid choice."),
    ],
)
def test_bad_details_are_refused_on_the_page_and_nothing_changes(
    console_for, agent, logged_ticket, changes, message
):
    before = state_of(logged_ticket)

    response = console_for(agent).post(
        edit_url(logged_ticket), details(logged_ticket, **{"title": "New title", **changes})
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert '<details id="edit" open>' in page
    assert state_of(logged_ticket) == before


def test_an_inactive_service_the_ticket_has_is_kept_when_other_fields_change(
    console_for, agent, logged_ticket
):
    retired = ServiceFactory(name="Old fax", active=False)
    Ticket.objects.filter(pk=logged_ticket.pk).update(service=retired)
    logged_ticket.refresh_from_db()

    console_for(agent).post(edit_url(logged_ticket), details(logged_ticket, title="Fax again"))

    logged_ticket.refresh_from_db()
    assert (logged_ticket.title, logged_ticket.service) == ("Fax again", retired)


def test_a_closed_ticket_cannot_be_edited(console_for, agent, logged_ticket):
    services.ticket_resolve(ticket=logged_ticket, actor=agent, code="solved", note="Done")
    services.ticket_close(ticket=logged_ticket, actor=agent)
    assert 'id="edit"' not in console_for(agent).get(ticket_url(logged_ticket.pk)).content.decode()
    before = state_of(logged_ticket)

    response = console_for(agent).post(edit_url(logged_ticket), details(logged_ticket, title="Changed"))

    assert response.status_code == 400
    assert "A closed ticket cannot be edited." in response.content.decode()
    assert state_of(logged_ticket) == before


def test_a_resolver_of_another_group_may_not_edit(console_for, resolver, logged_ticket):
    before = state_of(logged_ticket)
    response = console_for(resolver).post(edit_url(logged_ticket), details(logged_ticket, title="Mine now"))
    assert response.status_code in (400, 404)
    assert state_of(logged_ticket) == before


def test_an_end_user_may_not_edit(console_for, end_user, logged_ticket):
    before = state_of(logged_ticket)
    response = console_for(end_user).post(edit_url(logged_ticket), details(logged_ticket, title="Please"))
    assert response.status_code == 404
    assert state_of(logged_ticket) == before


def test_edit_accepts_only_post(console_for, agent, logged_ticket):
    assert console_for(agent).get(edit_url(logged_ticket)).status_code == 405


# --- assign and escalate ---------------------------------------------------------------------------


@pytest.fixture
def outsider(db: None) -> User:
    """Service-desk staff in another group."""
    user = UserFactory(username="outsider", first_name="Otto", last_name="Outside", role=Role.RESOLVER)
    AssignmentGroupFactory(name="Network").members.add(user)
    return user


def test_the_assignee_list_holds_only_the_group_s_members(console_for, agent, logged_ticket, outsider):
    page = console_for(agent).get(ticket_url(logged_ticket.pk)).content.decode()
    labels = option_labels(page, "assign_assignee")
    assert str(agent) in labels
    assert str(outsider) not in labels


def test_choosing_another_group_reloads_its_members(
    console_for, agent, logged_ticket, resolver, second_line_group
):
    page = console_for(agent).get(ticket_url(logged_ticket.pk)).content.decode()
    url = reverse("console:ticket-assignees", kwargs={"pk": logged_ticket.pk})
    assert f'hx-get="{url}"' in page and 'hx-target="#assign-assignee"' in page

    partial = console_for(agent).get(url, {"group": second_line_group.pk}).content.decode()

    assert option_labels(partial, "assign_assignee")[1:] == [str(resolver)]


@pytest.mark.parametrize("group", ["", "abc", "99999999999999999999999", "-1", "0"])
def test_an_unknown_group_gives_an_empty_assignee_list(console_for, agent, logged_ticket, group):
    url = reverse("console:ticket-assignees", kwargs={"pk": logged_ticket.pk})
    response = console_for(agent).get(url, {"group": group})
    assert response.status_code == 200
    assert option_labels(response.content.decode(), "assign_assignee")[1:] == []


def test_assigning_a_person_outside_the_group_is_a_form_error_and_nothing_is_saved(
    console_for, agent, logged_ticket, outsider, second_line_group
):
    before = state_of(logged_ticket)

    response = console_for(agent).post(
        assign_url(logged_ticket),
        {"group": second_line_group.pk, "assignee": outsider.pk, "note": "Their network is down"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f"Otto Outside is not a member of {second_line_group.name}." in page
    assert '<details id="assign" open>' in page
    assert state_of(logged_ticket) == before


def test_reassigning_without_a_work_note_is_refused(
    console_for, agent, logged_ticket, resolver, second_line_group
):
    before = state_of(logged_ticket)

    response = console_for(agent).post(
        assign_url(logged_ticket), {"group": second_line_group.pk, "assignee": resolver.pk, "note": "  "}
    )

    assert response.status_code == 400
    assert "Write a work note: why the ticket moves, and what is known so far." in response.content.decode()
    assert state_of(logged_ticket) == before


@pytest.mark.parametrize(
    "data",
    [
        {"group": "", "note": "x"},
        {"group": "abc", "note": "x"},
        {"group": "99999", "note": "x"},
        {"group": "GROUP", "assignee": "nobody", "note": "x"},
        {"group": "GROUP", "note": "x" * 2001},
    ],
)
def test_bad_assignments_are_refused_and_nothing_changes(
    console_for, agent, logged_ticket, second_line_group, data
):
    data = {k: (second_line_group.pk if v == "GROUP" else v) for k, v in data.items()}
    before = state_of(logged_ticket)
    response = console_for(agent).post(assign_url(logged_ticket), data)
    assert response.status_code == 400
    assert state_of(logged_ticket) == before


def test_assigning_to_where_the_ticket_already_is_is_refused(
    console_for, agent, logged_ticket, first_line_group
):
    before = state_of(logged_ticket)
    response = console_for(agent).post(
        assign_url(logged_ticket), {"group": first_line_group.pk, "note": "Again"}
    )
    assert response.status_code == 400
    assert "The ticket is already there" in response.content.decode()
    assert state_of(logged_ticket) == before


def test_reassigning_keeps_the_work_note_in_the_history(
    console_for, agent, logged_ticket, resolver, second_line_group
):
    client = console_for(agent)
    response = client.post(
        assign_url(logged_ticket),
        {
            "group": second_line_group.pk,
            "assignee": resolver.pk,
            "note": "EPR login fails for the whole ward",
        },
        follow=True,
    )

    logged_ticket.refresh_from_db()
    assert (logged_ticket.assignment_group, logged_ticket.assignee) == (second_line_group, resolver)
    assert f"{logged_ticket.number} is assigned." in flashed(response)
    rows = TicketEvent.objects.filter(ticket=logged_ticket, field="assignment_group")
    assert [r.details["note"] for r in rows] == ["EPR login fails for the whole ward"]
    page = client.get(ticket_url(logged_ticket.pk)).content.decode()
    assert page.count("<p>EPR login fails for the whole ward</p>") == 1


def test_escalating_names_a_group_and_keeps_the_work_note(
    console_for, agent, logged_ticket, second_line_group
):
    console_for(agent).post(
        assign_url(logged_ticket, escalate=True), {"group": second_line_group.pk, "note": "Needs second line"}
    )

    logged_ticket.refresh_from_db()
    assert logged_ticket.assignment_group == second_line_group
    assert logged_ticket.state == State.ASSIGNED
    event = TicketEvent.objects.get(ticket=logged_ticket, field="assignment_group")
    assert (event.action, event.details["note"]) == ("escalated", "Needs second line")


def test_the_work_note_is_not_shown_to_the_caller(client, agent, end_user, logged_ticket, second_line_group):
    services.ticket_assign(
        ticket=logged_ticket, actor=agent, group=second_line_group, note="Caller is VIP, careful"
    )
    client.force_login(end_user)
    page = client.get(reverse("portal:ticket", kwargs={"pk": logged_ticket.pk})).content.decode()
    assert "Caller is VIP" not in page
    api = client.get(f"/api/tickets/{logged_ticket.pk}/events/").content.decode()
    assert "Caller is VIP" not in api


# --- the page stays cheap --------------------------------------------------------------------------


def test_ticket_page_queries_do_not_grow_with_group_members_services_or_categories(
    console_for, agent, logged_ticket, first_line_group: AssignmentGroup
):
    client = console_for(agent)
    url = ticket_url(logged_ticket.pk)
    few = queries_for(client, url)

    for _ in range(30):
        first_line_group.members.add(UserFactory(role=Role.FIRST_LINE))
        ServiceFactory()
        CategoryFactory(parent=CategoryFactory())
    many = queries_for(client, url)

    assert few == many
