"""Scheduling: freeze windows refuse non-emergency changes, overlapping changes on a service are
warned about on both, and each scheduled change records its planned outages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from changes import services
from changes.models import ChangeType, State
from sla.models import Outage, OutageCause

from .factories import FreezeWindowFactory
from .helpers import evening

pytestmark = pytest.mark.django_db


def schedule(client, change, start, end):
    body = {"planned_start": start.isoformat(), "planned_end": end.isoformat()}
    return client.post(f"/api/changes/{change.pk}/schedule/", body, format="json")


def test_scheduling_a_normal_change_into_a_freeze_window_is_refused_and_changes_nothing(
    api_for, approved_change, change_manager
):
    change = approved_change()
    start, end = evening(12)
    FreezeWindowFactory(
        name="Christmas freeze", start=start - timedelta(days=2), end=start + timedelta(days=10)
    )
    events = change.events.count()

    response = schedule(api_for(change_manager), change, start, end)

    assert response.status_code == 400
    assert "Christmas freeze" in response.json()["detail"]
    assert "only emergency changes" in response.json()["planned_start"][0]
    change.refresh_from_db()
    assert (change.state, change.planned_start, change.events.count()) == (State.APPROVED, None, events)
    assert not Outage.objects.exists()


def test_an_emergency_change_may_be_scheduled_in_a_freeze_window(api_for, approved_change, change_manager):
    change = approved_change(change_type=ChangeType.EMERGENCY)
    start, end = evening(12)
    FreezeWindowFactory(
        name="Christmas freeze", start=start - timedelta(days=2), end=start + timedelta(days=10)
    )

    response = schedule(api_for(change_manager), change, start, end)

    assert response.status_code == 200
    assert response.json()["state"] == State.SCHEDULED
    assert change.events.get(field="state", new_value=State.SCHEDULED).details == {
        "freeze_windows": ["Christmas freeze"]
    }


def test_a_freeze_of_another_service_does_not_hold_a_change_back(
    api_for, approved_change, change_manager, epr
):
    change = approved_change()  # on PACS
    start, end = evening(12)
    FreezeWindowFactory(name="EPR go-live", start=start, end=end, services=[epr])

    assert schedule(api_for(change_manager), change, start, end).status_code == 200


def test_overlapping_changes_on_one_service_are_a_warning_on_both_in_the_api_and_on_the_page(
    api_for, console_for, approved_change, change_manager, pacs, epr
):
    # Given two changes on PACS whose evenings overlap by an hour, and a third on EPR only
    first, second = (
        approved_change(title="Patch PACS"),
        approved_change(title="Move PACS storage", on=[pacs, epr]),
    )
    other = approved_change(title="EPR upgrade", on=[epr])
    start, end = evening(5)
    as_manager = api_for(change_manager)
    schedule(as_manager, first, start, end)
    schedule(as_manager, other, start, end)

    # When the second is scheduled into the same evening, it is scheduled (a warning, not a refusal)
    response = schedule(as_manager, second, start + timedelta(hours=1), end + timedelta(hours=1))
    assert response.status_code == 200

    # then each change names the other as a conflict on PACS, in the API ...
    second_conflicts = response.json()["conflicts"]
    first_conflicts = as_manager.get(f"/api/changes/{first.pk}/").json()["conflicts"]
    assert [(c["number"], c["services"]) for c in first_conflicts] == [
        (second.number, [{"id": pacs.pk, "name": "PACS/RIS"}])
    ]
    assert {c["number"] for c in second_conflicts} == {first.number, other.number}  # and EPR with the third
    # ... and on its page
    page = (
        console_for(change_manager).get(reverse("changes:detail", kwargs={"pk": first.pk})).content.decode()
    )
    assert "Schedule conflicts" in page
    assert second.number in page


def test_a_scheduled_change_records_planned_outages_replaced_on_reschedule_and_removed_on_cancel(
    approved_change, change_manager, pacs, epr
):
    change = approved_change(on=[pacs, epr])
    start, end = evening(5)

    services.change_schedule(change=change, actor=change_manager, planned_start=start, planned_end=end)
    assert set(
        Outage.objects.values_list("service__name", "started_at", "ended_at", "planned", "cause", "change")
    ) == {
        ("PACS/RIS", start, end, True, OutageCause.CHANGE, change.pk),
        ("EPR", start, end, True, OutageCause.CHANGE, change.pk),
    }

    later = start + timedelta(days=1)
    services.change_schedule(
        change=change, actor=change_manager, planned_start=later, planned_end=later + timedelta(hours=3)
    )
    assert set(Outage.objects.values_list("service__name", "started_at")) == {
        ("PACS/RIS", later),
        ("EPR", later),
    }
    # Moved, not replaced: each outage's history says from when to when.
    moved = Outage.objects.get(service=pacs)
    assert list(moved.events.values_list("action", "field", "old_value", "new_value"))[1:] == [
        ("updated", "started_at", start.isoformat(), later.isoformat()),
        ("updated", "ended_at", end.isoformat(), (later + timedelta(hours=3)).isoformat()),
    ]

    services.change_cancel(change=change, actor=change_manager, reason="Vendor postponed the patch.")
    assert not Outage.objects.exists()


def test_a_scheduled_change_shows_its_planned_outages_in_the_api_and_on_its_page(
    api_for, console_for, approved_change, change_manager, pacs
):
    change = approved_change(on=[pacs])
    start, end = evening(5)

    schedule(api_for(change_manager), change, start, end)

    body = api_for(change_manager).get(f"/api/changes/{change.pk}/").json()
    assert [(o["service"]["name"], o["started_at"] is not None) for o in body["outages"]] == [
        ("PACS/RIS", True)
    ]
    page = (
        console_for(change_manager).get(reverse("changes:detail", kwargs={"pk": change.pk})).content.decode()
    )
    assert "Planned outages" in page
    # The same rows are the availability report's planned outages.
    listed = api_for(change_manager).get(f"/api/outages/?change={change.pk}&planned=true").json()["results"]
    assert [row["id"] for row in listed] == [o["id"] for o in body["outages"]]
