"""Writes of the portal itself (tickets are written by incidents/services.py)."""

from __future__ import annotations

from django.utils import timezone

from knowledge.models import Article
from servicedesk.errors import DomainError
from servicedesk.models import User

from .models import Deflection

LANGUAGES = ("nb", "en")


def deflection_record(*, user: User, article: Article, query: str) -> Deflection:
    """The user's fault was solved by an article: a ticket nobody had to log."""
    return Deflection.objects.create(
        user=user, article=article, query=query.strip()[:200], created_at=timezone.now()
    )


def user_set_language(*, user: User, language: str) -> None:
    """Remember the language on the user's profile (served by UserLanguageMiddleware)."""
    if language not in LANGUAGES:
        raise DomainError("Unknown language.", field="language")
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language
