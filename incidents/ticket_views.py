"""The ticket page's edits (console): change the details, assign or escalate with a work note.

Thin: the forms validate, incidents.services writes (one history row per changed field, the SLA
clocks re-measured), and refused input re-renders the ticket page with the form's errors (400),
nothing saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.errors import DomainError
from servicedesk.models import AssignmentGroup

from . import selectors, services
from .console import require_agent
from .models import PRIORITY_CHOICES, PriorityRule, Ticket
from .ticket_forms import TicketAssignForm, TicketEditForm
from .views import _after_change, ticket_page


@login_required
@require_POST
def ticket_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the changed details through services.ticket_update; a new impact or urgency gives
    a new priority (the matrix), and with it new SLA targets."""
    user = require_agent(request)
    ticket = selectors.ticket_get_for_user(user, pk)
    form = TicketEditForm(request.POST, ticket=ticket)
    if not form.is_valid():
        return ticket_page(request, user, ticket, status=400, edit_form=form)
    changes = form.changes()
    if not changes:
        messages.info(request, _("Nothing changed."))
        return redirect("console:ticket", pk=ticket.pk)
    old_priority = ticket.priority
    try:
        ticket = services.ticket_update(ticket=ticket, actor=user, **changes)
    except DomainError as error:
        form.add_domain_error(error)
        return ticket_page(request, user, ticket, status=400, edit_form=form)
    if ticket.priority != old_priority:
        messages.success(
            request,
            _("%(number)s is saved. Its priority is now %(priority)s; the SLA targets follow it.")
            % {"number": ticket.number, "priority": ticket.get_priority_display()},
        )
    else:
        messages.success(request, _("%(number)s is saved.") % {"number": ticket.number})
    return redirect("console:ticket", pk=ticket.pk)


@login_required
@require_POST
def ticket_assign(request: HttpRequest, pk: int, escalate: bool = False) -> HttpResponse:
    """Hand the ticket to a group (and maybe one of its members), the work note kept on the
    history rows of the change. Escalating names only a group."""
    user = require_agent(request)
    ticket = selectors.ticket_get_for_user(user, pk)
    form = TicketAssignForm(request.POST, ticket=ticket)
    if not form.is_valid():
        return ticket_page(request, user, ticket, status=400, assign_form=form)
    data = form.cleaned_data
    try:
        if escalate:
            ticket = services.ticket_escalate(
                ticket=ticket, actor=user, group=data["group"], note=data["note"]
            )
        else:
            ticket = services.ticket_assign(
                ticket=ticket, actor=user, group=data["group"], assignee=data["assignee"], note=data["note"]
            )
    except DomainError as error:
        form.add_domain_error(error)
        return ticket_page(request, user, ticket, status=400, assign_form=form)
    done = _("%(number)s is escalated.") if escalate else _("%(number)s is assigned.")
    messages.success(request, done % {"number": ticket.number})
    return _after_change(request, user, ticket)


@login_required
@require_GET
def assignee_options(request: HttpRequest, pk: int) -> HttpResponse:
    """The assignee field for the group chosen in the assign form (htmx swaps it in): that
    group's members only. An unknown group gives an empty list."""
    user = require_agent(request)
    ticket: Ticket = selectors.ticket_get_for_user(user, pk)
    form = TicketAssignForm(ticket=ticket)
    group_id = _int(request.GET.get("group"))
    group = AssignmentGroup.objects.filter(active=True, pk=group_id).first() if group_id else None
    form.show_members_of(group)
    return render(request, "console/_assignee_field.html", {"assign_form": form})


def _int(value: str | None) -> int | None:
    # An id, or nothing: a huge or non-numeric value must not reach the database as a query.
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


@login_required
@require_GET
def priority_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The priority the matrix gives for the impact and urgency chosen in the edit form, before
    saving (htmx swaps it in). Values outside the matrix show as "—"."""
    user = require_agent(request)
    selectors.ticket_get_for_user(user, pk)
    impact, urgency = _int(request.GET.get("impact")), _int(request.GET.get("urgency"))
    rule = None
    if impact is not None and urgency is not None:
        rule = PriorityRule.objects.filter(impact=impact, urgency=urgency).only("priority").first()
    label = str(dict(PRIORITY_CHOICES)[rule.priority]) if rule else "—"
    return HttpResponse(label, content_type="text/plain; charset=utf-8")
