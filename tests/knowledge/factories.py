"""Factories for knowledge-base tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from knowledge.models import Article, ArticleStatus, Audience, Category
from knowledge.render import plain_text


class KbCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Kategori {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published public article (rows for a scene; writes under test go through services)."""

    class Meta:
        model = Article

    category = factory.SubFactory(KbCategoryFactory)
    title = factory.Sequence(lambda n: f"Artikkel {n}")
    body = "Slik gjør du det."
    plain_text = factory.LazyAttribute(lambda a: plain_text(a.body))
    status = ArticleStatus.PUBLISHED
    audience = Audience.PUBLIC
    language = "nb"
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")
    published_at = factory.SelfAttribute("created_at")
