"""Beside the log-a-call form: the caller's tickets (add the call as a note), possible duplicates,
the live priority, categories of the chosen service and the templates of common calls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, ContactQueue
from incidents import services
from incidents.forms import active_categories
from incidents.models import CallTemplate, Comment, PriorityRule, State, Ticket
from tests.factories import (
    AssignmentGroupFactory,
    CategoryFactory,
    ServiceFactory,
    TicketFactory,
    UserFactory,
)

from .helpers import flashed

pytestmark = pytest.mark.django_db

NEW_URL = reverse("console:ticket-new")
CALLER_TICKETS_URL = reverse("console:call-caller-tickets")
NOTE_URL = reverse("console:call-note")
PRIORITY_URL = reverse("console:call-priority")
DUPLICATES_URL = reverse("console:call-duplicates")
CATEGORIES_URL = reverse("console:call-categories")


def call_data(caller_id: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "caller": caller_id,
        "kind": "incident",
        "channel": "phone",
        "impact": 3,
        "urgency": 3,
        "title": "Printer still does not print",
        "description": "Called again: the ward printer is still offline.",
        "outcome": "keep",
    }
    data.update(overrides)
    return data


# --- 1. the caller's open and recent tickets ---------------------------------------------------


def test_page_with_a_chosen_caller_shows_their_open_tickets_with_an_add_note_button(
    console_for, agent, end_user
):
    open_ticket = TicketFactory(caller=end_user, title="Ward printer is offline")
    TicketFactory(caller=UserFactory(), title="Someone else's printer")

    page = console_for(agent).get(NEW_URL, {"caller": end_user.pk}).content.decode()

    assert "Ward printer is offline" in page
    assert "Someone else&#x27;s printer" not in page and "Someone else's printer" not in page
    assert f'name="note_to" value="{open_ticket.pk}"' in page


def test_caller_panel_lists_open_tickets_first_and_leaves_out_old_closed_ones(console_for, agent, end_user):
    long_ago = timezone.now() - timedelta(days=60)
    TicketFactory(caller=end_user, title="Old closed one", state=State.CLOSED, created_at=long_ago)
    TicketFactory(
        caller=end_user,
        title="Resolved yesterday",
        state=State.RESOLVED,
        created_at=timezone.now() - timedelta(days=1),
        resolved_at=timezone.now(),
    )
    TicketFactory(caller=end_user, title="Open for a month", created_at=long_ago)

    page = console_for(agent).get(CALLER_TICKETS_URL, {"caller": end_user.pk}).content.decode()

    assert "Old closed one" not in page
    assert page.index("Open for a month") < page.index("Resolved yesterday")


def test_caller_panel_runs_as_many_queries_for_20_tickets_as_for_2(console_for, agent, end_user):
    client = console_for(agent)

    def queries() -> int:
        client.get(CALLER_TICKETS_URL, {"caller": end_user.pk})  # warm-up
        with CaptureQueriesContext(connection) as captured:
            response = client.get(CALLER_TICKETS_URL, {"caller": end_user.pk})
        assert response.status_code == 200
        return len(captured)

    # Each row with its own service, group and assignee: a query per row would show.
    def add(count: int) -> None:
        for _ in range(count):
            TicketFactory(caller=end_user, service=ServiceFactory(), assignee=UserFactory())

    add(2)
    with_2 = queries()
    add(18)
    with_20 = queries()

    assert with_2 == with_20


def test_log_a_call_page_with_a_caller_runs_as_many_queries_for_20_tickets_as_for_2(
    console_for, agent, end_user
):
    client = console_for(agent)
    url = f"{NEW_URL}?caller={end_user.pk}"

    def queries() -> int:
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    for _ in range(2):
        TicketFactory(caller=end_user, service=ServiceFactory(), assignee=UserFactory())
    with_2 = queries()
    for _ in range(18):
        TicketFactory(caller=end_user, service=ServiceFactory(), assignee=UserFactory())
    with_20 = queries()

    assert with_2 == with_20


def test_adding_the_call_as_a_note_comments_on_the_ticket_and_returns_to_an_empty_form(
    console_for, agent, end_user
):
    ticket = TicketFactory(caller=end_user)

    response = console_for(agent).post(NOTE_URL, call_data(end_user.pk, note_to=ticket.pk), follow=True)

    comment = Comment.objects.get(ticket=ticket)
    assert comment.author == agent
    assert "Printer still does not print" in comment.body
    assert "the ward printer is still offline" in comment.body
    assert Ticket.objects.count() == 1  # no duplicate logged
    assert response.redirect_chain[-1][0] == NEW_URL
    assert f"The call was added as a note to {ticket.number}." in flashed(response)


def test_the_calls_contact_is_linked_to_the_ticket_it_was_added_to(
    console_for, agent, end_user, first_line_group
):
    ticket = TicketFactory(caller=end_user)
    queue = ContactQueue.objects.create(code="main", name="Main number", group=first_line_group)
    contact = Contact.objects.create(external_id="call-7", queue=queue, offered_at=timezone.now())

    console_for(agent).post(NOTE_URL, call_data(end_user.pk, note_to=ticket.pk, contact="call-7"))

    assert list(contact.tickets.all()) == [ticket]


def test_a_note_on_a_ticket_the_agent_may_not_see_is_a_404_and_writes_nothing(
    console_for, resolver, end_user
):
    elsewhere = TicketFactory(caller=end_user, assignment_group=AssignmentGroupFactory())

    response = console_for(resolver).post(NOTE_URL, call_data(end_user.pk, note_to=elsewhere.pk))

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_an_empty_note_is_refused_with_the_form_kept(console_for, agent, end_user):
    ticket = TicketFactory(caller=end_user)

    response = console_for(agent).post(
        NOTE_URL, call_data(end_user.pk, note_to=ticket.pk, title=" ", description="", service="")
    )

    assert response.status_code == 400
    assert "Write what the caller says" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_closed_ticket_offers_no_note_and_refuses_one(console_for, agent, end_user):
    ticket = services.ticket_create(actor=agent, caller=end_user, title="Closed printer case")
    Ticket.objects.filter(pk=ticket.pk).update(state=State.CLOSED, closed_at=timezone.now())

    page = console_for(agent).get(CALLER_TICKETS_URL, {"caller": end_user.pk}).content.decode()
    response = console_for(agent).post(NOTE_URL, call_data(end_user.pk, note_to=ticket.pk))

    assert "Closed printer case" in page
    assert f'value="{ticket.pk}"' not in page
    assert response.status_code == 400
    assert not Comment.objects.exists()


# --- 3. the priority the impact × urgency matrix gives ---------------------------------------


def test_page_shows_the_priority_of_the_default_impact_and_urgency(console_for, agent):
    page = console_for(agent).get(NEW_URL).content.decode()

    assert "Priority (from impact and urgency)" in page
    assert "P4 – Low" in page  # 3 × 3 in the seeded matrix


def test_live_priority_follows_the_matrix_as_edited(console_for, agent):
    PriorityRule.objects.filter(impact=1, urgency=2).update(priority=1)

    fragment = console_for(agent).get(PRIORITY_URL, {"impact": 1, "urgency": 2}).content.decode()

    assert "P1 – Critical" in fragment


def test_live_priority_of_bad_input_is_a_dash(console_for, agent):
    fragment = console_for(agent).get(PRIORITY_URL, {"impact": "x", "urgency": 9}).content.decode()

    assert "—" in fragment
    assert "P" not in fragment.split("<strong")[1]


def test_re_shown_form_shows_the_priority_of_what_was_chosen(console_for, agent, end_user):
    response = console_for(agent).post(NEW_URL, call_data(end_user.pk, impact=1, urgency=1, title=""))

    assert response.status_code == 400
    assert "P1 – Critical" in response.content.decode()


# --- 2. possible duplicates ------------------------------------------------------------------


def test_possible_duplicates_are_recent_tickets_of_the_same_service_with_a_similar_title(console_for, agent):
    printing, other = ServiceFactory(name="Utskrift"), ServiceFactory(name="E-post")
    now = timezone.now()
    TicketFactory(
        service=printing, title="Skriveren på post 4 skriver ikke ut", created_at=now - timedelta(hours=1)
    )
    TicketFactory(
        service=printing,
        title="Skriveren på post 4 skriver ikke ut (i går)",
        created_at=now - timedelta(hours=20),
    )
    TicketFactory(service=other, title="Skriveren på post 4 skriver ikke ut (annen tjeneste)")
    TicketFactory(service=printing, title="Bestille ny toner")

    fragment = (
        console_for(agent)
        .get(DUPLICATES_URL, {"service": printing.pk, "title": "skriveren skriver ikke ut på post 4"})
        .content.decode()
    )

    assert "Possible duplicates" in fragment
    assert "Skriveren på post 4 skriver ikke ut<" in fragment.replace("\n", "<")
    assert "(i går)" not in fragment
    assert "annen tjeneste" not in fragment
    assert "toner" not in fragment
    assert 'name="note_to"' in fragment


def test_duplicates_need_a_service_and_say_so(console_for, agent):
    TicketFactory(service=ServiceFactory(), title="VPN kobler ikke opp")

    fragment = (
        console_for(agent)
        .get(DUPLICATES_URL, {"service": "", "title": "VPN kobler ikke opp"})
        .content.decode()
    )

    assert "Choose the service to see possible duplicates." in fragment
    assert "VPN kobler" not in fragment


def test_duplicates_leave_out_tickets_the_agent_may_not_see(console_for, resolver, second_line_group):
    vpn = ServiceFactory(name="VPN")
    TicketFactory(service=vpn, title="VPN kobler ikke opp hjemmefra", assignment_group=second_line_group)
    TicketFactory(
        service=vpn, title="VPN kobler ikke opp fra hytta", assignment_group=AssignmentGroupFactory()
    )

    fragment = console_for(resolver).get(DUPLICATES_URL, {"service": vpn.pk, "title": "VPN kobler ikke opp"})

    assert "hjemmefra" in fragment.content.decode()
    assert "hytta" not in fragment.content.decode()


# --- 4. categories of the chosen service ------------------------------------------------------


@pytest.fixture
def vpn_and_printing() -> dict[str, Any]:
    vpn, printing = ServiceFactory(name="Fjerntilgang (VPN)"), ServiceFactory(name="Utskrift")
    network = CategoryFactory(name="Nettverk")
    network.services.add(vpn)
    printer = CategoryFactory(name="Skriver")
    printer.services.add(printing)
    other = CategoryFactory(name="Annet")  # linked to no service: offered for every one
    return {"vpn": vpn, "printing": printing, "network": network, "printer": printer, "other": other}


def test_category_field_offers_only_the_chosen_services_categories(console_for, agent, vpn_and_printing):
    scene = vpn_and_printing

    fragment = console_for(agent).get(CATEGORIES_URL, {"service": scene["vpn"].pk}).content.decode()

    assert f'value="{scene["network"].pk}"' in fragment
    assert f'value="{scene["other"].pk}"' in fragment
    assert f'value="{scene["printer"].pk}"' not in fragment


def test_without_a_service_every_category_is_offered(console_for, agent, vpn_and_printing):
    page = console_for(agent).get(NEW_URL).content.decode()

    for name in ("network", "printer", "other"):
        assert f'value="{vpn_and_printing[name].pk}"' in page


def test_a_category_not_of_the_service_is_a_form_error_and_nothing_is_logged(
    console_for, agent, end_user, vpn_and_printing
):
    scene = vpn_and_printing

    response = console_for(agent).post(
        NEW_URL, call_data(end_user.pk, service=scene["vpn"].pk, category=scene["printer"].pk)
    )

    assert response.status_code == 400
    assert "Choose one of the categories of the chosen service." in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_category_of_the_service_is_logged(console_for, agent, end_user, vpn_and_printing):
    scene = vpn_and_printing

    response = console_for(agent).post(
        NEW_URL, call_data(end_user.pk, service=scene["vpn"].pk, category=scene["network"].pk)
    )

    assert response.status_code == 302
    assert Ticket.objects.get().category == scene["network"]


# --- 5. common calls (templates) -------------------------------------------------------------


@pytest.fixture
def printer_template(vpn_and_printing: dict[str, Any]) -> CallTemplate:
    return CallTemplate.objects.create(
        name="Skriver",
        title="Skriveren skriver ikke ut",
        description="Avdeling og rom: ",
        kind="incident",
        service=vpn_and_printing["printing"],
        category=vpn_and_printing["printer"],
        impact=2,
        urgency=1,
    )


def test_page_lists_the_common_calls_as_links_that_keep_the_caller(
    console_for, agent, end_user, printer_template
):
    page = console_for(agent).get(NEW_URL, {"caller": end_user.pk}).content.decode()

    assert "Common calls" in page
    assert f"?caller={end_user.pk}&amp;template={printer_template.pk}" in page


def test_a_template_link_fills_the_form_without_javascript(console_for, agent, printer_template):
    response = console_for(agent).get(NEW_URL, {"template": printer_template.pk})

    form = response.context["form"]
    assert form["title"].value() == "Skriveren skriver ikke ut"
    assert form["service"].value() == printer_template.service_id
    assert form["category"].value() == printer_template.category_id
    assert "P2 – High" in response.content.decode()  # impact 2 × urgency 1
    # The category list is already narrowed to the template's service.
    assert {category.name for category in form.fields["category"].queryset} == {"Skriver", "Annet"}


def test_the_demo_seeds_ten_common_calls_whose_categories_fit_their_services(db):
    from incidents.demo import seed_call_options
    from servicedesk.demo import seed_organisation

    seed_call_options(seed_organisation(users=0, seed=1, log=lambda line: None))

    templates = list(CallTemplate.objects.select_related("service", "category"))
    assert len(templates) == 10
    for template in templates:
        assert template.service is not None and template.category is not None, template.name
        assert template.category in active_categories(template.service), template.name


def test_the_demos_catch_all_category_is_offered_for_every_service(db):
    from incidents.demo import seed_call_options
    from servicedesk.demo import OTHER_CATEGORY, seed_organisation

    organisation = seed_organisation(users=0, seed=1, log=lambda line: None)
    seed_call_options(organisation)

    for service in organisation.services.values():
        assert OTHER_CATEGORY in {category.name for category in active_categories(service)}, service.name
