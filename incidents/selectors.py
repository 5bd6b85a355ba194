"""Reads, already scoped to what the user may see. The one place that decides visibility."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from servicedesk.models import AGENT_ROLES, AssignmentGroup, User

from .models import QUEUED_STATES, Attachment, Comment, Ticket, TicketEvent


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Tickets the user may see.

    First line, managers and admins see all; resolvers (and change managers) see their groups'
    tickets and those they are involved in (caller, logged by, assignee); everyone who works no
    tickets (end users, auditors, integrations) only those they called in.
    """
    tickets = Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return tickets.none()
    return tickets.filter(visible_tickets_q(user))


def visible_tickets_q(user: User, prefix: str = "") -> Q:
    """The rule of tickets_visible_to (for an active user) as a condition on a ticket reached
    through `prefix` (e.g. "ticket__" from an alert): a join, not an IN over every ticket."""
    if user.sees_all_tickets:
        return Q()
    mine = Q(**{f"{prefix}caller": user})
    if not user.is_agent:
        return mine
    return (
        mine
        | Q(**{f"{prefix}created_by": user})
        | Q(**{f"{prefix}assignee": user})
        | Q(**{f"{prefix}assignment_group__in": user_group_ids(user)})
    )


def user_group_ids(user: User) -> list[int]:
    # Cached on the user object: asked several times per request.
    cached: list[int] | None = getattr(user, "_group_ids", None)
    if cached is None:
        cached = list(user.assignment_groups.values_list("id", flat=True))
        user._group_ids = cached  # type: ignore[attr-defined]
    return cached


def staff_visible_to(user: User) -> QuerySet[User]:
    """Active service-desk staff the user may pick (e.g. as assignee): desk-wide roles all of
    them, other agents the members of their own groups; nobody for anyone else."""
    staff = User.objects.filter(Q(role__in=AGENT_ROLES) | Q(is_superuser=True), is_active=True)
    if not user.is_authenticated or not user.is_agent:
        return staff.none()
    if user.sees_all_tickets:
        return staff
    return staff.filter(assignment_groups__in=user_group_ids(user)).distinct()


def _id(value: object) -> int:
    """A path's id as a number; anything else (e.g. "null,null") is a 404, not a 500."""
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def ticket_list_for(user: User) -> QuerySet[Ticket]:
    """Visible tickets with everything a list row shows, in one query."""
    return tickets_visible_to(user).select_related("caller", "service", "assignment_group", "assignee")


def ticket_get_for_user(user: User, pk: object) -> Ticket:
    """The ticket if the user may see it; Http404 otherwise (a refusal tells nothing)."""
    try:
        pk_int = int(str(pk))
    except ValueError:
        raise Http404 from None
    ticket = (
        tickets_visible_to(user)
        # Few joins, the rest in small queries of their own: joining all eleven tables cost
        # PostgreSQL ~9 ms of planning on every ticket page (2 ms for four), and as the twelfth
        # table the assignee got a merge join that walked the whole user index (15-25 ms).
        .select_related("service", "category", "assignment_group", "created_by")
        .prefetch_related(
            Prefetch("caller", queryset=User.objects.select_related("department", "trust")),
            "assignee",
            "category__parent",
            "resolved_by_group",
            "parent",
        )
        .filter(pk=pk_int)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def is_staff_viewer(user: User) -> bool:
    """Whether the user may see internal comments, files and events."""
    return user.is_agent


# People are fetched in a query of their own, not joined: for the newest people's ids PostgreSQL
# misjudges a merge join over the whole user index as cheap (20 ms at 50,000 people, 0.1 ms).
def comments_for(user: User, ticket: Ticket) -> QuerySet[Comment]:
    comments = ticket.comments.prefetch_related("author")
    return comments if is_staff_viewer(user) else comments.filter(internal=False)


def attachments_for(user: User, ticket: Ticket) -> QuerySet[Attachment]:
    attachments = ticket.attachments.select_related("uploaded_by")
    return attachments if is_staff_viewer(user) else attachments.filter(internal=False)


# History a caller may read: what happened to their report, never who handled it where
# (assignment, escalation, claims, major-incident work, impact / urgency / priority changes).
END_USER_EVENT_ACTIONS = (
    "created",
    "updated",
    "started",
    "pended",
    "resolved",
    "reopened",
    "closed",
    "commented",
    "attached",
)
END_USER_EVENT_FIELDS = (
    "",
    "state",
    "title",
    "description",
    "service",
    "category",
    "kind",
    "pending_reason",
    "resolution_code",
    "resolution_note",
)


def events_for(user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    events = ticket.events.prefetch_related("actor")  # not joined: see comments_for
    if is_staff_viewer(user):
        return events
    return events.filter(internal=False, action__in=END_USER_EVENT_ACTIONS, field__in=END_USER_EVENT_FIELDS)


def attachment_get_for_user(user: User, pk: object, ticket_pk: int | str | None = None) -> Attachment:
    """An attachment the user may download: its ticket visible, and not internal for end users."""
    attachments = Attachment.objects.filter(pk=_id(pk), ticket__in=tickets_visible_to(user))
    if ticket_pk is not None:
        attachments = attachments.filter(ticket_id=_id(ticket_pk))
    if not is_staff_viewer(user):
        attachments = attachments.filter(internal=False)
    attachment = attachments.first()
    if attachment is None:
        raise Http404
    return attachment


def queues_for(user: User) -> QuerySet[AssignmentGroup]:
    """Assignment groups as queues, with how many unclaimed tickets wait in each.

    One query: each group's count is a subquery whose filter is that of the partial queue index
    (ticket_queue_idx), so it is an index-only count of the waiting tickets, not a join of every
    ticket the group ever had.
    """
    if not user.is_authenticated:
        return AssignmentGroup.objects.none()
    waiting = (
        Ticket.objects.filter(
            assignment_group=OuterRef("pk"), assignee__isnull=True, state__in=sorted(QUEUED_STATES)
        )
        .order_by()
        .values("assignment_group")
        .annotate(n=Count("*"))
        .values("n")
    )
    groups = AssignmentGroup.objects.filter(active=True).annotate(waiting=Coalesce(Subquery(waiting), 0))
    if not user.sees_all_tickets:
        groups = groups.filter(id__in=user_group_ids(user))
    return groups.order_by("level", "name")


def ticket_children_for(user: User, ticket: Ticket) -> QuerySet[Ticket]:
    """The ticket's child tickets that the user may see."""
    return tickets_visible_to(user).filter(parent=ticket).only("id", "kind", "title", "state")


def ticket_parent_for(user: User, ticket: Ticket) -> Ticket | None:
    """The ticket's parent if the user may see it (a link never tells what the user may not see).

    No query for desk-wide roles (the parent is selected with the ticket), one otherwise.
    """
    if ticket.parent_id is None:
        return None
    if user.sees_all_tickets:
        return ticket.parent
    return tickets_visible_to(user).filter(pk=ticket.parent_id).first()
