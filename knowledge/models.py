"""Knowledge base: categories, articles (Markdown, per language), feedback and ticket links.

The full-text search vector is a stored generated column on PostgreSQL only (migration 0002),
not a model field: SQLite (the demo) has no tsvector, and the search there falls back to
icontains (knowledge/search.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    INTERNAL = "internal", _("IT staff only")


LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]


class Category(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=200)
    # Markdown as written; shown only after rendering and sanitising (knowledge/render.py).
    body = models.TextField(_("text"), help_text=_("Markdown."))
    # The body as plain text (rendered, all tags removed): what search and snippets read.
    plain_text = models.TextField(_("plain text"), blank=True, editable=False)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGES, default="nb")
    # The same article in another language points at its original.
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    review_date = models.DateField(_("review by"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_yes = models.PositiveIntegerField(_("helpful"), default=0)
    helpful_no = models.PositiveIntegerField(_("not helpful"), default=0)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The portal's "top" and "recent" lists read published public articles only.
            models.Index(fields=["status", "audience", "-view_count"], name="article_top_idx"),
            models.Index(fields=["status", "audience", "-published_at"], name="article_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_of", "language"], name="article_one_translation_per_language"
            ),
        ]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title


class ArticleFeedback(models.Model):
    """One "was this helpful?" answer per user and article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("created"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="article_feedback_once_per_user"),
        ]
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")

    def __str__(self) -> str:
        return f"{self.article_id}: {self.helpful}"


class TicketArticle(models.Model):
    """An article an agent linked to a ticket; `resolved_with` when the ticket was resolved by it."""

    ticket = models.ForeignKey("incidents.Ticket", on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="ticket_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    resolved_with = models.BooleanField(_("resolved with this article"), default=False)
    linked_at = models.DateTimeField(_("linked"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "article"], name="ticket_article_once"),
        ]
        verbose_name = _("article link")
        verbose_name_plural = _("article links")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.article_id}"
