"""Catalogue pages in the console: order, follow orders, decide approvals (also by e-mailed link).

Thin: forms collect, catalogue.services checks and writes, catalogue.selectors reads. Every page
works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AccessChannel
from audit.services import record_ticket_read
from incidents.console import console_user, form_errors_text, render_page, safe_next
from incidents.models import Channel
from incidents.selectors import tickets_visible_to
from servicedesk.errors import DomainError
from servicedesk.models import User

from . import selectors, services
from .answers import AnswersInvalid, answer_lines
from .forms import ApproveForm, OrderForm, RejectForm
from .links import LinkRefused, approval_for_token
from .models import Approval, CatalogueItem, CatalogueRequest, Decision, RequestState

PAGE_SIZE = 25
DECISIONS = ("approve", "reject")


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """A catalogue page: the count of approvals waiting for the user for the sub-navigation, and
    for agents the SLA alert count the main navigation shows (one count query each)."""
    user = console_user(request)
    context["pending_count"] = selectors.pending_approvals_for(user).count()
    return render_page(request, template, context, status=status)


@dataclass(frozen=True)
class DecisionForms:
    approval: Approval
    approve: ApproveForm
    reject: RejectForm


def _decision_forms(approval: Approval) -> DecisionForms:
    # Several on one page: each pair of forms gets its own ids.
    return DecisionForms(
        approval,
        ApproveForm(auto_id=f"approve{approval.pk}_%s"),
        RejectForm(auto_id=f"reject{approval.pk}_%s"),
    )


# --- the catalogue and ordering --------------------------------------------------------------------


@login_required
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    """What can be ordered, by category. Three queries, however many items."""
    return _render(request, "catalogue/item_list.html", {"items": list(selectors.orderable_items())})


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The item's order form, built from its definition; errors are shown on their fields."""
    console_user(request)  # signed in and allowed, before anything is read
    item = selectors.orderable_item_get(pk)
    form, order = order_form_submit(request, item)
    if order is not None:
        return redirect("catalogue:request", pk=order.pk)
    return _render(
        request,
        "catalogue/order_form.html",
        {"item": item, "form": form, "steps": list(item.approval_steps.all())},
        status=400 if form.is_bound else 200,
    )


def order_form_submit(request: HttpRequest, item: CatalogueItem) -> tuple[OrderForm, CatalogueRequest | None]:
    """The order form of the item (bound on POST) and, once valid and submitted, the order, with
    a success message flashed. Errors land on the form's fields and nothing is stored. The
    console's and the portal's order pages both use it."""
    form = OrderForm(request.POST if request.method == "POST" else None, definitions=list(item.fields.all()))
    if request.method != "POST" or not form.is_valid():
        return form, None
    try:
        order = services.request_submit(
            item=item, requester=console_user(request), answers=form.answers(), channel=Channel.PORTAL
        )
    except AnswersInvalid as error:
        form.add_answer_errors(error.errors)
    except DomainError as error:
        form.add_error(None, error.message)
    else:
        messages.success(request, _submitted_message(order))
        return form, order
    return form, None


def _submitted_message(order: CatalogueRequest) -> str:
    values = {"number": order.ticket.number}
    if order.state == RequestState.AWAITING_APPROVAL:
        return _("Your order %(number)s is registered and waits for approval.") % values
    return _("Your order %(number)s is registered.") % values


