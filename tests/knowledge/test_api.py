"""/api/kb/articles/: everyone reads what they may, agents write and link articles to tickets."""

from __future__ import annotations

import pytest

from incidents import services as ticket_services
from knowledge.models import Article, ArticleStatus, Audience, TicketArticle

from .factories import ArticleFactory, KbCategoryFactory

pytestmark = pytest.mark.django_db
URL = "/api/kb/articles/"


def test_end_user_lists_published_public_articles_only(api_for, end_user):
    public = ArticleFactory(title="Offentlig")
    ArticleFactory(status=ArticleStatus.DRAFT)
    ArticleFactory(audience=Audience.INTERNAL)

    response = api_for(end_user).get(URL)

    assert [row["id"] for row in response.json()["results"]] == [public.pk]


def test_end_user_gets_404_for_a_draft(api_for, end_user):
    draft = ArticleFactory(status=ArticleStatus.DRAFT)

    assert api_for(end_user).get(f"{URL}{draft.pk}/").status_code == 404


def test_end_user_may_not_write(api_for, end_user):
    category = KbCategoryFactory()

    response = api_for(end_user).post(URL, {"category": category.pk, "title": "x", "body": "y"})

    assert response.status_code == 403
    assert not Article.objects.exists()


def test_agent_writes_a_draft_and_publishes_it(api_for, agent):
    category = KbCategoryFactory()
    client = api_for(agent)

    created = client.post(URL, {"category": category.pk, "title": "Ny skriver", "body": "**Slik**"})
    published = client.post(f"{URL}{created.json()['id']}/status/", {"status": "published"})

    assert created.status_code == 201
    assert created.json()["status"] == "draft"
    assert published.json()["status"] == "published"
    assert published.json()["body_html"] == "<p><strong>Slik</strong></p>"


def test_bad_input_is_400_with_field_messages(api_for, agent):
    response = api_for(agent).post(URL, {"category": 999, "title": "", "body": "x", "language": "de"})

    assert response.status_code == 400
    assert {"category", "title", "language"} <= set(response.json())


def test_agent_resolves_a_ticket_with_an_article(api_for, agent, end_user):
    article = ArticleFactory()
    ticket = ticket_services.ticket_create(actor=agent, caller=end_user, title="Passord")

    response = api_for(agent).post(
        f"{URL}{article.pk}/link/", {"ticket": ticket.pk, "resolve": True, "resolution_code": "solved"}
    )

    assert response.json() == {"ticket": ticket.pk, "article": article.pk, "resolved_with": True}
    ticket.refresh_from_db()
    assert ticket.state == "resolved"
    assert TicketArticle.objects.get().resolved_with is True


def test_search_through_the_api(api_for, end_user):
    ArticleFactory(title="VPN hjemmefra")
    ArticleFactory(title="Skriver")

    response = api_for(end_user).get(URL, {"q": "vpn"})

    assert [row["title"] for row in response.json()["results"]] == ["VPN hjemmefra"]
