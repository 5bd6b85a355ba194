"""Articles in the portal: sanitised Markdown, visibility, views and "was this helpful?"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from knowledge import services
from knowledge.models import Article, ArticleFeedback, ArticleStatus, Audience
from knowledge.render import render_markdown
from servicedesk.errors import IllegalTransition

from .factories import ArticleFactory, KbCategoryFactory

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "[klikk](javascript:alert(1))",
    '<a href="javascript:alert(1)">klikk</a>',
    '<img src="x" onerror="alert(1)">',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<p onclick="alert(1)">tekst</p>',
    '<iframe src="https://evil.example"></iframe>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_is_rendered_without_scripts_handlers_or_svg(payload):
    html = render_markdown(f"# Tittel\n\n{payload}\n\n**fet** [lenke](https://example.org)")

    for bad in ("<script", "javascript:", "onerror", "onload", "onclick", "<svg", "<iframe", "<img"):
        assert bad not in html.lower()
    assert "<strong>fet</strong>" in html
    assert 'href="https://example.org"' in html


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_article_page_shows_rendered_markdown_and_counts_a_view(end_user):
    article = ArticleFactory(body="Trykk **Ctrl+Alt+Del** <script>alert(1)</script>")

    page = client_for(end_user).get(reverse("portal:article", kwargs={"pk": article.pk})).content.decode()

    assert "<strong>Ctrl+Alt+Del</strong>" in page
    assert "<script>alert" not in page
    article.refresh_from_db()
    assert article.view_count == 1


@pytest.mark.parametrize(
    "values",
    [{"status": ArticleStatus.DRAFT}, {"status": ArticleStatus.ARCHIVED}, {"audience": Audience.INTERNAL}],
)
def test_hidden_articles_are_404_for_end_users(end_user, values):
    article = ArticleFactory(**values)

    assert client_for(end_user).get(reverse("portal:article", kwargs={"pk": article.pk})).status_code == 404


def test_internal_articles_are_readable_by_agents(agent):
    article = ArticleFactory(audience=Audience.INTERNAL)

    assert client_for(agent).get(reverse("portal:article", kwargs={"pk": article.pk})).status_code == 200


def test_helpful_is_counted_once_per_user(end_user):
    article = ArticleFactory()
    client = client_for(end_user)
    url = reverse("portal:article-feedback", kwargs={"pk": article.pk})

    client.post(url, {"helpful": "yes"})
    response = client.post(url, {"helpful": "no"}, follow=True)

    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    assert "You have already told us whether this article helped." in response.content.decode()


def test_helpful_needs_post_and_csrf(end_user):
    article = ArticleFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(end_user)
    url = reverse("portal:article-feedback", kwargs={"pk": article.pk})

    assert client.get(url, {"helpful": "yes"}).status_code == 405
    assert client.post(url, {"helpful": "yes"}).status_code == 403
    assert not ArticleFeedback.objects.exists()


def test_article_versions_link_each_other(end_user):
    original = ArticleFactory(title="Bytt passord", language="nb")
    ArticleFactory(title="Change your password", language="en", translation_of=original)

    page = client_for(end_user).get(reverse("portal:article", kwargs={"pk": original.pk})).content.decode()

    assert 'lang="en"' in page and "Change your password" in page


def test_status_changes_follow_the_allowed_transitions(agent):
    article = services.article_create(actor=agent, category=KbCategoryFactory(), title="Ny", body="Tekst")

    services.article_set_status(article=article, actor=agent, status=ArticleStatus.PUBLISHED)
    services.article_set_status(article=article, actor=agent, status=ArticleStatus.ARCHIVED)
    with pytest.raises(IllegalTransition):
        services.article_set_status(article=article, actor=agent, status=ArticleStatus.PUBLISHED)


def test_an_article_saved_in_the_admin_gets_its_search_text(db):
    from servicedesk.models import User

    admin_user = User.objects.create_superuser("root", "root@example.org", "pw")
    client = Client()
    client.force_login(admin_user)
    category = KbCategoryFactory()

    response = client.post(
        reverse("admin:knowledge_article_add"),
        {
            "category": category.pk,
            "title": "Skanner",
            "body": "Trykk **Skann**",
            "language": "nb",
            "audience": "public",
        },
    )

    assert response.status_code == 302
    article = Article.objects.get(title="Skanner")
    assert (article.plain_text, article.status, article.owner) == (
        "Trykk Skann",
        ArticleStatus.DRAFT,
        admin_user,
    )
