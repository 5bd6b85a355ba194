"""Health: the endpoint for load balancers and monitoring, and the page for service-desk staff."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from incidents.console import render_page, require_agent

from . import health

LABELS = {
    "database": _("Database"),
    "broker": _("Message broker"),
    "dispatch": _("Notification dispatch"),
    "sweep": _("SLA sweep"),
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when everything works, 503 when a service is down or a periodic job is stale.

    No login and nothing about people or tickets: only each check's state and the heartbeats' age.
    `?check=database` (repeatable) limits the answer to those checks: a load balancer should not
    take every web process out of rotation because beat has stopped.
    """
    results = health.checks()
    only = request.GET.getlist("check")  # e.g. a load balancer asks for ?check=database only
    if only:
        results = [check for check in results if check.name in only]
    ok = health.healthy(results)
    body = {
        "status": "ok" if ok else "failing",
        "checks": {check.name: {"ok": check.ok, **check.detail} for check in results},
    }
    return JsonResponse(body, status=200 if ok else 503)


@login_required
@require_GET
@never_cache
def health_page(request: HttpRequest) -> HttpResponse:
    """The same checks for staff, in words."""
    require_agent(request)
    results = health.checks()
    rows = [(LABELS.get(check.name, check.name), check) for check in results]
    return render_page(
        request, "console/health.html", {"rows": rows, "healthy": health.healthy(results)}
    )
