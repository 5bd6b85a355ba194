# mypy: disallow-untyped-defs, disallow-incomplete-defs
"""The console's main navigation by role: the one place that decides who sees which link.

Each role sees what it works on, its own work first: first-line agents the customer centre
(log a call, the live view), resolvers their queues and tickets, the change manager the changes
and the approvals waiting, managers all of that and the reports. Hiding a link is no permission
check (each view checks its own); it keeps a person's screen to their job.

Costs no query: it reads only the user's role and flags, and the request's path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from servicedesk.models import Role, User


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url: str
    current: bool


def _view(request: HttpRequest) -> str:
    match = request.resolver_match
    return match.view_name if match else ""


def _app(request: HttpRequest) -> str:
    match = request.resolver_match
    return match.app_name if match else ""


@dataclass(frozen=True)
class _Entry:
    label: object  # a lazy translation, rendered in the request's language
    url: Callable[[], str]
    current: Callable[[HttpRequest], bool]


def _never(request: HttpRequest) -> bool:
    return False


ENTRIES: dict[str, _Entry] = {
    "tickets": _Entry(
        _("Tickets"),
        lambda: reverse("console:ticket-list"),
        lambda r: _view(r) in ("console:ticket-list", "console:home") and not r.GET.get("assignee"),
    ),
    "my_tickets": _Entry(
        _("My tickets"),
        lambda: reverse("console:ticket-list") + "?assignee=me&open=true",
        lambda r: _view(r) in ("console:ticket-list", "console:home") and r.GET.get("assignee") == "me",
    ),
    "log_call": _Entry(
        _("Log a call"), lambda: reverse("console:ticket-new"), lambda r: _view(r) == "console:ticket-new"
    ),
    "queues": _Entry(_("Queues"), lambda: reverse("console:queues"), lambda r: _view(r) == "console:queues"),
    "customer_centre": _Entry(
        _("Customer centre"),
        lambda: reverse("console:customer-centre"),
        lambda r: _view(r) == "console:customer-centre",
    ),
    "reports": _Entry(_("Reports"), lambda: reverse("reports:dashboard"), lambda r: _app(r) == "reports"),
    "changes": _Entry(
        _("Changes"),
        lambda: reverse("changes:list"),
        lambda r: _app(r) == "changes" and _view(r) != "changes:votes",
    ),
    "change_approvals": _Entry(
        _("Waiting for my vote"), lambda: reverse("changes:votes"), lambda r: _view(r) == "changes:votes"
    ),
    "catalogue": _Entry(_("Catalogue"), lambda: reverse("catalogue:home"), lambda r: _app(r) == "catalogue"),
    "notifications": _Entry(
        _("Notifications"),
        lambda: reverse("console:notifications"),
        lambda r: _view(r) == "console:notifications",
    ),
    "access_log": _Entry(_("Access log"), lambda: reverse("audit:access-log"), lambda r: _app(r) == "audit"),
    "api_docs": _Entry(_("API docs"), lambda: reverse("api:docs"), _never),
    "health": _Entry(_("Health"), lambda: reverse("health"), lambda r: _view(r) == "health"),
    "help_centre": _Entry(_("Help centre"), lambda: reverse("portal:home"), _never),
    "my_cases": _Entry(_("My cases"), lambda: reverse("portal:tickets"), _never),
    "admin": _Entry(_("Admin"), lambda: reverse("admin:index"), _never),
}

DESK = ("tickets", "my_tickets", "log_call", "queues", "customer_centre")
# What each role works on, in the order they work on it. The first link is the role's home.
ROLE_LINKS: dict[str, tuple[str, ...]] = {
    Role.FIRST_LINE: (*DESK, "changes", "catalogue", "notifications", "api_docs", "health"),
    Role.RESOLVER: ("my_tickets", "queues", "tickets", "changes", "catalogue", "notifications"),
    Role.CHANGE_MANAGER: (
        "changes",
        "change_approvals",
        "my_tickets",
        "tickets",
        "catalogue",
        "notifications",
    ),
    Role.MANAGER: (*DESK, "reports", "changes", "catalogue", "notifications", "api_docs", "health"),
    Role.ADMIN: (*DESK, "reports", "changes", "catalogue", "notifications", "api_docs", "health"),
    # Auditors work in the access log; for their own calls they are end users like anyone.
    Role.AUDITOR: ("access_log", "help_centre", "my_cases"),
}
END_USER_LINKS = ("help_centre", "my_cases", "catalogue")


def link_keys(user: User) -> tuple[str, ...]:
    """Which links the user sees, in order."""
    role = Role.ADMIN if user.is_superuser else user.role
    keys = ROLE_LINKS.get(role, END_USER_LINKS)
    if user.reads_access_log and "access_log" not in keys:
        keys = (*keys, "access_log")
    if user.is_staff:
        keys = (*keys, "admin")
    return keys


def links_for(user: User, request: HttpRequest) -> list[Link]:
    return [
        Link(key, str(entry.label), entry.url(), entry.current(request))
        for key in link_keys(user)
        for entry in (ENTRIES[key],)
    ]


def home_url(user: User) -> str:
    """Where the user starts: the first thing their role works on (the desk: the console home)."""
    first = link_keys(user)[0]
    return reverse("console:home") if first == "tickets" else ENTRIES[first].url()


def main_navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: `main_nav`, the signed-in user's links, built only if a page shows them."""

    def build() -> list[Link]:
        user = getattr(request, "user", None)
        return links_for(user, request) if isinstance(user, User) else []

    return {"main_nav": SimpleLazyObject(build)}
