"""Bad orders and decisions get a clear 4xx naming the field; nothing is created or changed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Approval, CatalogueItem, CatalogueRequest, Decision, FieldType, RequestState
from incidents.models import Ticket
from servicedesk.models import OutboxMessage, User
from tests.factories import UserFactory

from .factories import CatalogueItemFactory, FormFieldFactory
from .helpers import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_type_item(first_line_group) -> CatalogueItem:
    """An item whose form has one required field of each type, and an optional text."""
    item = CatalogueItemFactory(name="Everything")
    FormFieldFactory(item=item, key="name", label="Name", type=FieldType.TEXT)
    FormFieldFactory(item=item, key="colour", label="Colour", type=FieldType.CHOICE, choices=["Red", "Blue"])
    FormFieldFactory(item=item, key="colleague", label="Colleague", type=FieldType.USER)
    FormFieldFactory(item=item, key="when", label="When", type=FieldType.DATE)
    FormFieldFactory(item=item, key="urgent", label="Urgent", type=FieldType.YES_NO)
    FormFieldFactory(item=item, key="note", label="Note", type=FieldType.TEXT, required=False)
    return item


@pytest.fixture
def colleague(db: None) -> User:
    return UserFactory(username="colleague")


@pytest.fixture
def good(colleague) -> dict[str, object]:
    return {"name": "A", "colour": "Red", "colleague": colleague.pk, "when": START, "urgent": False}


def nothing_created() -> bool:
    return not (
        Ticket.objects.exists()
        or CatalogueRequest.objects.exists()
        or Approval.objects.exists()
        or OutboxMessage.objects.exists()
    )


def test_a_good_order_of_every_field_type_is_stored_as_typed(api_for, end_user, every_type_item, good):
    response = api_for(end_user).post(
        "/api/catalogue/requests/",
        {"item": every_type_item.pk, "answers": {**good, "note": " "}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert CatalogueRequest.objects.get().answers == good  # the empty optional note is left out


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"name": "  "}, "name"),
        ({"name": 7}, "name"),
        ({"name": "x" * 2001}, "name"),
        ({"name": "nul \x00 inside"}, "name"),
        ({"colour": "Green"}, "colour"),
        ({"colour": "red"}, "colour"),
        ({"colour": ["Red"]}, "colour"),
        ({"colleague": "colleague"}, "colleague"),
        ({"colleague": 999_999}, "colleague"),
        ({"colleague": 10**30}, "colleague"),
        ({"colleague": True}, "colleague"),
        ({"when": "01.09.2026"}, "when"),
        ({"when": "2026-02-30"}, "when"),
        ({"when": "20260901"}, "when"),
        ({"when": "2026-09-01T10:00"}, "when"),
        ({"urgent": "yes"}, "urgent"),
        ({"urgent": 1}, "urgent"),
        ({"urgent": None}, "urgent"),
        ({"shoe_size": "42"}, "shoe_size"),
    ],
)
def test_a_bad_answer_is_400_with_the_field_key_named_and_nothing_created(
    api_for, end_user, every_type_item, good, change, field
):
    answers = {**good, **change}

    response = api_for(end_user).post(
        "/api/catalogue/requests/", {"item": every_type_item.pk, "answers": answers}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["answers"]) == [field]
    assert nothing_created()


def test_a_missing_required_field_is_named(api_for, end_user, every_type_item, good):
    del good["when"]

    response = api_for(end_user).post(
        "/api/catalogue/requests/", {"item": every_type_item.pk, "answers": good}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["answers"] == {"when": ["This field is required."]}
    assert nothing_created()


def test_an_inactive_colleague_is_not_a_valid_person(api_for, end_user, every_type_item, good, colleague):
    colleague.is_active = False
    colleague.save()

    response = api_for(end_user).post(
        "/api/catalogue/requests/", {"item": every_type_item.pk, "answers": good}, format="json"
    )

    assert response.status_code == 400
    assert "colleague" in response.json()["answers"]
    assert nothing_created()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {}}, "item"),
        ({"item": 999_999, "answers": {}}, "item"),
        ({"item": "abc", "answers": {}}, "item"),
        ({"item": "ITEM", "answers": ["not", "an", "object"]}, "answers"),
        ({"item": "ITEM", "answers": "name=A"}, "answers"),
    ],
)
def test_a_malformed_order_is_400_with_the_field_named(api_for, end_user, every_type_item, body, field):
    if body.get("item") == "ITEM":
        body["item"] = every_type_item.pk

    response = api_for(end_user).post("/api/catalogue/requests/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert nothing_created()


def test_an_inactive_item_cannot_be_ordered(api_for, end_user, every_type_item, good):
    every_type_item.active = False
    every_type_item.save()

    response = api_for(end_user).post(
        "/api/catalogue/requests/", {"item": every_type_item.pk, "answers": good}, format="json"
    )

    assert response.status_code == 400
    assert "item" in response.json()
    assert nothing_created()


def test_an_order_needing_a_line_manager_the_requester_lacks_is_refused_clearly(
    api_for, access_item, service_owner, access_answers
):
    response = api_for(service_owner).post(  # the owner has no line manager registered
        "/api/catalogue/requests/", {"item": access_item.pk, "answers": access_answers}, format="json"
    )

    assert response.status_code == 400
    assert "line manager" in response.json()["detail"]
    assert not CatalogueRequest.objects.exists() and not Ticket.objects.exists()


def test_an_order_needing_an_owner_the_service_lacks_is_refused_clearly(
    api_for, access_item, access_service, requester, access_answers
):
    access_service.owner = None
    access_service.save()

    response = api_for(requester).post(
        "/api/catalogue/requests/", {"item": access_item.pk, "answers": access_answers}, format="json"
    )

    assert response.status_code == 400
    assert "Brukerkontoer og tilganger" in response.json()["detail"]
    assert not CatalogueRequest.objects.exists() and not Ticket.objects.exists()


def test_the_portal_form_shows_each_error_on_its_field_and_keeps_the_answers(
    every_type_item, end_user, colleague
):
    browser = Client()
    browser.force_login(end_user)

    response = browser.post(
        reverse("portal:order-item", kwargs={"pk": every_type_item.pk}),
        {
            "answer-name": "Kept text",
            "answer-colour": "Green",
            "answer-colleague": "nobody@example.org",
            "answer-when": "tomorrow",
            "answer-urgent": "",
        },
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"colour", "colleague", "when", "urgent"}
    assert form.errors["when"] == ["Enter a date as YYYY-MM-DD."]
    page = response.content.decode()
    assert 'value="Kept text"' in page
    assert 'aria-invalid="true"' in page
    assert "The order was not sent" in page
    assert nothing_created()


def test_the_portal_form_finds_a_colleague_by_user_name(every_type_item, end_user, colleague):
    browser = Client()
    browser.force_login(end_user)

    response = browser.post(
        reverse("portal:order-item", kwargs={"pk": every_type_item.pk}),
        {
            "answer-name": "A",
            "answer-colour": "Blue",
            "answer-colleague": colleague.username.upper(),
            "answer-when": START,
            "answer-urgent": "yes",
        },
    )

    assert response.status_code == 302
    assert CatalogueRequest.objects.get().answers["colleague"] == colleague.pk
    assert CatalogueRequest.objects.get().answers["urgent"] is True


# --- decisions -------------------------------------------------------------------------------------


def _snapshot() -> list[tuple[object, ...]]:
    """Every approval's decision, and how many tickets, e-mails owed and which order states."""
    approvals = Approval.objects.order_by("pk").values_list("decision", "decided_at", "comment", "used_at")
    states = tuple(CatalogueRequest.objects.values_list("state", flat=True))
    return [*approvals, (Ticket.objects.count(), OutboxMessage.objects.count(), *states)]


