"""The panels beside the log-a-call form (HTML fragments fetched with htmx) and its side actions.

The page itself is views.ticket_new; without JavaScript every panel is rendered there, from the
values the form was last submitted or linked with.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contacts import services as contacts
from contacts.models import Contact
from servicedesk.errors import DomainError
from servicedesk.models import User

from . import calls, selectors, services
from . import views as console_views
from .console import require_agent
from .forms import LogCallForm, chosen_service
from .models import PRIORITY_CHOICES, CallTemplate


def initial_for(request: HttpRequest) -> dict[str, Any]:
    """The log-a-call form's starting values from the page's address (?template= fills it)."""
    initial: dict[str, Any] = {"contact": request.GET.get("contact", "")[:100]}
    template = _template(request.GET.get("template", ""))
    if template is not None:
        initial.update(
            title=template.title,
            description=template.description,
            kind=template.kind,
            service=template.service_id,
            category=template.category_id,
            impact=template.impact,
            urgency=template.urgency,
        )
    return initial


def _template(value: object) -> CallTemplate | None:
    try:
        pk = int(str(value))
    except ValueError:
        return None
    return CallTemplate.objects.filter(pk=pk, active=True).first()


def _template_query(request: HttpRequest, form: LogCallForm, caller: User | None) -> str:
    """The address parameters a template link keeps (without JavaScript it reloads the page)."""
    keep = {
        "caller_q": request.GET.get("caller_q", "")[:100],
        "caller": caller.pk if caller is not None else "",
        "contact": form["contact"].value() or "",
    }
    return urlencode({name: value for name, value in keep.items() if value})


def panels_context(request: HttpRequest, form: LogCallForm, caller: User | None) -> dict[str, Any]:
    """What the panels beside the form show when the page is rendered whole."""
    user = require_agent(request)
    return {
        "caller": caller,
        "caller_tickets": calls.caller_tickets_for(user, caller),
        "priority": priority_label(form["impact"].value(), form["urgency"].value()),
        **_duplicates_context(user, form["service"].value(), form["title"].value()),
        "call_templates": CallTemplate.objects.filter(active=True),
        "template_query": _template_query(request, form, caller),
    }


def _duplicates_context(user: User, service_value: object, title: object) -> dict[str, Any]:
    service = chosen_service(service_value)
    title_text = str(title or "")[:200]
    return {
        "duplicates": calls.possible_duplicates_for(user, service, title_text),
        "duplicates_asked": bool(service) and len(title_text.strip()) >= calls.MIN_TITLE,
        "duplicates_need_service": service is None and len(title_text.strip()) >= calls.MIN_TITLE,
        "duplicate_hours": calls.DUPLICATE_HOURS,
    }


@login_required
@require_GET
def call_duplicates(request: HttpRequest) -> HttpResponse:
    """Tickets of the same service from the last hours with a title like the one being typed."""
    user = require_agent(request)
    context = _duplicates_context(user, request.GET.get("service", ""), request.GET.get("title", ""))
    return render(request, "console/_call_duplicates.html", context)


def priority_label(impact: object, urgency: object) -> str:
    """What the impact × urgency matrix gives, as the ticket will show it; a dash for bad input."""
    try:
        priority = services.priority_for(int(str(impact)), int(str(urgency)))
    except (ValueError, DomainError):
        return "—"
    return str(dict(PRIORITY_CHOICES).get(priority, priority))


@login_required
@require_GET
def call_priority(request: HttpRequest) -> HttpResponse:
    """The priority for the chosen impact and urgency, before the call is saved."""
    require_agent(request)
    label = priority_label(request.GET.get("impact", ""), request.GET.get("urgency", ""))
    return render(request, "console/_call_priority.html", {"priority": label})


@login_required
@require_GET
def caller_tickets(request: HttpRequest) -> HttpResponse:
    """The chosen caller's open and recent tickets, each with a button to add the call as a note."""
    user = require_agent(request)
    caller = console_views._selected_caller(request.GET.get("caller", ""))
    return render(
        request,
        "console/_call_caller_tickets.html",
        {"caller": caller, "caller_tickets": calls.caller_tickets_for(user, caller)},
    )


def _note_body(title: str, description: str) -> str:
    return "\n\n".join(part for part in (title.strip(), description.strip()) if part)


@login_required
@require_POST
def call_note(request: HttpRequest) -> HttpResponse:
    """Add the call to an existing ticket as a comment instead of logging a duplicate.

    Posted by the log-a-call form itself (the button names the ticket), so what was typed as
    title and description becomes the note; the call's contact, if any, is linked to that ticket.
    """
    user = require_agent(request)
    ticket = selectors.ticket_get_for_user(user, request.POST.get("note_to", ""))
    body = _note_body(request.POST.get("title", ""), request.POST.get("description", ""))
    error: str | None = None
    if not body:
        error = _("Write what the caller says (title or description), then add it as a note.")
    else:
        try:
            services.comment_add(ticket=ticket, actor=user, body=body)
        except DomainError as domain_error:
            error = domain_error.message
    if error is not None:
        # Back to the form as it was typed, with the reason; nothing was written.
        form = LogCallForm(initial=request.POST.dict())
        selected = console_views._selected_caller(request.POST.get("caller", ""))
        return console_views.log_call_page(request, form, "", selected, status=400, note_error=error)
    external_id = request.POST.get("contact", "")[:100]
    contact = Contact.objects.filter(external_id=external_id).first() if external_id else None
    if contact is not None:
        contacts.contact_link_ticket(contact=contact, ticket=ticket)
    messages.success(request, _("The call was added as a note to %(number)s.") % {"number": ticket.number})
    # An empty form: the agent is ready for the next call.
    return redirect("console:ticket-new")


@login_required
@require_GET
def call_categories(request: HttpRequest) -> HttpResponse:
    """The category field offering only the chosen service's categories (the form checks it too)."""
    require_agent(request)
    form = LogCallForm(
        initial={"service": request.GET.get("service", ""), "category": request.GET.get("category", "")}
    )
    return render(request, "console/_call_category.html", {"form": form})
