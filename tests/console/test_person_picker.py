"""The person picker of the ticket list: staff found by name, only those the agent may see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicedesk.models import Role
from tests.factories import AssignmentGroupFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = reverse("console:people")
LIST = reverse("console:ticket-list")


def _names(response) -> list[str]:
    assert response.status_code == 200
    return [person["name"] for person in response.json()["results"]]


@pytest.fixture
def staff(first_line_group, second_line_group):
    kari = UserFactory(first_name="Kari", last_name="Nordmann", role=Role.RESOLVER)
    second_line_group.members.add(kari)
    karin = UserFactory(first_name="Karin", last_name="Berg", role=Role.FIRST_LINE)
    first_line_group.members.add(karin)
    UserFactory(first_name="Kari", last_name="Pasient", role=Role.END_USER)  # a caller, not staff
    UserFactory(first_name="Kari", last_name="Sluttet", role=Role.RESOLVER, is_active=False)
    return kari, karin


def test_the_look_up_finds_active_staff_by_name_and_never_end_users(console_for, agent, staff):
    assert _names(console_for(agent).get(PEOPLE, {"q": "kari"})) == ["Karin Berg", "Kari Nordmann"]


def test_the_look_up_can_be_limited_to_a_groups_members(console_for, agent, staff, second_line_group):
    assert _names(console_for(agent).get(PEOPLE, {"q": "kar", "group": second_line_group.pk})) == [
        "Kari Nordmann"
    ]


def test_a_resolver_finds_only_the_members_of_their_own_groups(console_for, resolver, staff):
    assert _names(console_for(resolver).get(PEOPLE, {"q": "kar"})) == ["Kari Nordmann"]


def test_one_character_finds_nobody_and_end_users_may_not_look(console_for, agent, end_user, staff):
    assert _names(console_for(agent).get(PEOPLE, {"q": "k"})) == []
    refused = console_for(end_user).get(PEOPLE, {"q": "kari"})  # sent to the portal
    assert refused.status_code != 200 and b"Nordmann" not in refused.content


def test_the_assignee_filter_offers_me_unassigned_and_people_found_by_name_without_javascript(
    console_for, agent, staff
):
    kari, _karin = staff
    mine = TicketFactory(assignee=kari)
    TicketFactory()
    client = console_for(agent)

    page = client.get(LIST, {"assignee_q": "nordmann"}).content.decode()
    assert '<label for="id_assignee">Assignee</label>' in page
    assert '<label for="assignee_q" class="visually-hidden">Find an assignee by name</label>' in page
    assert '<option value="me">Me</option>' in page and '<option value="none">Unassigned</option>' in page
    assert f'<option value="{kari.pk}">Kari Nordmann ({kari.username})</option>' in page

    chosen = client.get(LIST, {"assignee": kari.pk})
    assert [row.ticket for row in chosen.context["rows"]] == [mine]
    # The chosen person is shown by name, not by a number.
    assert (
        f'<option value="{kari.pk}" selected>Kari Nordmann ({kari.username})</option>'
        in chosen.content.decode()
    )


def test_the_picker_is_empty_for_staff_of_another_group_a_resolver_may_not_see(console_for, resolver):
    outsider = UserFactory(first_name="Ola", last_name="Annengruppe", role=Role.RESOLVER)
    AssignmentGroupFactory().members.add(outsider)

    page = console_for(resolver).get(LIST, {"assignee_q": "annengruppe"}).content.decode()

    assert "Annengruppe" not in page
