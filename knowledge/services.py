"""Writes to the knowledge base: one function per change, each atomic."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import services as ticket_services
from incidents.models import Ticket
from servicedesk.errors import DomainError, IllegalTransition, NotAllowed
from servicedesk.models import User

from .models import Article, ArticleFeedback, ArticleStatus, Category, TicketArticle
from .render import plain_text
from .selectors import START, STOP

# Which status may follow which: drafts are published, published articles archived (or taken
# back to draft for a rewrite), archived ones brought back as drafts.
ALLOWED_STATUS: dict[str, frozenset[str]] = {
    ArticleStatus.DRAFT: frozenset({ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED}),
    ArticleStatus.PUBLISHED: frozenset({ArticleStatus.DRAFT, ArticleStatus.ARCHIVED}),
    ArticleStatus.ARCHIVED: frozenset({ArticleStatus.DRAFT}),
}
EDITABLE = ("category", "title", "body", "language", "translation_of", "audience", "owner", "review_date")


def _ensure_agent(actor: User) -> None:
    if not actor.is_agent:
        raise NotAllowed(_("Only service-desk staff may write articles."))


def _plain(body: str) -> str:
    # The highlight markers of the search must not occur in the text itself.
    return plain_text(body).replace(START, "").replace(STOP, "")


def article_create(
    *,
    actor: User,
    category: Category,
    title: str,
    body: str,
    language: str = "nb",
    audience: str = "public",
    owner: User | None = None,
    review_date: date | None = None,
    translation_of: Article | None = None,
    status: str = ArticleStatus.DRAFT,
) -> Article:
    _ensure_agent(actor)
    if not title.strip():
        raise DomainError(_("Give the article a title."), field="title")
    now = timezone.now()
    try:
        with transaction.atomic():
            return Article.objects.create(
                category=category,
                title=title.strip(),
                body=body,
                plain_text=_plain(body),
                language=language,
                audience=audience,
                owner=owner or actor,
                review_date=review_date,
                translation_of=translation_of,
                status=status,
                created_at=now,
                updated_at=now,
                published_at=now if status == ArticleStatus.PUBLISHED else None,
            )
    except IntegrityError:
        raise DomainError(
            _("That article already has a version in this language."), field="language"
        ) from None


def article_update(*, article: Article, actor: User, **values: Any) -> Article:
    _ensure_agent(actor)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be edited: %s") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        for name, value in values.items():
            setattr(article, name, value)
        if "body" in values:
            article.plain_text = _plain(article.body)
        article.updated_at = timezone.now()
        try:
            with transaction.atomic():
                article.save()
        except IntegrityError:
            raise DomainError(
                _("That article already has a version in this language."), field="language"
            ) from None
    return article


def article_set_status(*, article: Article, actor: User, status: str) -> Article:
    """Publish, archive or take back to draft."""
    _ensure_agent(actor)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if status not in ALLOWED_STATUS[article.status]:
            raise IllegalTransition(
                _("An article that is %(current)s cannot become %(target)s.")
                % {"current": ArticleStatus(article.status).label, "target": ArticleStatus(status).label}
            )
        now = timezone.now()
        article.status = status
        article.updated_at = now
        fields = ["status", "updated_at"]
        if status == ArticleStatus.PUBLISHED:
            article.published_at = now
            fields.append("published_at")
        article.save(update_fields=fields)
    return article


def article_viewed(*, article: Article) -> None:
    # One UPDATE with F(): concurrent readers never lose a count.
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def article_feedback(*, article: Article, actor: User, helpful: bool) -> ArticleFeedback:
    """Record "was this helpful?" once per user and article (the unique constraint decides)."""
    try:
        with transaction.atomic():
            feedback = ArticleFeedback.objects.create(
                article=article, user=actor, helpful=helpful, created_at=timezone.now()
            )
            counter = "helpful_yes" if helpful else "helpful_no"
            Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    except IntegrityError:
        raise IllegalTransition(_("You have already told us whether this article helped.")) from None
    return feedback


def article_link_ticket(*, article: Article, ticket: Ticket, actor: User) -> TicketArticle:
    """Link an article to a ticket (agents who may work on the ticket); linking twice is a no-op."""
    _ensure_agent(actor)
    if not ticket_services.can_work_on(actor, ticket):
        raise NotAllowed(_("You may not change tickets of another group."))
    link, _created = TicketArticle.objects.get_or_create(
        ticket=ticket, article=article, defaults={"linked_by": actor, "linked_at": timezone.now()}
    )
    return link


def ticket_resolve_with_article(
    *, ticket: Ticket, actor: User, article: Article, code: str, note: str
) -> Ticket:
    """Resolve the ticket and record, in the same transaction, that this article resolved it
    (for first-line resolution analysis)."""
    with transaction.atomic():
        ticket = ticket_services.ticket_resolve(ticket=ticket, actor=actor, code=code, note=note)
        link = article_link_ticket(article=article, ticket=ticket, actor=actor)
        TicketArticle.objects.filter(pk=link.pk).update(resolved_with=True)
    return ticket