def test_approving_twice_is_refused_and_changes_nothing(api_for, submitted, line_manager):
    approval = submitted.approvals.get(order=1)
    manager_api = api_for(line_manager)
    assert manager_api.post(f"/api/catalogue/approvals/{approval.pk}/approve/").status_code == 200
    before = _snapshot()

    response = manager_api.post(f"/api/catalogue/approvals/{approval.pk}/approve/")

    assert response.status_code == 409
    assert _snapshot() == before


def test_approving_by_someone_who_is_not_the_approver_is_refused(api_for, submitted, agent, service_owner):
    approval = submitted.approvals.get(order=1)
    before = _snapshot()

    by_agent = api_for(agent).post(f"/api/catalogue/approvals/{approval.pk}/approve/")  # may see it: 403
    by_owner = api_for(service_owner).post(f"/api/catalogue/approvals/{approval.pk}/approve/")  # step 2's

    assert by_agent.status_code == 403
    assert by_owner.status_code == 403
    assert _snapshot() == before


def test_approving_step_two_before_step_one_is_refused(api_for, submitted, service_owner):
    approval = submitted.approvals.get(order=2)
    before = _snapshot()

    response = api_for(service_owner).post(f"/api/catalogue/approvals/{approval.pk}/approve/")

    assert response.status_code == 409
    assert "earlier" in response.json()["detail"]
    assert _snapshot() == before


