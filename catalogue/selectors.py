"""Reads of the catalogue, already scoped to what the user may see.

An order is visible to whoever may see its request ticket (incidents.selectors decides: the
requester, and agents by their groups) and to its approvers. Anything else is a 404.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from incidents.models import Ticket
from incidents.selectors import tickets_visible_to
from servicedesk.models import Category, User

from .models import Approval, CatalogueItem, CatalogueRequest, Decision, RequestState

TASKS_ATTR = "tasks"


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def _signed_in(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


# --- items -----------------------------------------------------------------------------------------


def orderable_items() -> QuerySet[CatalogueItem]:
    """Active items by category, with what a list shows, in a fixed number of queries."""
    return (
        CatalogueItem.objects.filter(active=True)
        .select_related("category", "category__parent")
        .prefetch_related("approval_steps")
        .order_by(F("category__parent__name").asc(nulls_first=True), "category__name", "name", "id")
    )


def orderable_items_matching(*, query: str = "", category: object = None) -> QuerySet[CatalogueItem]:
    """Orderable items whose name or description holds every word of the query, optionally in
    one category (or its sub-categories). A bad category id matches nothing."""
    items = orderable_items()
    for word in query.split()[:10]:
        items = items.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if category not in (None, ""):
        try:
            category_id = int(str(category))
        except ValueError:
            return items.none()
        items = items.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    return items


def orderable_categories() -> list[Category]:
    """The categories that hold an orderable item (directly or through a sub-category), by name."""
    ids = set(
        CatalogueItem.objects.filter(active=True).values_list("category_id", "category__parent_id")
    )
    wanted = {pk for pair in ids for pk in pair if pk is not None}
    return list(Category.objects.filter(pk__in=wanted).select_related("parent").order_by("name", "id"))


def orderable_item_get(pk: object) -> CatalogueItem:
    item = (
        orderable_items()
        .select_related("service")  # the order's ticket is logged on it
        .prefetch_related("fields", "approval_steps__service")
        .filter(pk=_pk(pk))
        .first()
    )
    if item is None:
        raise Http404
    return item


# --- orders ----------------------------------------------------------------------------------------


def requests_visible_to(user: User) -> QuerySet[CatalogueRequest]:
    orders = CatalogueRequest.objects.all()
    if not _signed_in(user):
        return orders.none()
    if user.sees_all_tickets:
        return orders
    approver = Approval.objects.filter(request=OuterRef("pk"), approver=user)
    return orders.filter(Q(ticket__in=tickets_visible_to(user)) | Q(Exists(approver)))


def _with_details(orders: QuerySet[CatalogueRequest]) -> QuerySet[CatalogueRequest]:
    return orders.select_related("item", "ticket", "ticket__caller").prefetch_related(
        Prefetch("approvals", queryset=Approval.objects.select_related("approver").order_by("order")),
        Prefetch(
            "ticket__children",
            queryset=Ticket.objects.select_related("assignment_group").order_by("id"),
            to_attr=TASKS_ATTR,
        ),
    )


def request_list_for(user: User) -> QuerySet[CatalogueRequest]:
    """Visible orders, newest first, each with its item, requester, approvals and tasks."""
    return _with_details(requests_visible_to(user)).order_by("-pk")


def my_requests(user: User) -> QuerySet[CatalogueRequest]:
    return request_list_for(user).filter(ticket__caller=user)


def request_get_for_user(user: User, pk: object) -> CatalogueRequest:
    order = _with_details(requests_visible_to(user)).filter(pk=_pk(pk)).first()
    if order is None:
        raise Http404
    return order


def tasks_of(order: CatalogueRequest) -> list[Ticket]:
    tasks: list[Ticket] | None = getattr(order.ticket, TASKS_ATTR, None)
    if tasks is None:
        tasks = list(Ticket.objects.filter(parent_id=order.pk).select_related("assignment_group"))
    return tasks


def current_approval(order: CatalogueRequest) -> Approval | None:
    """The step waiting for a decision: the first pending one while the order awaits approval
    (every step before it is approved then)."""
    if order.state != RequestState.AWAITING_APPROVAL:
        return None
    return next((a for a in order.approvals.all() if a.decision == Decision.PENDING), None)


# --- approvals -------------------------------------------------------------------------------------


def _approval_rows(approvals: QuerySet[Approval]) -> QuerySet[Approval]:
    return approvals.select_related("approver", "request__item", "request__ticket__caller")


def approvals_for(user: User) -> QuerySet[Approval]:
    """Every approval asked of the user, newest order first."""
    if not _signed_in(user):
        return Approval.objects.none()
    return _approval_rows(Approval.objects.filter(approver=user)).order_by("-request_id", "order")


def only_actionable(approvals: QuerySet[Approval]) -> QuerySet[Approval]:
    """Those waiting for a decision now: pending, on an order awaiting approval, and no earlier
    step still pending (while an order awaits approval, earlier steps are approved or pending)."""
    earlier_pending = Approval.objects.filter(
        request=OuterRef("request"), order__lt=OuterRef("order"), decision=Decision.PENDING
    )
    return approvals.filter(decision=Decision.PENDING, request__state=RequestState.AWAITING_APPROVAL).exclude(
        Exists(earlier_pending)
    )


def pending_approvals_for(user: User) -> QuerySet[Approval]:
    """The approvals waiting for the user's decision now, oldest order first."""
    return only_actionable(approvals_for(user)).order_by("request_id", "order")


def approval_get_for_user(user: User, pk: object) -> Approval:
    """An approval the user is asked for, or one of an order they may see; 404 otherwise."""
    if not _signed_in(user):
        raise Http404
    visible = Q(approver=user) | Q(request__in=requests_visible_to(user))
    approval = _approval_rows(Approval.objects.filter(visible)).filter(pk=_pk(pk)).first()
    if approval is None:
        raise Http404
    return approval
