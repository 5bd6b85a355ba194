"""Finding 1: a reference a user writes must be to something that user may see. An id the actor
may not see gets the same 400 as an id that does not exist, and nothing is stored; a link shown
to a user never tells what that user may not see."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms as django_forms
from rest_framework import serializers
from rest_framework.test import APIClient

import catalogue.forms
import catalogue.serializers
import changes.forms
import changes.serializers
import contacts.api
import incidents.forms
import incidents.serializers
import incidents.ticket_forms
import servicedesk.auth_api
from changes.models import Change
from incidents.models import Kind, Ticket
from servicedesk.api_support import VisibleRelatedField
from tests.changes.factories import ChangeFactory
from tests.factories import TicketFactory


@dataclass(frozen=True)
class Reference:
    """One writable reference: how to send the id (API) or the number (console)."""

    name: str
    console: bool

    def send(self, client: Any, scene: dict[str, Any], ticket: Ticket | int) -> Any:
        pk = ticket.pk if isinstance(ticket, Ticket) else ticket
        number = ticket.number if isinstance(ticket, Ticket) else f"INC{pk:07d}"
        change = scene["change"]
        own = scene["own_ticket"]
        match self.name:
            case "api ticket create parent":
                body = {"caller": scene["caller"].pk, "title": "x", "parent": pk}
                return client.post("/api/tickets/", body, format="json")
            case "api ticket update parent":
                return client.patch(f"/api/tickets/{own.pk}/", {"parent": pk}, format="json")
            case "api change create fixes" | "api change create caused_incidents":
                field = self.name.rsplit(" ", 1)[1]
                return client.post("/api/changes/", {"title": "x", field: [pk]}, format="json")
            case "api change update fixes" | "api change update caused_incidents":
                field = self.name.rsplit(" ", 1)[1]
                return client.patch(f"/api/changes/{change.pk}/", {field: [pk]}, format="json")
            case "console change new fixes" | "console change new caused_incidents":
                field = self.name.rsplit(" ", 1)[1]
                body = {"change_type": "normal", "title": "x", "impact": 3, field: number}
                return client.post("/console/changes/new/", body)
            case "console change edit fixes" | "console change edit caused_incidents":
                field = self.name.rsplit(" ", 1)[1]
                body = {"title": change.title, "impact": 3, field: number}
                return client.post(f"/console/changes/{change.pk}/edit/", body)
        raise AssertionError(self.name)


REFERENCES = [
    Reference("api ticket create parent", False),
    Reference("api ticket update parent", False),
    Reference("api change create fixes", False),
    Reference("api change create caused_incidents", False),
    Reference("api change update fixes", False),
    Reference("api change update caused_incidents", False),
    Reference("console change new fixes", True),
    Reference("console change new caused_incidents", True),
    Reference("console change edit fixes", True),
    Reference("console change edit caused_incidents", True),
]


@pytest.fixture
def scene(resolver, first_line_group, second_line_group, other_end_user):
    hidden = TicketFactory(caller=other_end_user, assignment_group=first_line_group, kind=Kind.INCIDENT)
    own_ticket = TicketFactory(assignment_group=second_line_group)
    change = ChangeFactory(requester=resolver)
    return {"hidden": hidden, "own_ticket": own_ticket, "change": change, "caller": other_end_user}


def _stored(scene) -> tuple[Any, ...]:
    change, own = scene["change"], scene["own_ticket"]
    own.refresh_from_db()
    return (
        Change.objects.count(),
        Ticket.objects.count(),
        own.parent_id,
        sorted(change.fixes.values_list("pk", flat=True)),
        sorted(change.caused_incidents.values_list("pk", flat=True)),
    )


def _answer(reference: Reference, response: Any, number: str, pk: int) -> Any:
    if reference.console:
        errors = response.context["form"].errors
        return {field: [str(e).replace(number, "N") for e in messages] for field, messages in errors.items()}
    return str(response.json()).replace(str(pk), "ID")


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda reference: reference.name)
def test_a_reference_to_what_the_actor_may_not_see_is_refused_like_a_missing_one(reference, scene, resolver):
    client = APIClient()
    client.force_login(resolver)
    hidden = scene["hidden"]
    missing = hidden.pk + 1_000_000
    before = _stored(scene)

    refused_hidden = reference.send(client, scene, hidden)
    refused_missing = reference.send(client, scene, missing)

    assert refused_hidden.status_code == refused_missing.status_code == 400
    assert _answer(reference, refused_hidden, hidden.number, hidden.pk) == _answer(
        reference, refused_missing, f"INC{missing:07d}", missing
    )
    assert hidden.title not in refused_hidden.content.decode()
    assert _stored(scene) == before


def test_resolver_linking_a_ticket_they_may_not_see_learns_nothing(scene, resolver):
    """The issue's example: 201 and the ticket's number and title, before."""
    client = APIClient()
    client.force_authenticate(resolver)
    hidden = scene["hidden"]

    response = client.post("/api/changes/", {"title": "x", "fixes": [hidden.pk]}, format="json")

    assert response.status_code == 400
    assert response.json() == {"fixes": [f'Not found: "{hidden.pk}".']}


def test_a_change_shows_only_the_linked_tickets_the_viewer_may_see(scene, resolver, agent):
    change, hidden, own = scene["change"], scene["hidden"], scene["own_ticket"]
    change.fixes.add(hidden, own)
    client = APIClient()
    client.force_authenticate(resolver)

    shown = client.get(f"/api/changes/{change.pk}/").json()["fixes"]
    page = _console(resolver).get(f"/console/changes/{change.pk}/").content.decode()

    assert [ticket["id"] for ticket in shown] == [own.pk]
    assert hidden.number not in page and own.number in page
    client.force_authenticate(agent)  # first line sees every ticket
    assert {t["id"] for t in client.get(f"/api/changes/{change.pk}/").json()["fixes"]} == {hidden.pk, own.pk}


def test_editing_a_change_keeps_the_links_the_editor_may_not_see(scene, resolver):
    change, hidden, own = scene["change"], scene["hidden"], scene["own_ticket"]
    change.fixes.add(hidden)
    client = APIClient()
    client.force_authenticate(resolver)

    response = client.patch(f"/api/changes/{change.pk}/", {"fixes": [own.pk]}, format="json")

    assert response.status_code == 200
    assert set(change.fixes.values_list("pk", flat=True)) == {hidden.pk, own.pk}


def test_a_ticket_page_shows_its_parent_only_to_who_may_see_it(scene, resolver):
    own, hidden = scene["own_ticket"], scene["hidden"]
    own.parent = hidden
    own.save(update_fields=["parent"])

    page = _console(resolver).get(f"/console/tickets/{own.pk}/").content.decode()

    assert hidden.number not in page


def _console(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- every writable relation is either scoped to the actor or reference data --------------------

# Relations to reference data: rows every actor allowed on the endpoint may see and pick (active
# services, categories, groups, people for agents, catalogue items, risk questions, queues).
# Inactive rows are refused like missing ones by the field's own queryset.
REFERENCE_DATA = {
    "TicketCreateInput.caller", "TicketCreateInput.service", "TicketCreateInput.category",
    "TicketCreateInput.assignment_group", "EndUserTicketCreateInput.service",
    "EndUserTicketCreateInput.category", "TicketUpdateInput.service", "TicketUpdateInput.category",
    "AssignInput.group", "AssignInput.assignee", "EscalateInput.group",
    "ChangeUpdateInput.services", "ChangeUpdateInput.owner", "ChangeUpdateInput.implementer_group",
    "ChangeUpdateInput.release", "ChangeCreateInput.services", "ChangeCreateInput.owner",
    "ChangeCreateInput.implementer_group", "ChangeCreateInput.release", "ChangeCreateInput.template",
    "AnswerInput.question", "CatalogueOrderInput.item", "ContactEventInput.queue",
    "ContactEventInput.agent",
    "LogCallForm.caller", "LogCallForm.service", "LogCallForm.category", "LogCallForm.escalate_to",
    "AssignForm.group", "AssignForm.assignee", "EscalateForm.group", "ChangeForm.template",
    "ChangeForm.services", "ChangeForm.owner", "ChangeForm.implementer_group", "ChangeForm.release",
    "CalendarForm.service",
    # The ticket page's edit and assign forms (the ticket's own retired service or category too).
    "TicketEditForm.service", "TicketEditForm.category", "TicketAssignForm.group",
    "TicketAssignForm.assignee",
    # Major incidents (managers only): affected services and the review's owner.
    "DeclareMajorInput.services", "DeclareMajorForm.services", "ReviewInput.owner", "ReviewForm.owner",
}  # fmt: skip
# Relations to tickets, scoped to what the actor may see: the cases above.
SCOPED = {
    "TicketCreateInput.parent", "TicketUpdateInput.parent", "ChangeUpdateInput.fixes",
    "ChangeUpdateInput.caused_incidents", "ChangeCreateInput.fixes", "ChangeCreateInput.caused_incidents",
    "ChangeForm.fixes", "ChangeForm.caused_incidents",
}  # fmt: skip
MODULES = [
    incidents.serializers, changes.serializers, catalogue.serializers, contacts.api,
    servicedesk.auth_api, incidents.forms, incidents.ticket_forms, changes.forms, catalogue.forms,
]  # fmt: skip


def _writable_relations() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for module in MODULES:
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            if issubclass(cls, serializers.Serializer):
                for field_name, field in cls().fields.items():
                    relation = getattr(field, "child_relation", field)
                    if isinstance(relation, serializers.RelatedField) and not field.read_only:
                        found[f"{name}.{field_name}"] = relation
            elif issubclass(cls, django_forms.BaseForm) and cls.base_fields:
                for field_name, field in cls.base_fields.items():
                    if isinstance(field, django_forms.ModelChoiceField | changes.forms.TicketNumbersField):
                        found[f"{name}.{field_name}"] = field
    return found


def test_every_writable_relation_is_scoped_or_reference_data():
    found = _writable_relations()

    assert set(found) == REFERENCE_DATA | SCOPED
    for name in SCOPED:
        assert isinstance(found[name], VisibleRelatedField | changes.forms.TicketNumbersField), name
    tickets = [name for name, field in found.items() if getattr(field, "queryset", None) is not None
               and field.queryset.model is Ticket]  # fmt: skip
    assert set(tickets) <= SCOPED
