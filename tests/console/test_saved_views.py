"""Saved views of the ticket list: built in, saved by name, shared with a group, deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import SavedView, State
from sla.models import Calendar, Clock, ClockState, Metric
from tests.factories import AssignmentGroupFactory, TicketFactory, UserFactory

from .helpers import flashed

pytestmark = pytest.mark.django_db

LIST = reverse("console:ticket-list")
CREATE = reverse("console:saved-view-create")


def _save(client, name, query="state=new&priority=1", **extra):
    return client.post(CREATE, {"name": name, "query": query, "list_query": query, **extra})


def test_agent_saves_the_current_filters_by_name_and_applies_them_from_the_list(console_for, agent):
    client = console_for(agent)

    response = _save(client, "  Urgent   new ones ", query="state=new&priority=1&page=3&bogus=x")

    view = SavedView.objects.get(owner=agent)
    assert view.name == "Urgent new ones"
    assert view.query == "priority=1&state=new"  # filters only: no page, nothing unknown
    assert response.status_code == 302 and response["Location"] == f"{LIST}?priority=1&state=new"
    page = client.get(f"{LIST}?priority=1&state=new")
    assert b'href="?priority=1&amp;state=new" aria-current="page">Urgent new ones</a>' in page.content


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the view a name."),
        ("   ", "Give the view a name."),
        ("mine", "You already have a view with that name."),
    ],
)
def test_an_empty_or_duplicate_name_is_a_form_error_and_nothing_is_saved(console_for, agent, name, message):
    SavedView.objects.create(owner=agent, name="Mine", query="open=true")
    client = console_for(agent)

    response = _save(client, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert SavedView.objects.filter(owner=agent).count() == 1
    # The list the agent came from is shown again, with the save form open.
    assert b'<details class="save-view" open>' in response.content


def test_a_view_cannot_be_shared_with_a_group_the_agent_is_not_in(console_for, agent, second_line_group):
    response = _save(console_for(agent), "For them", shared_with=second_line_group.pk)

    assert response.status_code == 400
    assert "You can share a view only with a group you belong to." in response.content.decode()
    assert not SavedView.objects.exists()


def test_a_view_shared_with_a_group_is_listed_for_its_members_who_cannot_delete_it(
    console_for, agent, first_line_group
):
    _save(console_for(agent), "Printers", query="q=printer", shared_with=first_line_group.pk)
    view = SavedView.objects.get()
    colleague = UserFactory(role=agent.role)
    first_line_group.members.add(colleague)
    outsider = UserFactory(role=agent.role)
    client = console_for(colleague)

    page = client.get(LIST).content.decode()
    delete = reverse("console:saved-view-delete", kwargs={"pk": view.pk})

    assert ">Printers</a>" in page and "(Customer centre)" in page
    assert delete not in page  # only the owner is offered the delete button
    assert client.post(delete).status_code == 404
    assert ">Printers</a>" not in console_for(outsider).get(LIST).content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_the_owner_deletes_a_view(console_for, agent):
    view = SavedView.objects.create(owner=agent, name="Old", query="open=true")
    client = console_for(agent)

    response = client.post(reverse("console:saved-view-delete", kwargs={"pk": view.pk}), follow=True)

    assert not SavedView.objects.exists()
    assert "The view was deleted." in flashed(response)


def test_saving_needs_post_and_a_csrf_token(agent):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    assert client.get(CREATE).status_code == 405
    assert client.post(CREATE, {"name": "x", "query": ""}).status_code == 403
    assert not SavedView.objects.exists()


def test_end_users_have_no_saved_views(console_for, end_user):
    assert _save(console_for(end_user), "Mine").status_code in (403, 404)
    assert not SavedView.objects.exists()


def _numbers(response) -> set[str]:
    return {row.ticket.number for row in response.context["rows"]}


def test_the_built_in_views_show_my_open_tickets_my_groups_unassigned_and_those_about_to_breach(
    console_for, resolver, second_line_group
):
    other_group = AssignmentGroupFactory()
    mine = TicketFactory(assignment_group=second_line_group, assignee=resolver, state=State.ASSIGNED)
    TicketFactory(assignment_group=second_line_group, assignee=resolver, state=State.RESOLVED)
    unassigned = TicketFactory(assignment_group=second_line_group, state=State.NEW)
    TicketFactory(assignment_group=other_group, state=State.NEW, caller=resolver)  # visible, not my group's
    soon, later = (TicketFactory(assignment_group=second_line_group, state=State.ASSIGNED) for _ in range(2))
    now = timezone.now()
    for ticket, hours in ((soon, 1), (later, 30)):
        due = now + timedelta(hours=hours)
        Clock.objects.create(
            ticket=ticket,
            metric=Metric.RESOLUTION,
            calendar=Calendar.objects.get(name="24/7"),
            target_seconds=3600,
            started_at=now,
            state=ClockState.RUNNING,
            running_since=now,
            due_at=due,
            next_check_at=due,
        )
    client = console_for(resolver)
    page = client.get(LIST)
    links = {str(view.name): view.query for view in page.context["builtin_views"]}

    assert _numbers(client.get(f"{LIST}?{links['My open tickets']}")) == {mine.number}
    assert _numbers(client.get(f"{LIST}?{links["My group's unassigned"]}")) == {
        unassigned.number,
        soon.number,
        later.number,
    }
    assert _numbers(client.get(f"{LIST}?{links['About to breach']}")) == {soon.number}
