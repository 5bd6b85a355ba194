"""The change workflow in the console: forms and POST buttons, each calling its service."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from changes.models import Approval, Change, ChangeType, Risk, State
from tests.console.helpers import flashed
from tests.factories import TicketFactory

from .factories import ChangeFactory
from .helpers import answers, evening

pytestmark = pytest.mark.django_db


def detail_url(change: Change) -> str:
    return reverse("changes:detail", kwargs={"pk": change.pk})


def action_url(change: Change, transition: str) -> str:
    return reverse("changes:transition", kwargs={"pk": change.pk, "transition": transition})


def step(client, change: Change, transition: str, data: dict | None = None):
    return client.post(action_url(change, transition), data or {}, follow=True)


def local_input(instant) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%dT%H:%M")


def test_normal_high_risk_change_goes_from_draft_to_closed_through_the_console(
    console_for, requester, change_manager, cab, cab_members, pacs
):
    cab.members.add(requester)
    as_requester, as_manager = console_for(requester), console_for(change_manager)
    start, end = evening(4)

    # The requester raises the change with the form and submits it
    response = as_requester.post(
        reverse("changes:new"),
        {
            "change_type": ChangeType.NORMAL,
            "title": "Upgrade the PACS database",
            "services": [pacs.pk],
            "impact": 2,
            "implementation_plan": "Stop PACS, upgrade PostgreSQL, start.",
            "backout_plan": "Restore the snapshot.",
            "planned_start": local_input(start),
            "planned_end": local_input(end),
        },
        follow=True,
    )
    change = Change.objects.get()
    assert response.redirect_chain[-1][0] == detail_url(change)
    assert (change.planned_start, change.planned_end) == (start, end)
    assert f"{change.number} is submitted." in flashed(step(as_requester, change, "submit"))

    # The change manager answers the questionnaire (all "yes": high risk) and sends it to the CAB
    assert action_url(change, "assess") in as_manager.get(detail_url(change)).content.decode()
    questionnaire = {f"q{pk}": "yes" if yes else "no" for pk, yes in answers(True).items()}
    step(as_manager, change, "assess", {**questionnaire, "impact": 1})
    step(as_manager, change, "request-approval")
    change.refresh_from_db()
    assert (change.state, change.risk, change.required_approvals) == (State.AWAITING_APPROVAL, Risk.HIGH, 3)

    # The requester, though on the CAB, sees no approve button and is refused if they try
    assert action_url(change, "approve") not in as_requester.get(detail_url(change)).content.decode()
    own = step(as_requester, change, "approve")
    assert "Nobody approves their own change: you requested it or own it." in flashed(own)
    assert not Approval.objects.exists()

    # Three members approve from the page; a repeat changes nothing
    member_page = console_for(cab_members[0]).get(detail_url(change)).content.decode()
    assert action_url(change, "approve") in member_page
    for member in cab_members:
        step(console_for(member), change, "approve", {"comment": "OK"})
    step(console_for(cab_members[0]), change, "approve")
    assert Approval.objects.count() == 3
    change.refresh_from_db()
    assert change.state == State.APPROVED

    # The change manager schedules, implements, completes and closes it
    step(
        as_manager, change, "schedule", {"planned_start": local_input(start), "planned_end": local_input(end)}
    )
    step(as_manager, change, "implement")
    step(as_manager, change, "complete", {"outcome": "successful", "notes": "On time."})
    closed = step(as_manager, change, "close", {"review_notes": "Went to plan."})

    change.refresh_from_db()
    assert change.state == State.CLOSED
    assert f"{change.number} is closed." in flashed(closed)
    page = closed.content.decode()
    assert "Went to plan." in page
    assert reverse("changes:edit", kwargs={"pk": change.pk}) not in page  # a closed change offers no edits


def test_a_refused_step_is_flashed_and_changes_nothing(
    console_for, approved_change, change_manager, requester
):
    change = approved_change()
    events = change.events.count()

    response = step(console_for(change_manager), change, "close", {"review_notes": "Too early"})

    assert "A change that is Approved cannot become Closed." in flashed(response)
    change.refresh_from_db()
    assert (change.state, change.events.count()) == (State.APPROVED, events)


def test_change_pages_send_end_users_to_the_portal(console_for, end_user, approved_change):
    change = approved_change()
    client = console_for(end_user)

    for url in (
        reverse("changes:list"),
        reverse("changes:calendar"),
        reverse("changes:new"),
        detail_url(change),
    ):
        assert client.get(url)["Location"] == reverse("portal:home")
    assert step(client, change, "cancel", {"reason": "x"}).status_code == 404
    change.refresh_from_db()
    assert change.state == State.APPROVED


def test_the_new_change_form_shows_a_backwards_window_on_its_field(console_for, requester, pacs):
    start, end = evening(2)

    response = console_for(requester).post(
        reverse("changes:new"),
        {
            "change_type": "normal",
            "title": "Backwards",
            "impact": 3,
            "planned_start": local_input(end),
            "planned_end": local_input(start),
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["planned_end"] == [
        "The planned end must be after the planned start."
    ]
    assert not Change.objects.exists()


def test_once_before_the_board_only_links_can_be_edited_in_the_console(
    console_for, approved_change, change_manager
):
    change = approved_change()
    url = reverse("changes:edit", kwargs={"pk": change.pk})
    client = console_for(change_manager)

    form = client.get(url).context["form"]
    assert "title" not in form.fields and "owner" in form.fields

    response = client.post(
        url, {"owner": change_manager.pk, "fixes": "", "caused_incidents": ""}, follow=True
    )

    change.refresh_from_db()
    assert change.owner == change_manager
    assert f"{change.number} saved." in flashed(response)
    assert change.events.filter(action="updated").count() == 1  # the owner, nothing else


def test_tickets_are_linked_by_their_numbers(console_for, requester, pacs, end_user):
    change = ChangeFactory(requester=requester, services=[pacs])
    incident = TicketFactory(caller=end_user, created_by=requester)  # logged by them: they see it
    url = reverse("changes:edit", kwargs={"pk": change.pk})
    data = {
        "title": change.title,
        "impact": 3,
        "services": [pacs.pk],
        "implementation_plan": "x",
        "backout_plan": "y",
    }

    refused = console_for(requester).post(url, {**data, "fixes": f"{incident.number}, INC9999999"})
    assert refused.context["form"].errors["fixes"] == ["Unknown ticket numbers: INC9999999"]

    console_for(requester).post(url, {**data, "fixes": incident.number.lower()})
    assert list(change.fixes.all()) == [incident]
