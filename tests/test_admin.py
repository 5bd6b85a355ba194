"""Django admin: reference data is editable, tickets are view-only, only staff get in."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from incidents.models import PriorityRule, State, Ticket
from incidents.services import comment_add, ticket_create
from servicedesk.models import AssignmentGroup, User

from .factories import CategoryFactory, DepartmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def _url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def ticket(agent: User, end_user: User) -> Ticket:
    ticket = ticket_create(actor=agent, caller=end_user, title="Ward printer jams", service=ServiceFactory())
    comment_add(ticket=ticket, actor=agent, body="Checked the tray; no paper stuck.", internal=True)
    return ticket


@pytest.fixture
def superuser_client(client: Client, ticket: Ticket) -> Client:
    """A superuser's client, with a row or two in every list (a ticket, a category, a department)."""
    CategoryFactory(parent=CategoryFactory(name="Hardware"), name="PC")
    DepartmentFactory()
    user = User.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda m: f"{m._meta.app_label}.{m._meta.model_name}"
)
def test_superuser_loads_every_changelist(superuser_client, model):
    response = superuser_client.get(_url(model, "changelist"))
    assert response.status_code == 200


def test_superuser_views_a_ticket_with_its_comments_and_history(superuser_client, ticket):
    response = superuser_client.get(_url(Ticket, "change", ticket.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Checked the tray; no paper stuck." in content
    assert ticket.number in content


def test_ticket_list_finds_a_ticket_by_its_number(superuser_client, ticket):
    response = superuser_client.get(_url(Ticket, "changelist"), {"q": ticket.number})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ticket]


def test_superuser_cannot_add_a_ticket_through_admin(superuser_client):
    response = superuser_client.post(_url(Ticket, "add"), {"title": "Sneaked in", "caller": 1})
    assert response.status_code == 403
    assert not Ticket.objects.filter(title="Sneaked in").exists()


def test_superuser_cannot_change_or_delete_a_ticket_through_admin(superuser_client, ticket):
    response = superuser_client.post(
        _url(Ticket, "change", ticket.pk), {"title": "Changed", "state": State.CLOSED}
    )
    assert response.status_code == 403
    assert superuser_client.post(_url(Ticket, "delete", ticket.pk), {"post": "yes"}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.title == "Ward printer jams"
    assert ticket.state == State.NEW


def test_priority_matrix_is_edited_in_the_list(superuser_client):
    rule = PriorityRule.objects.get(impact=3, urgency=3)
    rules = list(PriorityRule.objects.all())
    data = {
        "form-TOTAL_FORMS": str(len(rules)),
        "form-INITIAL_FORMS": str(len(rules)),
        "_save": "Save",
    }
    for i, cell in enumerate(rules):
        data[f"form-{i}-id"] = str(cell.pk)
        data[f"form-{i}-priority"] = str(3 if cell.pk == rule.pk else cell.priority)
    response = superuser_client.post(_url(PriorityRule, "changelist"), data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.priority == 3


def test_user_admin_searches_by_phone_and_shows_the_profile_fields(superuser_client, end_user):
    response = superuser_client.get(_url(User, "changelist"), {"q": end_user.phone})
    assert list(response.context["cl"].result_list) == [end_user]
    page = superuser_client.get(_url(User, "change", end_user.pk)).content.decode()
    for name in ("role", "trust", "department", "phone", "preferred_language"):
        assert f'name="{name}"' in page


def test_assignment_group_members_are_picked_side_by_side(superuser_client, first_line_group):
    page = superuser_client.get(_url(AssignmentGroup, "change", first_line_group.pk)).content.decode()
    assert "selectfilter" in page.lower()


def test_non_staff_user_is_sent_to_the_admin_login(client, agent):
    client.force_login(agent)
    response = client.get(_url(Ticket, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
