"""Norwegian full-text search: stemming, ranking, snippets, the GIN index, and who sees what."""

from __future__ import annotations

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.utils import timezone

from knowledge import selectors
from knowledge.models import Article, ArticleStatus, Audience
from tests.factories import UserFactory

from .factories import ArticleFactory, KbCategoryFactory

pytestmark = [pytest.mark.django_db]


def titles(hits: list[selectors.Hit]) -> list[str]:
    return [hit.article.title for hit in hits]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("skriveren", "Skriver på avdelingen skriver ikke ut"),
        ("passordet", "Bytt passord i Windows"),
        ("skrivere", "Skriver på avdelingen skriver ikke ut"),
    ],
)
def test_norwegian_search_finds_inflected_forms(end_user, query, title):
    ArticleFactory(title="Skriver på avdelingen skriver ikke ut", body="Sjekk papir og toner.")
    ArticleFactory(title="Bytt passord i Windows", body="Trykk Ctrl+Alt+Del.")
    ArticleFactory(title="VPN hjemmefra", body="Koble til med Cisco AnyConnect.")

    assert titles(selectors.search(end_user, query)) == [title]


@pytest.mark.postgres
def test_a_title_match_ranks_above_a_body_match(end_user):
    ArticleFactory(title="Hjemmekontor", body="Når du jobber hjemme trenger du VPN for å nå EPJ.")
    ArticleFactory(title="VPN-tilkobling fra hjemmekontor", body="Last ned klienten.")

    assert titles(selectors.search(end_user, "vpn")) == ["VPN-tilkobling fra hjemmekontor", "Hjemmekontor"]


@pytest.mark.postgres
def test_snippets_highlight_hits_and_escape_the_article_text(end_user):
    ArticleFactory(title="Skriver", body="Skriveren <script>alert(1)</script> trenger toner.")

    [hit] = selectors.search(end_user, "toner")

    assert "<mark>toner</mark>" in hit.snippet
    assert "<script>" not in hit.snippet


def test_drafts_archived_and_internal_articles_are_not_found_by_end_users(end_user, agent):
    ArticleFactory(title="Skriver offentlig")
    ArticleFactory(title="Skriver utkast", status=ArticleStatus.DRAFT)
    ArticleFactory(title="Skriver arkivert", status=ArticleStatus.ARCHIVED)
    ArticleFactory(title="Skriver intern", audience=Audience.INTERNAL)

    assert titles(selectors.search(end_user, "skriver")) == ["Skriver offentlig"]
    assert sorted(titles(selectors.search(agent, "skriver"))) == ["Skriver intern", "Skriver offentlig"]


def test_the_sqlite_fallback_finds_words_in_title_or_text_with_title_matches_first(end_user):
    readable = selectors.articles_readable_by(end_user)
    ArticleFactory(title="Hjemmekontor", body="Du trenger VPN.")
    ArticleFactory(title="VPN hjemmefra", body="Last ned klienten.")
    ArticleFactory(title="Skriver", body="Toner.")

    hits = selectors._search_fallback(readable, "vpn", 10)

    assert titles(hits) == ["VPN hjemmefra", "Hjemmekontor"]


# A realistic article: a few paragraphs (~1,500 characters), as the demo's are.
FILLER = (
    "Gjelder alle ansatte i helseforetakene. Les hele veiledningen før du ringer kundesenteret. "
    "Hvis problemet gjelder flere brukere på samme avdeling, meld det som én sak. "
) * 8


@pytest.mark.postgres
def test_search_uses_the_gin_index_on_10000_articles():
    """With a realistic table (10,000 articles of realistic length) and fresh statistics
    (ANALYZE), the planner picks the GIN index for a selective word by itself: no
    enable_seqscan trickery."""
    category = KbCategoryFactory()
    now = timezone.now()
    words = ["skjerm", "mus", "tastatur", "nettverk", "telefon", "e-post", "kalender", "Teams"]
    Article.objects.bulk_create(
        Article(
            category=category,
            title=f"Artikkel {n} om {words[n % len(words)]}",
            body=f"Tekst {n} om {words[(n * 7) % len(words)]}. {FILLER}",
            plain_text=f"Tekst {n} om {words[(n * 7) % len(words)]}. {FILLER}",
            status=ArticleStatus.PUBLISHED,
            created_at=now,
            updated_at=now,
            published_at=now,
        )
        for n in range(10_000)
    )
    ArticleFactory(title="Dikteringsprogrammet starter ikke", category=category)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_article")
    raw = selectors.norwegian_query("dikteringsprogrammet")
    query = SearchQuery(raw, config="simple", search_type="raw")

    plan = (
        selectors.articles_readable_by(None)
        .annotate(vector=selectors._search_vector())
        .filter(vector=query)
        .explain()
    )

    assert "knowledge_article_search_idx" in plan, plan
    assert titles(selectors.search(UserFactory(), "dikteringsprogrammet")) == [
        "Dikteringsprogrammet starter ikke"
    ]
