"""Agents link knowledge articles to a ticket and resolve a ticket with an article in the console
(issue 9: "agents … link articles to tickets, and 'resolved with an article' is recorded")."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services as ticket_services
from incidents.models import EventAction, State
from knowledge.models import ArticleStatus, Audience, TicketArticle

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ticket(agent, end_user):
    return ticket_services.ticket_create(
        actor=agent, caller=end_user, title="Skriveren på post 4 skriver ikke"
    )


def test_the_ticket_page_has_a_knowledge_section_that_lists_the_linked_articles(agent, ticket):
    article = ArticleFactory(title="Skriveren skriver ikke ut")
    TicketArticle.objects.create(ticket=ticket, article=article, linked_by=agent, linked_at=ticket.created_at)
    client = signed_in(agent)

    page = client.get(reverse("console:ticket", args=[ticket.pk])).content.decode()
    links = client.get(reverse("knowledge:ticket-links", args=[ticket.pk])).content.decode()

    assert 'id="knowledge"' in page
    assert reverse("knowledge:ticket-links", args=[ticket.pk]) in page  # loaded with htmx
    assert reverse("knowledge:ticket-articles", args=[ticket.pk]) in page  # works without it
    assert "Skriveren skriver ikke ut" in links


def test_the_page_searches_with_the_ticket_title_and_hides_drafts(agent, ticket):
    ArticleFactory(title="Skriveren skriver ikke ut")
    ArticleFactory(title="Skriveren: intern rutine", audience=Audience.INTERNAL)
    ArticleFactory(title="Skriveren utkast", status=ArticleStatus.DRAFT)

    page = signed_in(agent).get(reverse("knowledge:ticket-articles", args=[ticket.pk])).content.decode()

    assert "Skriveren skriver ikke ut" in page
    assert "Skriveren: intern rutine" in page  # agents see internal articles
    assert "utkast" not in page


def test_an_agent_links_an_article_once(agent, ticket):
    article = ArticleFactory(title="Skriveren skriver ikke ut")
    client = signed_in(agent)
    url = reverse("knowledge:ticket-link", args=[ticket.pk])

    first = client.post(url, {"article": article.pk})
    second = client.post(url, {"article": article.pk})

    assert first.status_code == second.status_code == 302
    assert first["Location"] == reverse("console:ticket", args=[ticket.pk]) + "#knowledge"
    link = TicketArticle.objects.get()
    assert (link.ticket, link.article, link.linked_by, link.resolved_with) == (ticket, article, agent, False)
    ticket.refresh_from_db()
    assert ticket.state != State.RESOLVED


def test_an_agent_resolves_the_ticket_with_an_article(agent, ticket):
    article = ArticleFactory(title="Skriveren skriver ikke ut")

    response = signed_in(agent).post(
        reverse("knowledge:ticket-link", args=[ticket.pk]),
        {
            "article": article.pk,
            "resolve": "on",
            "code": "solved",
            "note": "Fulgte artikkelen sammen med innringer.",
        },
        follow=True,
    )

    assert (
        f"{ticket.number} resolved with the article “Skriveren skriver ikke ut”." in response.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED and ticket.resolution_code == "solved"
    assert TicketArticle.objects.get(ticket=ticket, article=article).resolved_with is True
    assert ticket.events.filter(action=EventAction.RESOLVED).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"resolve": "on", "code": "solved", "note": ""}, "Describe the resolution."),
        ({"resolve": "on", "code": "", "note": "Løst"}, "Choose a resolution code."),
        ({"resolve": "on", "code": "bogus", "note": "Løst"}, "Select a valid choice."),
    ],
)
def test_resolving_without_a_code_or_note_changes_nothing(agent, ticket, data, message):
    article = ArticleFactory()

    response = signed_in(agent).post(
        reverse("knowledge:ticket-link", args=[ticket.pk]), {"article": article.pk, **data}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state != State.RESOLVED
    assert not TicketArticle.objects.exists()


@pytest.mark.parametrize("status", [ArticleStatus.DRAFT, ArticleStatus.ARCHIVED])
def test_a_draft_or_archived_article_cannot_be_linked(agent, ticket, status):
    article = ArticleFactory(status=status)

    response = signed_in(agent).post(
        reverse("knowledge:ticket-link", args=[ticket.pk]), {"article": article.pk}
    )

    assert response.status_code == 400
    assert not TicketArticle.objects.exists()


def test_a_ticket_the_user_may_not_see_is_404_and_unchanged(resolver, end_user, ticket):
    article = ArticleFactory()

    for user in (resolver, end_user):  # another group's resolver; an end user (console POSTs are 404)
        client = signed_in(user)
        assert (
            client.post(
                reverse("knowledge:ticket-link", args=[ticket.pk]), {"article": article.pk}
            ).status_code
            == 404
        )
    assert signed_in(resolver).get(reverse("knowledge:ticket-articles", args=[ticket.pk])).status_code == 404
    assert not TicketArticle.objects.exists()


def test_the_page_takes_the_same_number_of_queries_for_few_and_many_links(agent, ticket):
    client = signed_in(agent)
    url = reverse("knowledge:ticket-articles", args=[ticket.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _ in range(2):
        TicketArticle.objects.create(
            ticket=ticket, article=ArticleFactory(), linked_by=agent, linked_at=ticket.created_at
        )
    few = queries()
    for _ in range(8):
        TicketArticle.objects.create(
            ticket=ticket, article=ArticleFactory(), linked_by=agent, linked_at=ticket.created_at
        )
    assert queries() == few
