"""The e-mailed one-time link: shows on GET, decides on POST, once; anything else changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from catalogue.links import issue_token
from catalogue.models import Approval, Decision, RequestState

from .helpers import link_path, mails_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(submitted, line_manager, sent_mail) -> str:
    """The path of the line manager's link, as e-mailed."""
    return link_path(mails_to(sent_mail(), line_manager)[0])


def _first(submitted) -> Approval:
    return submitted.approvals.get(order=1)


def test_the_email_goes_to_the_approver_in_their_language_with_the_order(submitted, line_manager, sent_mail):
    line_manager.preferred_language = "en"
    line_manager.save()

    (message,) = mails_to(sent_mail(), line_manager)

    assert submitted.ticket.number in message.subject
    assert "DIPS" in message.body and "expires in 14 days" in message.body
    assert _first(submitted).token_hash  # the hash is kept, never the token
    assert link_path(message).split("/")[-2] not in _first(submitted).token_hash


def test_opening_the_link_shows_the_order_and_changes_nothing(submitted, link):
    response = Client().get(link)

    assert response.status_code == 200
    page = response.content.decode()
    assert submitted.ticket.number in page and "Nurse on ward 3" in page
    assert response["Referrer-Policy"] == "no-referrer"
    approval = _first(submitted)
    assert approval.decision == Decision.PENDING and approval.used_at is None


def test_the_link_decides_once_and_is_refused_after(submitted, link):
    browser = Client()
    assert browser.post(link, {"decision": "approve", "comment": "ok"}).status_code == 200
    approval = _first(submitted)
    assert approval.decision == Decision.APPROVED and approval.used_at is not None

    again = browser.post(link, {"decision": "reject", "reason": "changed my mind"})
    shown = browser.get(link)

    assert again.status_code == 410 and shown.status_code == 410
    assert "already been used" in again.content.decode()
    assert "Nothing was changed." in again.content.decode()
    approval.refresh_from_db()
    assert approval.decision == Decision.APPROVED and approval.comment == "ok"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: "x" + token,  # payload changed
        lambda token: "not-a-token",
    ],
)
def test_a_forged_link_is_refused_and_changes_nothing(submitted, link, tamper):
    token = link.rstrip("/").split("/")[-1]
    forged = link.replace(token, tamper(token))

    response = Client().post(forged, {"decision": "approve"})

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert _first(submitted).decision == Decision.PENDING


def test_an_expired_link_is_refused_and_changes_nothing(submitted, link):
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = Client().post(link, {"decision": "approve"})

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert _first(submitted).decision == Decision.PENDING


def test_a_link_replaced_by_a_newer_email_is_refused(submitted, link):
    issue_token(_first(submitted))  # e.g. the e-mail was sent again

    response = Client().post(link, {"decision": "approve"})

    assert response.status_code == 400
    assert _first(submitted).decision == Decision.PENDING


def test_a_link_to_an_approval_decided_in_the_console_is_refused(api_for, submitted, link, line_manager):
    api_for(line_manager).post(f"/api/catalogue/approvals/{_first(submitted).pk}/approve/")

    response = Client().post(link, {"decision": "reject", "reason": "No"})

    assert response.status_code == 410
    submitted.refresh_from_db()
    assert submitted.state == RequestState.AWAITING_APPROVAL
    assert _first(submitted).decision == Decision.APPROVED


def test_rejecting_by_link_without_a_reason_changes_nothing(submitted, link):
    response = Client().post(link, {"decision": "reject", "reason": ""})

    assert response.status_code == 400
    assert "Give a reason for the rejection." in response.content.decode()
    approval = _first(submitted)
    assert approval.decision == Decision.PENDING and approval.used_at is None


def test_a_post_without_a_decision_changes_nothing(submitted, link):
    response = Client().post(link, {})

    assert response.status_code == 400
    assert _first(submitted).decision == Decision.PENDING


def test_an_approval_decided_before_its_email_is_sent_gets_no_email(
    api_for, submitted, line_manager, sent_mail
):
    api_for(line_manager).post(f"/api/catalogue/approvals/{_first(submitted).pk}/approve/")

    assert mails_to(sent_mail(), line_manager) == []
