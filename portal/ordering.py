"""Ordering from the catalogue in the portal: items (search and categories), the order form, my
orders with their approval status, and the approvals waiting for me.

Thin, like the console's catalogue pages: catalogue.forms collects the answers, catalogue.services
checks and writes (the same rules as the console and the API), catalogue.selectors reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AccessChannel
from audit.services import record_ticket_read
from catalogue import selectors, services
from catalogue.answers import answer_lines
from catalogue.forms import ApproveForm, RejectForm
from catalogue.models import Approval
from catalogue.views import order_form_submit
from incidents.console import console_user, form_errors_text, safe_next
from servicedesk.errors import DomainError

PAGE_SIZE = 20
DECISIONS = ("approve", "reject")


@login_required
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    """What can be ordered: search by words, narrow by category."""
    query = request.GET.get("q", "").strip()[:200]
    category = request.GET.get("category", "")
    items = list(selectors.orderable_items_matching(query=query, category=category))
    return render(
        request,
        "portal/order_list.html",
        {
            "items": items,
            "query": query,
            "category": category,
            "categories": selectors.orderable_categories(),
            "filtered": bool(query or category),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The item's order form, built from its definition; errors are shown on their fields and
    nothing is stored."""
    console_user(request)  # signed in and allowed, before anything is read
    item = selectors.orderable_item_get(pk)
    form, order = order_form_submit(request, item)
    if order is not None:
        return redirect("portal:order-detail", pk=order.pk)
    return render(
        request,
        "portal/order_form.html",
        {"item": item, "form": form, "steps": list(item.approval_steps.all())},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    """The user's own orders, newest first, each with where its approval stands."""
    user = console_user(request)
    page = Paginator(selectors.my_requests(user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(order, selectors.current_approval(order)) for order in page.object_list]
    return render(request, "portal/order_mine.html", {"page_obj": page, "rows": rows})


@login_required
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the user's orders: its answers and each approval step with its decision (the
    fulfilment tasks are IT's work and not shown); 404 for anyone else's."""
    user = console_user(request)
    order = selectors.request_get_for_user(user, pk)
    if order.ticket.caller_id != user.pk:
        raise Http404
    # An order is its request ticket: reading it is recorded as reading the ticket.
    record_ticket_read(request, order.ticket_id, channel=AccessChannel.PORTAL)
    return render(
        request,
        "portal/order_detail.html",
        {
            "order": order,
            "answers": answer_lines(order.item.fields.all(), order.answers),
            "approvals": list(order.approvals.all()),
            "current": selectors.current_approval(order),
        },
    )


def _decision_rows(approvals: list[Approval]) -> list[dict[str, Any]]:
    # Several on one page: each pair of forms gets its own ids.
    return [
        {
            "approval": approval,
            "answers": answer_lines(approval.request.item.fields.all(), approval.request.answers),
            "approve": ApproveForm(auto_id=f"approve{approval.pk}_%s"),
            "reject": RejectForm(auto_id=f"reject{approval.pk}_%s"),
        }
        for approval in approvals
    ]


@login_required
@require_GET
def approval_list(request: HttpRequest) -> HttpResponse:
    """The approvals waiting for the user's decision, oldest order first, with what was asked."""
    user = console_user(request)
    pending = list(selectors.pending_approvals_for(user).prefetch_related("request__item__fields")[:100])
    return render(request, "portal/approvals.html", {"rows": _decision_rows(pending)})


@login_required
@require_POST
def approval_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve or reject as the signed-in approver; a refusal is flashed and nothing changes."""
    user = console_user(request)
    approval = selectors.approval_get_for_user(user, pk)
    back = safe_next(request, reverse("portal:approvals"))
    number = approval.request.ticket.number
    form = (ApproveForm if decision == "approve" else RejectForm)(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(back)
    try:
        if decision == "approve":
            services.approval_approve(approval=approval, actor=user, comment=form.cleaned_data["comment"])
        else:
            services.approval_reject(approval=approval, actor=user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = _("You approved %(number)s.") if decision == "approve" else _("You rejected %(number)s.")
        messages.success(request, done % {"number": number})
    return redirect(back)
