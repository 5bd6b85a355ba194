"""The customer centre's live view: who is waiting, today's waits and first-line resolution."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from incidents.console import render_page, require_agent
from servicedesk.errors import DomainError

from . import services as contacts
from .centre import live_figures
from .models import Contact

POLL_SECONDS = 10


@login_required
@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    user = require_agent(request)
    return render_page(
        request,
        "console/customer_centre.html",
        {
            "live": live_figures(timezone.now()),
            "poll_seconds": POLL_SECONDS,
            "on_duty": user.on_duty_since is not None,
        },
    )


@login_required
@require_GET
def centre_live(request: HttpRequest) -> HttpResponse:
    """The live part of the page alone, fetched every few seconds by console.js."""
    require_agent(request)
    return render(request, "console/_customer_centre_live.html", {"live": live_figures(timezone.now())})


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick up a waiting contact and open "log a call" with the caller found by number."""
    user = require_agent(request)
    contact = get_object_or_404(Contact, pk=pk)
    try:
        contacts.contact_answered(external_id=contact.external_id, at=timezone.now(), agent=user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("console:customer-centre")
    query = {"caller_q": contact.caller_number, "contact": contact.external_id}
    if contact.caller_id:
        query["caller"] = str(contact.caller_id)
    return redirect(f"{reverse('console:ticket-new')}?{urlencode(query)}")


@login_required
@require_POST
def duty(request: HttpRequest) -> HttpResponse:
    user = require_agent(request)
    on_duty = request.POST.get("on_duty") == "1"
    contacts.agent_set_on_duty(agent=user, on_duty=on_duty)
    messages.success(request, _("You are on duty.") if on_duty else _("You are off duty."))
    return redirect("console:customer-centre")
