"""The agent's log-a-call page suggests articles beside the form, from the same search."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from knowledge.models import ArticleStatus, Audience

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db
URL = reverse("knowledge:suggestions")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_log_a_call_asks_for_suggestions_while_the_title_is_typed(agent):
    page = signed_in(agent).get(reverse("console:ticket-new")).content.decode()

    assert f'hx-get="{URL}"' in page
    assert 'id="kb-suggestions"' in page


def test_agents_get_public_and_internal_articles_but_no_drafts(agent):
    ArticleFactory(title="Skriveren skriver ikke ut")
    ArticleFactory(title="Skriveren: intern rutine", audience=Audience.INTERNAL)
    ArticleFactory(title="Skriveren utkast", status=ArticleStatus.DRAFT)

    page = signed_in(agent).get(URL, {"title": "skriveren på post 4"}).content.decode()

    assert "Skriveren skriver ikke ut" in page
    assert "Skriveren: intern rutine" in page
    assert "utkast" not in page


def test_end_users_do_not_get_the_agents_suggestions(end_user):
    ArticleFactory(title="Skriveren: intern rutine", audience=Audience.INTERNAL)

    response = signed_in(end_user).get(URL, {"title": "skriveren"})

    assert response.status_code == 302
    assert response["Location"].startswith("/portal/")
