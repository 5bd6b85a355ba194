"""Done when: the same access request goes from submitted to fulfilled through the portal (the
requester and the approvers, end users) and the console (the resolver)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.models import CatalogueRequest, RequestState
from incidents.models import State, Ticket

from .helpers import START, mails_to

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_access_request_with_two_approvals_goes_from_submitted_to_fulfilled_in_portal_and_console(
    access_item, requester, line_manager, service_owner, access_group, access_resolver, sent_mail
):
    # Given the requester finds the item in the catalogue and fills in its form
    nurse = _browser(requester)
    page = nurse.get(reverse("portal:order"))
    assert "Tilgang til et program" in page.content.decode()
    order_url = reverse("portal:order-item", kwargs={"pk": access_item.pk})
    form_page = nurse.get(order_url).content.decode()
    assert "Startdato (required)" in form_page and "Sluttdato</label>" in form_page
    assert "La feltet stå tomt for varig tilgang." in form_page
    response = nurse.post(
        order_url,
        {
            "answer-application": "Sectra PACS",
            "answer-role_needs": "Radiographer, view images",
            "answer-start_date": START,
            "answer-end_date": "",
        },
    )
    order = CatalogueRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:order-detail", kwargs={"pk": order.pk})
    assert order.answers == {
        "application": "Sectra PACS",
        "role_needs": "Radiographer, view images",
        "start_date": START,
    }
    assert Ticket.objects.get(pk=order.pk).channel == "portal"

    # When the line manager and then the service owner approve on their approvals pages
    for approver in (line_manager, service_owner):
        browser = _browser(approver)
        approvals_page = browser.get(reverse("portal:approvals")).content.decode()
        assert order.ticket.number in approvals_page
        approval = order.approvals.get(approver=approver)
        response = browser.post(
            reverse("portal:approval-decide", kwargs={"pk": approval.pk, "decision": "approve"}),
            {"comment": "Fine by me"},
            follow=True,
        )
        assert f"You approved {order.ticket.number}." in response.content.decode()

    # then the task waits in the access group's queue; the resolver claims it and resolves it
    order.refresh_from_db()
    assert order.state == RequestState.FULFILLING
    resolver = _browser(access_resolver)
    response = resolver.post(reverse("console:queue-claim-next", kwargs={"pk": access_group.pk}))
    task = Ticket.objects.get(parent=order.ticket)
    assert response["Location"] == reverse("console:ticket", kwargs={"pk": task.pk})
    resolver.post(
        reverse("console:ticket-transition", kwargs={"pk": task.pk, "transition": "resolve"}),
        {"code": "fulfilled", "note": "Access granted in Sectra PACS"},
    )

    # and the order is fulfilled, shown so to the requester, who got one "resolved" e-mail
    order.refresh_from_db()
    assert order.state == RequestState.FULFILLED
    assert order.ticket.state == State.RESOLVED
    page = nurse.get(reverse("portal:order-detail", kwargs={"pk": order.pk})).content.decode()
    assert "Fulfilled" in page and "Sectra PACS" in page
    assert "Fine by me" in page
    assert access_group.name not in page  # the fulfilment work is IT's, not shown
    mine = nurse.get(reverse("portal:orders")).content.decode()
    assert order.ticket.number in mine
    resolved = [m for m in mails_to(sent_mail(), requester) if "resolved" in m.subject]
    assert len(resolved) == 1


def test_the_approver_reads_the_answers_beside_the_decision(submitted, line_manager):
    browser = _browser(line_manager)
    url = reverse("portal:approvals")

    page = browser.get(url).content.decode()

    assert f"Approve {submitted.ticket.number}" in page
    assert "Nurse on ward 3" in page


def test_the_next_approver_sees_no_decision_buttons_before_their_turn(submitted, service_owner):
    page = (
        _browser(service_owner)
        .get(reverse("portal:approvals"))
        .content.decode()
    )

    assert f"Approve {submitted.ticket.number}" not in page
    assert "Nothing is waiting for your approval." in page



@pytest.mark.django_db
def test_the_ticket_page_of_an_order_links_to_the_order(client, agent):
    from tests.factories import TicketFactory

    from .factories import CatalogueItemFactory

    item = CatalogueItemFactory(name="Tilgang til et program")
    ticket = TicketFactory(kind="request")
    CatalogueRequest.objects.create(ticket=ticket, item=item, state=RequestState.AWAITING_APPROVAL)
    client.force_login(agent)

    page = client.get(f"/console/tickets/{ticket.pk}/").content.decode()

    assert f'href="/console/catalogue/orders/{ticket.pk}/"' in page
    assert "Tilgang til et program" in page
