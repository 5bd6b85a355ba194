"""End users never see the agent console: its pages send them to the portal."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# The e-mailed one-time approval link (catalogue.links) works without signing in and stays where
# the e-mails already sent point; end users order and approve in the portal (portal/ordering.py).
OPEN_TO_END_USERS = ("/console/catalogue/approve/",)
TICKET_PAGE = re.compile(r"^/console/tickets/(?P<pk>[0-9]+)/$")
ORDER_PAGE = re.compile(r"^/console/catalogue/orders/(?P<pk>[0-9]+)/$")
# Console catalogue pages and their portal counterparts (links in e-mails and bookmarks).
CATALOGUE_PAGES = (
    ("/console/catalogue/approvals/", "portal:approvals"),
    ("/console/catalogue/orders/", "portal:orders"),
    ("/console/catalogue/", "portal:order"),
)


class EndUserConsoleRedirect:
    """A GET of a console page by an end user is redirected to the matching portal page (their
    ticket, their ticket list, or the portal home); anything else there is 404 for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        user = getattr(request, "user", None)
        if (
            path.startswith("/console/")
            and not path.startswith(OPEN_TO_END_USERS)
            and user is not None
            and user.is_authenticated
            and not getattr(user, "is_agent", False)
            # Auditors are IT staff: they work in the console's access-log pages (audit/), and
            # the console's own checks keep them out of everything else.
            and not getattr(user, "reads_access_log", False)
        ):
            if request.method not in ("GET", "HEAD"):
                raise Http404
            return HttpResponseRedirect(self._portal_page(path))
        return self.get_response(request)

    @staticmethod
    def _portal_page(path: str) -> str:
        match = TICKET_PAGE.match(path)
        if match:
            return reverse("portal:ticket", kwargs={"pk": int(match["pk"])})
        match = ORDER_PAGE.match(path)
        if match:
            return reverse("portal:order-detail", kwargs={"pk": int(match["pk"])})
        if path.startswith("/console/tickets/"):
            return reverse("portal:tickets")
        for prefix, page in CATALOGUE_PAGES:
            if path.startswith(prefix):
                return reverse(page)
        return reverse("portal:home")
