"""The catalogue's sub-menu is laid out like the other console sub-menus, not as a bulleted list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from servicedesk.models import User

pytestmark = pytest.mark.django_db


def _sub_menu(client: Client, url: str, label: str) -> tuple[str, str]:
    """The sub-menu's class and its content."""
    page = client.get(url).content.decode()
    match = re.search(rf'<nav class="([^"]*)" aria-label="{label}">(.*?)</nav>', page, re.S)
    assert match, f"no {label} sub-menu on {url}"
    return match.group(1), match.group(2)


@pytest.mark.parametrize("url_name", ["catalogue:home", "catalogue:requests", "catalogue:approvals"])
def test_catalogue_sub_menu_is_a_row_of_links_like_the_other_sub_menus(url_name: str, agent: User):
    client = Client()
    client.force_login(agent)
    css_class, links = _sub_menu(client, reverse(url_name), "Service catalogue")
    assert css_class == "buttons"  # as the changes and reports sub-menus
    assert "<ul" not in links and "<li" not in links
    assert 'aria-current="page"' in links


def test_plain_lists_in_the_console_carry_no_bullets():
    css = (Path(settings.BASE_DIR) / "static/console/console.css").read_text()
    assert re.search(r"^\.plain \{[^}]*list-style: none", css, re.M)
