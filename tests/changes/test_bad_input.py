"""Bad input to the change API gets a clear 4xx naming the problem, and changes nothing."""

from __future__ import annotations

import pytest

from changes.models import Approval, Change, ChangeEvent, State

from .factories import ChangeFactory
from .helpers import api_answers, evening

pytestmark = pytest.mark.django_db


def snapshot(change: Change) -> tuple[object, ...]:
    change.refresh_from_db()
    return (
        change.state,
        change.title,
        change.planned_start,
        change.planned_end,
        change.updated_at,
        ChangeEvent.objects.filter(change=change).count(),
        Approval.objects.filter(change=change).count(),
    )


@pytest.fixture
def as_manager(api_for, change_manager):
    return api_for(change_manager)


def test_planned_end_before_start_is_400_on_create_and_schedule(as_manager, approved_change):
    start, end = evening(3)
    backwards = {"planned_start": end.isoformat(), "planned_end": start.isoformat()}

    created = as_manager.post("/api/changes/", {"title": "Backwards", **backwards}, format="json")
    assert created.status_code == 400
    assert created.json()["planned_end"] == ["The planned end must be after the planned start."]
    assert not Change.objects.filter(title="Backwards").exists()

    change = approved_change()
    before = snapshot(change)
    scheduled = as_manager.post(f"/api/changes/{change.pk}/schedule/", backwards, format="json")
    assert scheduled.status_code == 400
    assert "planned_end" in scheduled.json()
    assert snapshot(change) == before


