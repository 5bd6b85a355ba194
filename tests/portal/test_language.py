"""Languages: the switch in portal and console headers is saved on the profile; bokmål everywhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from servicedesk.models import User

pytestmark = pytest.mark.django_db


def test_the_language_switch_is_saved_on_the_profile(browser_for, end_user):
    client = browser_for(end_user)

    response = client.post(reverse("portal:language"), {"language": "nb", "next": reverse("portal:tickets")})

    assert response["Location"] == reverse("portal:tickets")
    assert User.objects.get(pk=end_user.pk).preferred_language == "nb"
    page = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="nb">' in page
    assert "Meld feil" in page and "Mine saker" in page and "Driftsstatus" in page


def test_the_switch_refuses_unknown_languages_and_foreign_next_addresses(browser_for, end_user):
    response = browser_for(end_user).post(
        reverse("portal:language"), {"language": "de", "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("portal:home")
    assert User.objects.get(pk=end_user.pk).preferred_language == "en"


def test_the_console_header_has_the_switch_too(browser_for, agent):
    page = browser_for(agent).get(reverse("console:ticket-list")).content.decode()

    assert f'action="{reverse("portal:language")}"' in page


def test_the_language_switch_needs_csrf(end_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(end_user)

    assert client.post(reverse("portal:language"), {"language": "nb"}).status_code == 403


def test_djangos_empty_choice_label_is_in_bokmal():
    from django.db.models.fields import BLANK_CHOICE_LABEL

    with translation.override("nb"):
        assert str(BLANK_CHOICE_LABEL) == "- Velg et alternativ -"