def test_approving_after_a_rejection_is_refused(api_for, submitted, line_manager, service_owner):
    first, second = submitted.approvals.order_by("order")
    api_for(line_manager).post(f"/api/catalogue/approvals/{first.pk}/reject/", {"reason": "No."})
    before = _snapshot()

    again = api_for(line_manager).post(f"/api/catalogue/approvals/{first.pk}/approve/")
    later = api_for(service_owner).post(f"/api/catalogue/approvals/{second.pk}/approve/")

    assert again.status_code == 409
    assert later.status_code == 409
    assert "rejected" in later.json()["detail"]
    assert _snapshot() == before


def test_approving_after_the_order_is_fulfilled_is_refused(
    api_for, submitted, line_manager, service_owner, access_resolver, access_group
):
    first, second = submitted.approvals.order_by("order")
    api_for(line_manager).post(f"/api/catalogue/approvals/{first.pk}/approve/")
    api_for(service_owner).post(f"/api/catalogue/approvals/{second.pk}/approve/")
    task = api_for(access_resolver).post(f"/api/queues/{access_group.pk}/claim-next/").json()
    api_for(access_resolver).post(
        f"/api/tickets/{task['id']}/resolve/", {"code": "fulfilled", "note": "Done"}
    )
    submitted.refresh_from_db()
    assert submitted.state == RequestState.FULFILLED
    before = _snapshot()

    response = api_for(service_owner).post(f"/api/catalogue/approvals/{second.pk}/approve/")

    assert response.status_code == 409
    assert _snapshot() == before


def test_a_refused_portal_decision_is_flashed_and_changes_nothing(submitted, service_owner):
    browser = Client()
    browser.force_login(service_owner)
    approval = submitted.approvals.get(order=2)
    before = _snapshot()

    response = browser.post(
        reverse("portal:approval-decide", kwargs={"pk": approval.pk, "decision": "approve"}), follow=True
    )

    assert "An earlier approval step must be decided first." in response.content.decode()
    assert _snapshot() == before


def test_decisions_are_recorded_with_their_time(api_for, submitted, line_manager):
    approval = submitted.approvals.get(order=1)

    api_for(line_manager).post(f"/api/catalogue/approvals/{approval.pk}/approve/", {"comment": "Yes"})

    approval.refresh_from_db()
    assert approval.decision == Decision.APPROVED
    assert approval.comment == "Yes"
    assert approval.decided_at is not None and approval.decided_at <= timezone.now()
    assert approval.used_at is None  # decided in the API, not by the link


@pytest.mark.parametrize(
    "where",
    ["answer value", "answer key", "unknown field", "item"],
)
def test_a_lone_surrogate_anywhere_in_an_order_is_400_not_500(
    api_for, end_user, every_type_item, good, where
):
    """Security finding 4: PostgreSQL cannot store a lone surrogate; JSON lets one through."""
    import json

    body = {"item": every_type_item.pk, "answers": dict(good)}
    if where == "answer value":
        body["answers"]["name"] = "\ud800"
    elif where == "answer key":
        body["answers"]["\ud800"] = "x"
    elif where == "unknown field":
        body["\ud800"] = "x"
    else:
        body["item"] = "\udfff"
    raw = json.dumps(body)  # escapes the surrogate as \ud800, as a client would send it

    response = api_for(end_user).post("/api/catalogue/requests/", raw, content_type="application/json")

    assert response.status_code == 400
    assert not CatalogueRequest.objects.exists()


def test_a_lone_surrogate_in_any_text_field_of_any_api_is_400(api_for, agent, end_user):
    import json

    ticket = (
        api_for(agent)
        .post("/api/tickets/", {"caller": end_user.pk, "title": "Printer"}, format="json")
        .json()
    )
    for path, body in [
        ("/api/tickets/", {"caller": end_user.pk, "title": "x\ud800"}),
        (f"/api/tickets/{ticket['id']}/comments/", {"body": "\ud800"}),
        (f"/api/tickets/{ticket['id']}/resolve/", {"code": "solved", "note": "\udc00"}),
        ("/api/changes/", {"title": "\ud800"}),
    ]:
        response = api_for(agent).post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
