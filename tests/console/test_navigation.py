"""Each role's navigation shows what it works on (servicedesk/navigation.py), and signing in
leads there; a refused page says why, and the refusal is one line in the log."""

from __future__ import annotations

import logging
import re
import sys

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import permission_denied

from servicedesk.log_filters import OneLineClientErrors
from servicedesk.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DESK = ["Tickets", "My tickets", "Log a call", "Queues", "Customer centre"]
EXPECTED = {
    Role.FIRST_LINE: [*DESK, "Changes", "Catalogue", "Notifications", "API docs", "Health"],
    Role.RESOLVER: ["My tickets", "Queues", "Tickets", "Changes", "Catalogue", "Notifications"],
    Role.CHANGE_MANAGER: [
        "Changes",
        "Waiting for my vote",
        "My tickets",
        "Tickets",
        "Catalogue",
        "Notifications",
    ],
    Role.MANAGER: [*DESK, "Reports", "Changes", "Catalogue", "Notifications", "API docs", "Health"],
    Role.AUDITOR: ["Access log", "Help centre", "My cases"],
}
HOME = {
    Role.FIRST_LINE: "console:home",
    Role.RESOLVER: "console:ticket-list",
    Role.CHANGE_MANAGER: "changes:list",
    Role.MANAGER: "console:home",
    Role.AUDITOR: "audit:access-log",
    Role.END_USER: "portal:home",
}


def main_nav(page: str) -> list[str]:
    """The link texts of the main navigation, in order."""
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S)
    assert nav, "no main navigation"
    return [
        re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1))
    ]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_the_links_of_its_work_in_order(role: str):
    user = UserFactory(role=role)
    page = "audit:access-log" if role == Role.AUDITOR else "catalogue:home"
    response = signed_in(user).get(reverse(page))
    assert response.status_code == 200
    assert main_nav(response.content.decode()) == EXPECTED[role]


def test_resolvers_and_change_managers_are_not_shown_the_customer_centre_pages():
    for role in (Role.RESOLVER, Role.CHANGE_MANAGER):
        page = signed_in(UserFactory(role=role)).get(reverse("catalogue:home")).content.decode()
        assert reverse("console:customer-centre") not in page
        assert reverse("console:ticket-new") not in page


def test_administrators_also_see_the_access_log_and_the_admin():
    admin = UserFactory(role=Role.ADMIN, is_staff=True)
    links = main_nav(signed_in(admin).get(reverse("catalogue:home")).content.decode())
    assert links[:5] == DESK and "Reports" in links
    assert links[-2:] == ["Access log", "Admin"]


def test_the_current_page_is_marked_once():
    page = signed_in(UserFactory(role=Role.CHANGE_MANAGER)).get(reverse("changes:votes"))
    marked = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)', page.content.decode().split("</nav>")[0])
    assert marked == ["Waiting for my vote"]


@pytest.mark.parametrize("role", list(HOME))
def test_signing_in_leads_each_role_to_its_home(role: str):
    user = UserFactory(role=role)
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": "pw"})
    assert response["Location"] == reverse("landing")
    home = client.get(reverse("landing"))
    assert home.status_code == 302
    assert home["Location"].split("?")[0] == reverse(HOME[role])


# --- refused pages ---------------------------------------------------------------------------------


def test_a_refused_page_says_why():
    auditor = UserFactory(role=Role.AUDITOR)  # IT staff, but not service-desk staff
    response = signed_in(auditor).get(reverse("changes:list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "<p>Change management is for service-desk staff.</p>" in page
    assert "You may not open this page." not in page
    assert f'href="{reverse("audit:access-log")}">Back to your start page' in page


def test_the_reason_is_escaped():
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied("<script>alert(1)</script> & more"))
    page = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "<script>alert(1)" not in page


def test_a_refusal_without_a_reason_keeps_the_general_sentence():
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    page = permission_denied(request, PermissionDenied()).content.decode()
    assert "You may not open this page." in page


def test_a_403_is_one_log_line_with_its_reason_and_no_traceback(caplog):
    auditor = UserFactory(role=Role.AUDITOR)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        signed_in(auditor).get(reverse("changes:list"))
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is None
    assert record.getMessage() == (
        "Forbidden (Permission denied): /console/changes/ — Change management is for service-desk staff."
    )
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Server error: %s", ("/x",), exc_info
    )
    record.status_code = 500
    assert OneLineClientErrors().filter(record)
    assert record.exc_info is exc_info


# --- the favicon -----------------------------------------------------------------------------------


def test_console_and_portal_pages_link_the_favicon(agent: User, end_user: User):
    for user, page in ((agent, "console:ticket-list"), (end_user, "portal:home")):
        html = signed_in(user).get(reverse(page)).content.decode()
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


def test_favicon_ico_is_found(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert finders.find("favicon.ico") and finders.find("favicon.svg")
