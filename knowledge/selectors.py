"""Reads of the knowledge base, scoped to what the user may see, and the search.

End users (and anonymous visitors of a suggestion) see published public articles only; agents
also see internal ones and, to write and review, drafts and archived articles through the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from incidents.models import Ticket
from servicedesk.models import User

from .models import Article, ArticleStatus, Audience, TicketArticle

SEARCH_CONFIG = "norwegian"
# Highlight markers that ts_headline puts around hits; replaced by <mark> after escaping.
START, STOP = "\u27e6", "\u27e7"


def articles_readable_by(user: User | None) -> QuerySet[Article]:
    """Articles the user may read in the portal: published; internal ones for IT staff only."""
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    if user is None or not user.is_authenticated or not user.is_agent:
        articles = articles.filter(audience=Audience.PUBLIC)
    return articles


def ticket_links(ticket: Ticket) -> QuerySet[TicketArticle]:
    """The articles agents linked to the ticket, the one it was resolved with first."""
    return (
        TicketArticle.objects.filter(ticket=ticket)
        .select_related("article", "linked_by")
        .order_by("-resolved_with", "-linked_at", "-id")
    )


def articles_for_api(user: User) -> QuerySet[Article]:
    """What the API lists: agents every article (they write and review), others what they may read."""
    if not user.is_authenticated:
        return Article.objects.none()
    if user.is_agent:
        return Article.objects.all()
    return articles_readable_by(user)


def article_get_for_user(user: User | None, pk: object) -> Article:
    try:
        pk_int = int(str(pk))
    except ValueError:
        raise Http404 from None
    article = articles_readable_by(user).select_related("category", "owner").filter(pk=pk_int).first()
    if article is None:
        raise Http404
    return article


def article_versions(user: User | None, article: Article) -> list[Article]:
    """The article's other language versions the user may read."""
    original = article.translation_of_id or article.pk
    return list(
        articles_readable_by(user)
        .filter(Q(pk=original) | Q(translation_of=original))
        .exclude(pk=article.pk)
        .only("id", "title", "language")
    )


def top_articles(user: User | None, limit: int = 5) -> list[Article]:
    return list(articles_readable_by(user).order_by("-view_count", "-id")[:limit])


def recent_articles(user: User | None, limit: int = 5) -> list[Article]:
    return list(articles_readable_by(user).order_by("-published_at", "-id")[:limit])


@dataclass(frozen=True)
class Hit:
    article: Article
    snippet: SafeString


def _search_vector() -> RawSQL:
    # The generated column of migration 0002 (PostgreSQL only), read as a tsvector.
    return RawSQL('"knowledge_article"."search_vector"', [], output_field=SearchVectorField())


def search(user: User | None, text: str, *, limit: int = 20, match_all: bool = True) -> list[Hit]:
    """Articles matching the words, best first, with highlighted snippets.

    PostgreSQL: full-text search in the Norwegian configuration (stems, so "skriveren" finds
    "skriver"), ranked with the title weighted above the body, on the GIN-indexed generated
    column. SQLite (the demo): every word must occur in the title or text; title matches first.
    `match_all=False` (suggestions while a title is typed) finds articles with any of the words,
    those with more of them ranked higher.
    """
    text = text.strip()[:200]
    if not text:
        return []
    readable = articles_readable_by(user).select_related("category")
    if connection.vendor == "postgresql":
        return _search_postgres(readable, text, limit, match_all)
    return _search_fallback(readable, text, limit, match_all)


# Prefix matching only on stems this long: "mus:*" would also find "muskel".
MIN_PREFIX = 4


def norwegian_query(text: str, *, match_all: bool = True) -> str | None:
    """A tsquery (in to_tsquery syntax, already stemmed) for the words of the text, or None.

    The Snowball stemmer of the 'norwegian' configuration cuts nouns and verbs alike: "skriver"
    becomes 'skriv' but "skriveren" becomes 'skriver', so the two would never meet. Each word is
    therefore stemmed twice and the shorter stem matched as a prefix ('skriv:*' finds 'skriv'
    and 'skriver'), ORed with the plain stem; all words must match. Only letters and digits reach
    the query, so user input cannot inject tsquery syntax. Stopwords drop out.
    """
    words = re.findall(r"\w+", text.lower())[:8]
    if not words:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w, (ts_lexize('norwegian_stem', w))[1], "
            "(ts_lexize('norwegian_stem', (ts_lexize('norwegian_stem', w))[1]))[1] "
            "FROM unnest(%s::text[]) AS w",
            [words],
        )
        rows = cursor.fetchall()
    terms = []
    for _word, stem, stem_of_stem in rows:
        if not stem:
            continue  # a stopword
        shorter = stem_of_stem or stem
        options = [stem]
        options.append(f"{shorter}:*" if len(shorter) >= MIN_PREFIX else shorter)
        terms.append("(" + " | ".join(dict.fromkeys(options)) + ")")
    return (" & " if match_all else " | ").join(terms) or None


def _search_postgres(readable: QuerySet[Article], text: str, limit: int, match_all: bool) -> list[Hit]:
    from django.contrib.postgres.search import SearchHeadline

    raw = norwegian_query(text, match_all=match_all)
    if raw is None:
        return []
    # 'simple': the lexemes are stemmed already and must be taken as they are.
    query = SearchQuery(raw, config="simple", search_type="raw")
    rows = (
        readable.annotate(vector=_search_vector())
        .filter(vector=query)
        .annotate(
            rank=SearchRank(F("vector"), query),
            headline=SearchHeadline(
                "plain_text",
                query,
                config=SEARCH_CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
            ),
        )
        .order_by("-rank", "-view_count", "id")[:limit]
    )
    return [Hit(article, highlight(article.headline)) for article in rows]  # type: ignore[attr-defined]


def _search_fallback(readable: QuerySet[Article], text: str, limit: int, match_all: bool = True) -> list[Hit]:
    words = text.split()[:8]
    matches = Q()
    title_hits = Q()
    for word in words:
        found = Q(title__icontains=word) | Q(plain_text__icontains=word)
        matches = (matches & found) if match_all else (matches | found)
        title_hits |= Q(title__icontains=word)
    rows = (
        readable.filter(matches)
        .annotate(
            in_title=Case(When(title_hits, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by("-in_title", "-view_count", "id")[:limit]
    )
    return [Hit(article, escape(article.plain_text[:200])) for article in rows]


def highlight(headline: str) -> SafeString:
    """Escape the snippet (article text is untrusted), then turn the markers into <mark>."""
    escaped = escape(headline)
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308 -- escaped above
