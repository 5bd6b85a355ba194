"""The ticket list's own actions: the person picker's look-up, saved views, bulk actions.

A refused POST re-renders the list it came from (its filters are in the form's `list_query`)
with the errors beside the controls, status 400, and nothing saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from . import bulk, saved_views
from .console import require_agent
from .people import people_found
from .views import ticket_list_page


def _list_url(query: str) -> str:
    url = reverse("console:ticket-list")
    return f"{url}?{query}" if query else url


def _list_params(request: HttpRequest) -> QueryDict:
    # The list's own query string, posted back with the form; only its filters are used.
    return QueryDict(request.POST.get("list_query", "")[:2000])


@login_required
@require_GET
def people(request: HttpRequest) -> JsonResponse:
    """Staff the agent may see whose name matches ?q= (two characters or more), optionally only
    the members of ?group=: [{id, name, username}], at most ten."""
    user = require_agent(request)
    group = request.GET.get("group", "")
    found = people_found(user, request.GET.get("q", ""), int(group) if group.isdigit() else None)
    return JsonResponse(
        {"results": [{"id": p.pk, "name": str(p), "username": p.username} for p in found]}
    )


@login_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    user = require_agent(request)
    form = saved_views.SavedViewForm(request.POST, owner=user)
    if not form.is_valid():
        return ticket_list_page(request, _list_params(request), view_form=form, status=400)
    view = form.save()
    messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
    return redirect(_list_url(view.query))


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_agent(request)
    saved_views.saved_view_delete(view_id=pk, actor=user)
    messages.success(request, _("The view was deleted."))
    return redirect(_list_url(request.POST.get("list_query", "")[:2000]))


@login_required
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Assign, escalate or re-prioritise the ticked rows (see incidents/bulk.py for the rule)."""
    user = require_agent(request)
    form = bulk.BulkForm(request.POST, actor=user)
    if not form.is_valid():
        return ticket_list_page(request, _list_params(request), bulk_form=form, status=400)
    result = bulk.bulk_apply(actor=user, data=form.cleaned_data)
    for refusal in result.refused:
        messages.warning(request, _("%(number)s not changed: %(reason)s") % refusal.__dict__)
    if result.failed is not None:
        form.add_error(
            None,
            _("Nothing was changed: %(number)s was refused (%(reason)s).") % result.failed.__dict__,
        )
        return ticket_list_page(request, _list_params(request), bulk_form=form, status=409)
    if not result.changed:
        form.add_error(None, _("None of the selected tickets could be changed."))
        return ticket_list_page(request, _list_params(request), bulk_form=form, status=400)
    count = len(result.changed)
    messages.success(
        request,
        ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", count) % {"count": count},
    )
    return redirect(_list_url(request.POST.get("list_query", "")[:2000]))