def test_a_window_with_a_start_but_no_end_is_400(as_manager):
    start, _end = evening(3)

    response = as_manager.post(
        "/api/changes/", {"title": "Open-ended", "planned_start": start.isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert "planned_end" in response.json()
    assert not Change.objects.exists()


def _window() -> dict[str, str]:
    start, end = evening(3)
    return {"planned_start": start.isoformat(), "planned_end": end.isoformat()}


@pytest.mark.parametrize(
    ("transition", "body"),
    [
        ("assess", lambda: {"answers": api_answers(False)}),
        ("request-approval", dict),
        ("schedule", _window),
        ("implement", dict),
        ("complete", lambda: {"outcome": "successful"}),
        ("close", lambda: {"review_notes": "x"}),
    ],
)
def test_a_transition_out_of_order_is_409_and_changes_nothing(as_manager, requester, pacs, transition, body):
    change = ChangeFactory(requester=requester, services=[pacs])  # a draft
    before = snapshot(change)

    response = as_manager.post(f"/api/changes/{change.pk}/{transition}/", body(), format="json")

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "illegal_transition"
    assert "Draft" in response.json()["detail"]
    assert snapshot(change) == before


def test_a_normal_change_is_not_implemented_before_it_is_scheduled(as_manager, approved_change):
    change = approved_change()
    before = snapshot(change)

    response = as_manager.post(f"/api/changes/{change.pk}/implement/", {}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == "Schedule the change before implementing it."
    assert snapshot(change) == before


def test_approval_by_someone_not_on_the_board_is_403_and_changes_nothing(
    api_for, awaiting_change, change_manager, cab_members
):
    change = awaiting_change()  # before the CAB; the change manager is not on it
    before = snapshot(change)

    approved = api_for(change_manager).post(f"/api/changes/{change.pk}/approve/", {}, format="json")
    rejected = api_for(change_manager).post(
        f"/api/changes/{change.pk}/reject/", {"reason": "No"}, format="json"
    )

    assert (approved.status_code, rejected.status_code) == (403, 403)
    assert approved.json()["detail"] == "Only members of CAB may approve or reject this change."
    assert snapshot(change) == before


def test_approving_a_change_not_yet_before_the_board_is_409(api_for, cab_members, requester, pacs):
    change = ChangeFactory(requester=requester, services=[pacs], state=State.ASSESSED)
    before = snapshot(change)

    response = api_for(cab_members[0]).post(f"/api/changes/{change.pk}/approve/", {}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == "A change that is Assessed is not awaiting approval."
    assert snapshot(change) == before


def test_edits_to_a_closed_change_are_409_and_change_nothing(as_manager, requester):
    change = ChangeFactory(requester=requester, state=State.CLOSED, outcome="successful")
    before = snapshot(change)

    response = as_manager.patch(f"/api/changes/{change.pk}/", {"title": "Rewritten history"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == "A change that is Closed cannot be edited."
    assert snapshot(change) == before


def test_content_is_fixed_once_approval_is_requested_but_links_are_not(
    as_manager, approved_change, change_manager
):
    change = approved_change()
    before = snapshot(change)

    refused = as_manager.patch(f"/api/changes/{change.pk}/", {"title": "Something else"}, format="json")
    allowed = as_manager.patch(f"/api/changes/{change.pk}/", {"owner": change_manager.pk}, format="json")

    assert refused.status_code == 409
    assert "title" in refused.json()["detail"]
    assert allowed.status_code == 200
    assert allowed.json()["owner"]["id"] == change_manager.pk
    assert snapshot(change)[1] == before[1]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"title": "ok", "colour": "red"}, {"colour"}),
        ({"title": "ok", "state": "closed", "risk": "low"}, {"state", "risk"}),
        ({"title": "ok", "change_type": "urgent"}, {"change_type"}),
        ({"title": "ok", "impact": 7}, {"impact"}),
        ({"title": "ok", "services": [999999]}, {"services"}),
        ({"title": "ok", "caused_incidents": ["abc"]}, {"caused_incidents"}),
        (
            {"title": "ok", "planned_start": "tomorrow", "planned_end": "later"},
            {"planned_start", "planned_end"},
        ),
        ({"title": "", "nonsense": 1}, {"title", "nonsense"}),
        ({"title": "bad\x00title"}, {"title"}),
        ({"title": "ok", "description": "nul \x00 inside"}, {"description"}),
        ({"title": "ok", "change_type": "standard"}, {"template"}),
    ],
)
def test_invalid_change_is_400_with_the_fields_named_and_nothing_saved(as_manager, body, fields):
    response = as_manager.post("/api/changes/", body, format="json")

    assert response.status_code == 400
    assert fields <= set(response.json())
    assert not Change.objects.exists()


@pytest.mark.parametrize(
    ("transition", "body", "field"),
    [
        ("complete", {"outcome": "meh"}, "outcome"),
        ("reject", {"reason": "a\x00b"}, "reason"),
        ("cancel", {"reason": ""}, "reason"),
        ("schedule", {"planned_start": "2030-01-01T10:00:00Z"}, "planned_end"),
        ("approve", {"comment": "ok", "extra": True}, "extra"),
        ("submit", {"force": True}, "force"),
        ("assess", {"answers": [{"question": 999999, "answer": True}]}, "answers"),
    ],
)
def test_invalid_transition_input_is_400_with_the_field_named_and_nothing_changed(
    as_manager, approved_change, transition, body, field
):
    change = approved_change()
    before = snapshot(change)

    response = as_manager.post(f"/api/changes/{change.pk}/{transition}/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert snapshot(change) == before


def test_submitting_without_a_back_out_plan_is_400(api_for, requester, pacs):
    change = ChangeFactory(requester=requester, services=[pacs], backout_plan="")
    before = snapshot(change)

    response = api_for(requester).post(f"/api/changes/{change.pk}/submit/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["backout_plan"] == ["Describe how the change can be backed out."]
    assert snapshot(change) == before


def test_end_users_get_nothing_of_change_management(api_for, end_user, approved_change):
    change = approved_change()
    client = api_for(end_user)
    before = snapshot(change)

    assert client.get("/api/changes/").status_code == 403
    assert client.get(f"/api/changes/{change.pk}/").status_code == 403
    assert client.post(f"/api/changes/{change.pk}/cancel/", {"reason": "x"}, format="json").status_code == 403
    assert client.post("/api/changes/", {"title": "Mine"}, format="json").status_code == 403
    assert client.get("/api/freeze-windows/").status_code == 403
    assert snapshot(change) == before


def test_unknown_change_id_is_404(as_manager):
    assert as_manager.get("/api/changes/987654/").status_code == 404
    assert as_manager.post("/api/changes/987654/submit/", {}, format="json").status_code == 404


def test_bad_list_filters_are_400(as_manager):
    for query in (
        {"state": "asleep"},
        {"risk": "extreme"},
        {"service": "x"},
        {"ordering": "requester__password"},
    ):
        assert as_manager.get("/api/changes/", query).status_code == 400
