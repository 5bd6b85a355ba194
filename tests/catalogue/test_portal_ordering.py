"""Ordering in the portal: the catalogue with search and categories, the order form, my orders,
and the approvals waiting for me. End users never see the console's catalogue pages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from catalogue.models import Approval, CatalogueRequest, Decision
from incidents.models import Ticket

from .helpers import START, link_path, mails_to

pytestmark = pytest.mark.django_db


def _browser(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_the_catalogue_lists_orderable_items_by_category(access_item, requester):
    page = _browser(requester).get(reverse("portal:order"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Tilgang til et program" in html
    assert reverse("portal:order-item", kwargs={"pk": access_item.pk}) in html
    assert 'href="/console/' not in html


def test_searching_the_catalogue_finds_items_by_words_of_their_name(access_item, requester):
    browser = _browser(requester)

    found = browser.get(reverse("portal:order"), {"q": "program tilgang"}).content.decode()
    missed = browser.get(reverse("portal:order"), {"q": "kaffemaskin"}).content.decode()

    assert "Tilgang til et program" in found
    assert "Tilgang til et program" not in missed
    assert "Nothing in the catalogue matches." in missed


def test_choosing_a_category_shows_only_its_items(access_item, requester):
    browser = _browser(requester)

    inside = browser.get(reverse("portal:order"), {"category": access_item.category_id}).content.decode()
    other = browser.get(reverse("portal:order"), {"category": access_item.category_id + 999}).content.decode()
    bad = browser.get(reverse("portal:order"), {"category": "x"})

    assert "Tilgang til et program" in inside
    assert "Tilgang til et program" not in other
    assert bad.status_code == 200 and "Tilgang til et program" not in bad.content.decode()


def test_ordering_in_the_portal_stores_the_answers_and_shows_the_order(access_item, requester):
    browser = _browser(requester)

    response = browser.post(
        reverse("portal:order-item", kwargs={"pk": access_item.pk}),
        {"answer-application": "DIPS", "answer-role_needs": "Nurse", "answer-start_date": START},
    )

    order = CatalogueRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:order-detail", kwargs={"pk": order.pk})
    assert order.ticket.caller == requester
    assert Ticket.objects.get(pk=order.pk).channel == "portal"


def test_an_order_missing_a_required_answer_shows_the_error_and_stores_nothing(access_item, requester):
    response = _browser(requester).post(
        reverse("portal:order-item", kwargs={"pk": access_item.pk}),
        {"answer-application": "DIPS", "answer-role_needs": "", "answer-start_date": START},
    )

    assert response.status_code == 400
    assert "role_needs" in response.context["form"].errors
    assert "The order was not sent" in response.content.decode()
    assert not CatalogueRequest.objects.exists()
    assert not Ticket.objects.exists()


def test_an_order_without_the_csrf_token_is_refused(access_item, requester):
    response = _browser(requester, enforce_csrf_checks=True).post(
        reverse("portal:order-item", kwargs={"pk": access_item.pk}),
        {"answer-application": "DIPS", "answer-role_needs": "Nurse", "answer-start_date": START},
    )

    assert response.status_code == 403
    assert not CatalogueRequest.objects.exists()


def test_my_orders_show_whose_approval_each_waits_for(submitted, requester, line_manager):
    html = _browser(requester).get(reverse("portal:orders")).content.decode()

    assert submitted.ticket.number in html
    assert "Awaiting approval" in html
    assert f"Approval by {line_manager}" in html


def test_another_users_order_is_not_found_in_the_portal(submitted, other_end_user, line_manager):
    url = reverse("portal:order-detail", kwargs={"pk": submitted.pk})

    assert _browser(other_end_user).get(url).status_code == 404
    # the approver decides on the approvals page; the order page is the requester's
    assert _browser(line_manager).get(url).status_code == 404


def test_the_approver_approves_in_the_portal(submitted, line_manager):
    browser = _browser(line_manager)
    approval = submitted.approvals.get(approver=line_manager)

    page = browser.get(reverse("portal:approvals")).content.decode()
    response = browser.post(
        reverse("portal:approval-decide", kwargs={"pk": approval.pk, "decision": "approve"}),
        {"comment": "OK"},
        follow=True,
    )

    assert f"Approve {submitted.ticket.number}" in page and "Nurse on ward 3" in page
    assert f"You approved {submitted.ticket.number}." in response.content.decode()
    approval.refresh_from_db()
    assert (approval.decision, approval.comment) == (Decision.APPROVED, "OK")


def test_a_rejection_without_a_reason_is_refused_and_changes_nothing(submitted, line_manager):
    approval = submitted.approvals.get(approver=line_manager)

    response = _browser(line_manager).post(
        reverse("portal:approval-decide", kwargs={"pk": approval.pk, "decision": "reject"}),
        {"reason": ""},
        follow=True,
    )

    assert "Give a reason for the rejection." in response.content.decode()
    assert Approval.objects.get(pk=approval.pk).decision == Decision.PENDING


def test_someone_else_cannot_decide_an_approval_in_the_portal(submitted, other_end_user):
    approval = submitted.approvals.get(order=1)

    response = _browser(other_end_user).post(
        reverse("portal:approval-decide", kwargs={"pk": approval.pk, "decision": "approve"}), {}
    )

    assert response.status_code == 404
    assert Approval.objects.get(pk=approval.pk).decision == Decision.PENDING


@pytest.mark.parametrize(
    ("console_path", "portal_name"),
    [
        ("/console/catalogue/", "portal:order"),
        ("/console/catalogue/orders/", "portal:orders"),
        ("/console/catalogue/approvals/", "portal:approvals"),
    ],
)
def test_end_users_are_sent_from_the_console_catalogue_to_the_portal(
    requester, console_path, portal_name
):
    response = _browser(requester).get(console_path)

    assert response.status_code == 302
    assert response["Location"] == reverse(portal_name)


def test_an_end_users_console_order_page_leads_to_the_portal_order(submitted, requester):
    response = _browser(requester).get(f"/console/catalogue/orders/{submitted.pk}/")

    assert response["Location"] == reverse("portal:order-detail", kwargs={"pk": submitted.pk})


def test_an_end_user_cannot_post_to_the_console_catalogue(access_item, requester):
    response = _browser(requester).post(
        reverse("catalogue:order", kwargs={"pk": access_item.pk}), {"answer-application": "DIPS"}
    )

    assert response.status_code == 404
    assert not CatalogueRequest.objects.exists()


def test_the_emailed_approval_link_still_works_for_a_signed_in_end_user(submitted, line_manager, sent_mail):
    path = link_path(mails_to(sent_mail(), line_manager)[0])
    browser = _browser(line_manager)

    shown = browser.get(path)
    decided = browser.post(path, {"decision": "approve", "comment": "Via e-post"})

    assert shown.status_code == 200
    assert decided.status_code == 200
    assert submitted.approvals.get(approver=line_manager).decision == Decision.APPROVED
    assert mail.outbox  # the link came by e-mail
