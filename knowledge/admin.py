"""Admin for the knowledge base: categories, and articles written through the services.

Saving an article goes through knowledge.services (which keeps the plain text that search reads);
status changes are the admin actions, which check the allowed transitions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicedesk.errors import DomainError
from servicedesk.models import User

from . import services
from .models import Article, ArticleStatus, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "description"]
    search_fields = ["name"]


def _set_status(status: str) -> Any:
    def action(modeladmin: ArticleAdmin, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        assert isinstance(request.user, User)  # noqa: S101 -- the admin is behind login
        for article in queryset:
            try:
                services.article_set_status(article=article, actor=request.user, status=status)
            except DomainError as error:
                modeladmin.message_user(request, f"{article}: {error.message}", messages.ERROR)

    action.__name__ = f"set_{status}"
    return action


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "title", "category", "language", "status", "audience", "owner", "review_date", "view_count",
    ]  # fmt: skip
    list_filter = ["status", "audience", "language", "category"]
    search_fields = ["title"]
    date_hierarchy = "updated_at"
    readonly_fields = [
        "status", "view_count", "helpful_yes", "helpful_no", "created_at", "updated_at", "published_at",
    ]  # fmt: skip
    fields = [
        "category", "title", "body", "language", "translation_of", "audience", "owner", "review_date",
        *readonly_fields,
    ]  # fmt: skip
    raw_id_fields = ["owner", "translation_of"]
    actions = [
        admin.action(description=_("Publish"))(_set_status(ArticleStatus.PUBLISHED)),
        admin.action(description=_("Archive"))(_set_status(ArticleStatus.ARCHIVED)),
        admin.action(description=_("Back to draft"))(_set_status(ArticleStatus.DRAFT)),
    ]

    def save_model(self, request: HttpRequest, obj: Article, form: ModelForm, change: bool) -> None:
        assert isinstance(request.user, User)  # noqa: S101 -- the admin is behind login
        values = {name: form.cleaned_data[name] for name in services.EDITABLE if name in form.cleaned_data}
        if change:
            saved = services.article_update(article=obj, actor=request.user, **values)
        else:
            saved = services.article_create(actor=request.user, **values)
        obj.pk = saved.pk
