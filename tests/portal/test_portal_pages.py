"""The portal for end users: landing, home, report a fault, my tickets, and no console for them."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from incidents import services
from incidents.models import Channel, State, Ticket
from knowledge.models import ArticleStatus, Audience
from portal.models import Deflection
from tests.factories import ServiceFactory, TicketFactory, UserFactory
from tests.knowledge.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_end_user_lands_on_the_portal_after_login(end_user):
    client = Client()
    response = client.post(reverse("login"), {"username": end_user.username, "password": "pw"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert response.status_code == 200


def test_agent_lands_on_the_console_from_the_root(browser_for, agent):
    response = browser_for(agent).get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("console:home")


def test_end_user_opening_a_console_ticket_page_is_sent_to_the_portal_page(
    browser_for, end_user, open_ticket
):
    response = browser_for(end_user).get(reverse("console:ticket", kwargs={"pk": open_ticket.pk}))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", kwargs={"pk": open_ticket.pk})


@pytest.mark.parametrize("name", ["console:ticket-list", "console:queues", "console:ticket-new"])
def test_end_user_never_sees_a_console_page(browser_for, end_user, name):
    response = browser_for(end_user).get(reverse(name), follow=True)

    assert response.request["PATH_INFO"].startswith("/portal/")
    assert b"API docs" not in response.content
    assert b"export.csv" not in response.content


def test_end_user_post_to_the_console_is_404(browser_for, end_user, resolved_ticket):
    url = reverse("console:ticket-transition", kwargs={"pk": resolved_ticket.pk, "transition": "reopen"})

    response = browser_for(end_user).post(url, {"reason": "x"})

    assert response.status_code == 404
    resolved_ticket.refresh_from_db()
    assert resolved_ticket.state == State.RESOLVED


def test_home_shows_search_articles_open_tickets_and_no_agent_fields(browser_for, end_user, open_ticket):
    ArticleFactory(title="Slik bytter du passord", view_count=50)
    ArticleFactory(title="Hemmelig intern rutine", audience=Audience.INTERNAL)
    ArticleFactory(title="Utkast om VPN", status=ArticleStatus.DRAFT)

    page = browser_for(end_user).get(reverse("portal:home")).content.decode()

    assert 'type="search"' in page
    assert "Slik bytter du passord" in page
    assert open_ticket.number in page
    assert "Hemmelig intern rutine" not in page
    assert "Utkast om VPN" not in page
    assert open_ticket.assignment_group.name not in page


def test_report_a_fault_logs_a_portal_ticket_with_files(browser_for, end_user, first_line_group):
    service = ServiceFactory(name="Pasientjournal (EPJ)")
    upload = SimpleUploadedFile("skjermbilde.png", b"\x89PNG fake", content_type="image/png")

    response = browser_for(end_user).post(
        reverse("portal:report"),
        {
            "service": "pasientjournal (epj)",
            "title": "EPJ henger",
            "description": "Ved pålogging",
            "attachments": [upload],
        },
    )

    ticket = Ticket.objects.get(title="EPJ henger")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", kwargs={"pk": ticket.pk})
    assert (ticket.caller, ticket.channel, ticket.service) == (end_user, Channel.PORTAL, service)
    assert [a.filename for a in ticket.attachments.all()] == ["skjermbilde.png"]


def test_report_with_an_unknown_service_is_refused_and_logs_nothing(browser_for, end_user, first_line_group):
    response = browser_for(end_user).post(
        reverse("portal:report"), {"service": "Finnes ikke", "title": "Feil"}
    )

    assert response.status_code == 400
    assert "Choose a service from the list" in response.content.decode()
    assert not Ticket.objects.exists()


def test_report_with_a_forbidden_file_type_logs_nothing(browser_for, end_user, first_line_group):
    upload = SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>", content_type="image/svg+xml")

    response = browser_for(end_user).post(
        reverse("portal:report"), {"title": "Feil", "attachments": [upload]}
    )

    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_suggestions_while_typing_show_published_public_articles_only(browser_for, end_user):
    ArticleFactory(title="Skriveren skriver ikke ut")
    ArticleFactory(title="Skriveren intern feilsøking", audience=Audience.INTERNAL)
    ArticleFactory(title="Skriveren arkivert", status=ArticleStatus.ARCHIVED)

    response = browser_for(end_user).get(
        reverse("portal:suggestions"), {"title": "skriveren"}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert "Skriveren skriver ikke ut" in page
    assert "intern" not in page
    assert "arkivert" not in page
    assert "<html" not in page  # a fragment


def test_this_solved_it_counts_a_deflection_and_logs_no_ticket(browser_for, end_user):
    article = ArticleFactory(title="Skriveren skriver ikke ut")

    response = browser_for(end_user).post(
        reverse("portal:solved"), {"article": article.pk, "title": "skriver"}
    )

    assert response.status_code == 302
    assert Deflection.objects.get().article == article
    assert not Ticket.objects.exists()


def test_this_solved_it_with_a_draft_article_is_404(browser_for, end_user):
    draft = ArticleFactory(status=ArticleStatus.DRAFT)

    response = browser_for(end_user).post(reverse("portal:solved"), {"article": draft.pk})

    assert response.status_code == 404
    assert not Deflection.objects.exists()


def test_my_tickets_lists_open_and_closed_separately(browser_for, end_user, open_ticket, resolved_ticket):
    other = TicketFactory(caller=end_user, title="Gammel sak", state=State.CLOSED)
    client = browser_for(end_user)

    open_page = client.get(reverse("portal:tickets")).content.decode()
    closed_page = client.get(reverse("portal:tickets"), {"show": "closed"}).content.decode()

    assert "Gammel sak" not in open_page
    assert other.number in closed_page
    assert resolved_ticket.number in closed_page


def test_ticket_page_shows_public_comments_and_files_only(browser_for, agent, end_user, open_ticket):
    services.comment_add(ticket=open_ticket, actor=agent, body="Vi ser på det.")
    services.comment_add(ticket=open_ticket, actor=agent, body="Intern: bruker er VIP", internal=True)
    services.attachment_add(
        ticket=open_ticket, actor=agent, upload=SimpleUploadedFile("intern.txt", b"x"), internal=True
    )

    page = browser_for(end_user).get(reverse("portal:ticket", kwargs={"pk": open_ticket.pk})).content.decode()

    assert "Vi ser på det." in page
    assert "Intern: bruker er VIP" not in page
    assert "intern.txt" not in page
    assert "We aim to have this solved by" in page
    # The random CSRF tokens are not what a user reads (one once contained "P4").
    shown = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    for agent_only in (open_ticket.assignment_group.name, "Impact", "Urgency", "P4", "Assignee", "SLA"):
        assert agent_only not in shown


def test_other_users_ticket_is_404(browser_for, other_end_user, open_ticket):
    assert (
        browser_for(other_end_user).get(reverse("portal:ticket", kwargs={"pk": open_ticket.pk})).status_code
        == 404
    )


def test_caller_adds_a_comment_and_a_file(browser_for, end_user, open_ticket):
    client = browser_for(end_user)

    client.post(
        reverse("portal:comment-create", kwargs={"pk": open_ticket.pk}), {"body": "Det gjelder alle PC-er"}
    )
    client.post(
        reverse("portal:attachment-create", kwargs={"pk": open_ticket.pk}),
        {"file": SimpleUploadedFile("logg.txt", b"feil")},
    )

    assert list(open_ticket.comments.values_list("body", flat=True)) == ["Det gjelder alle PC-er"]
    assert list(open_ticket.attachments.values_list("filename", flat=True)) == ["logg.txt"]


def test_it_is_fixed_closes_the_resolved_ticket(browser_for, end_user, resolved_ticket):
    browser_for(end_user).post(reverse("portal:ticket-confirm", kwargs={"pk": resolved_ticket.pk}))

    resolved_ticket.refresh_from_db()
    assert resolved_ticket.state == State.CLOSED
    assert resolved_ticket.events.filter(action="closed", actor=end_user).exists()


def test_reopen_needs_a_reason(browser_for, end_user, resolved_ticket):
    client = browser_for(end_user)
    url = reverse("portal:ticket-reopen", kwargs={"pk": resolved_ticket.pk})

    client.post(url, {"reason": ""})
    resolved_ticket.refresh_from_db()
    assert resolved_ticket.state == State.RESOLVED

    client.post(url, {"reason": "Skriveren stoppet igjen"})
    resolved_ticket.refresh_from_db()
    assert resolved_ticket.state == State.IN_PROGRESS


def test_someone_else_cannot_close_the_ticket(browser_for, resolved_ticket):
    stranger = UserFactory()

    response = browser_for(stranger).post(reverse("portal:ticket-confirm", kwargs={"pk": resolved_ticket.pk}))

    assert response.status_code == 404
    resolved_ticket.refresh_from_db()
    assert resolved_ticket.state == State.RESOLVED


def test_state_changes_need_csrf(end_user, resolved_ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(end_user)

    response = client.post(reverse("portal:ticket-confirm", kwargs={"pk": resolved_ticket.pk}))

    assert response.status_code == 403
    resolved_ticket.refresh_from_db()
    assert resolved_ticket.state == State.RESOLVED


def test_scripts_in_titles_comments_and_file_names_are_shown_as_text(browser_for, end_user, first_line_group):
    client = browser_for(end_user)
    client.post(
        reverse("portal:report"),
        {"title": "<script>alert(1)</script>", "description": "<img src=x onerror=alert(1)>"},
    )
    ticket = Ticket.objects.get()
    client.post(reverse("portal:comment-create", kwargs={"pk": ticket.pk}), {"body": "<svg onload=alert(1)>"})
    client.post(
        reverse("portal:attachment-create", kwargs={"pk": ticket.pk}),
        {"file": SimpleUploadedFile('"><script>x</script>.txt', b"x")},
    )

    page = client.get(reverse("portal:ticket", kwargs={"pk": ticket.pk})).content.decode()

    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<svg onload" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