# --- orders ----------------------------------------------------------------------------------------


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """The user's own orders, newest first: a fixed number of queries per page."""
    user = console_user(request)
    page = Paginator(selectors.my_requests(user), PAGE_SIZE).get_page(request.GET.get("page"))
    orders = list(page.object_list)
    return _render(
        request,
        "catalogue/request_list.html",
        {"page_obj": page, "rows": [(order, selectors.current_approval(order)) for order in orders]},
    )


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An order: its answers, approvals and fulfilment tasks; the approver whose turn it is
    decides here too."""
    user = console_user(request)
    order = selectors.request_get_for_user(user, pk)
    # An order is its request ticket: its page shows the requester and the answers.
    record_ticket_read(request, order.ticket_id, channel=AccessChannel.CONSOLE)
    current = selectors.current_approval(order)
    return _render(
        request,
        "catalogue/request_detail.html",
        {
            "order": order,
            "ticket": order.ticket,
            "answers": answer_lines(order.item.fields.all(), order.answers),
            "approvals": list(order.approvals.all()),
            "current": current,
            "decide": _decision_forms(current) if current and current.approver_id == user.pk else None,
            "tasks": selectors.tasks_of(order),
            "ticket_visible": tickets_visible_to(user).filter(pk=order.pk).exists(),
            "agent": user.is_agent,
        },
    )


# --- approvals -------------------------------------------------------------------------------------


@login_required
@require_GET
def approval_list(request: HttpRequest) -> HttpResponse:
    """The approvals waiting for the user's decision, oldest order first."""
    user = console_user(request)
    pending = list(selectors.pending_approvals_for(user)[:100])
    return _render(request, "catalogue/approval_list.html", {"rows": [_decision_forms(a) for a in pending]})




@login_required
@require_POST
def approval_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve or reject as the signed-in approver; a refusal is flashed and nothing changes."""
    user = console_user(request)
    approval = selectors.approval_get_for_user(user, pk)
    back = safe_next(request, reverse("catalogue:approvals"))
    number = approval.request.ticket.number
    form = _decision_form(decision, request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(back)
    try:
        _run_decision(decision, approval, user, form, by_link=False)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = _("You approved %(number)s.") if decision == "approve" else _("You rejected %(number)s.")
        messages.success(request, done % {"number": number})
    return redirect(back)


def _decision_form(decision: str, data: Any = None) -> ApproveForm | RejectForm:
    form_class = ApproveForm if decision == "approve" else RejectForm
    return form_class(data, auto_id=f"{decision}_%s")




def _run_decision(
    decision: str, approval: Approval, actor: User, form: ApproveForm | RejectForm, *, by_link: bool
) -> Approval:
    if decision == "approve":
        return services.approval_approve(
            approval=approval, actor=actor, comment=form.cleaned_data["comment"], by_link=by_link
        )
    return services.approval_reject(
        approval=approval, actor=actor, reason=form.cleaned_data["reason"], by_link=by_link
    )


@never_cache
@require_http_methods(["GET", "POST"])
def approval_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed one-time link: no sign-in, the token is the credential.

    GET only shows the order and the two choices; only a POST decides, once. A forged, replaced,
    expired or used link, or an approval already decided, gets an error page and changes nothing.
    """
    try:
        approval = approval_for_token(token)
    except LinkRefused as refused:
        return _link_page(
            request, "catalogue/approval_link_error.html", {"message": refused.message}, refused.status
        )
    # Shown in the approver's language, whoever opens it.
    with translation.override(approval.approver.preferred_language):
        order = approval.request
        if approval.decision != Decision.PENDING or order.state != RequestState.AWAITING_APPROVAL:
            message = _("This approval has already been decided, or the order no longer awaits approval.")
            return _link_page(request, "catalogue/approval_link_error.html", {"message": message}, 410)
        context: dict[str, Any] = {
            "approval": approval,
            "order": order,
            "answers": answer_lines(order.item.fields.all(), order.answers),
            "approve_form": _decision_form("approve"),
            "reject_form": _decision_form("reject"),
        }
        if request.method == "POST":
            decision = request.POST.get("decision", "")
            if decision not in DECISIONS:
                context["error"] = _("Choose approve or reject.")
                return _link_page(request, "catalogue/approval_link.html", context, 400)
            form = _decision_form(decision, request.POST)
            context[f"{decision}_form"] = form
            try:
                if not form.is_valid():
                    raise DomainError(form_errors_text(form))
                # The token is the credential: the decision is the approver's, whoever clicked.
                _run_decision(decision, approval, approval.approver, form, by_link=True)
            except DomainError as error:
                context["error"] = error.message
                return _link_page(request, "catalogue/approval_link.html", context, 400)
            context["done"] = decision
        return _link_page(request, "catalogue/approval_link.html", context)


def _link_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    # The token is in the URL: never pass it on to another site in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    return response
