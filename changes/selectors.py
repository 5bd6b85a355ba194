"""Reads of change management, already scoped to what the user may see.

Change management is for IT staff: every agent sees every change (the change calendar is meant to
be widely known); end users see none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404

from incidents.models import Ticket
from incidents.selectors import tickets_visible_to
from servicedesk.models import Service, User

from .models import (
    FINAL_STATES,
    SCHEDULED_STATES,
    AdvisoryBoard,
    Approval,
    Change,
    ChangeEvent,
    FreezeWindow,
    RiskAnswer,
    State,
)


def changes_visible_to(user: User) -> QuerySet[Change]:
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return Change.objects.none()
    return Change.objects.all()


def _services_by_name() -> Prefetch[str, QuerySet[Service], str]:
    return Prefetch("services", queryset=Service.objects.only("id", "name").order_by("name"))


def change_list_for(user: User) -> QuerySet[Change]:
    """Visible changes with what a list row shows: one query for the rows, one for their services."""
    return (
        changes_visible_to(user)
        .select_related("requester", "owner", "implementer_group", "release")
        .prefetch_related(_services_by_name())
    )


def change_get_for_user(user: User, pk: object) -> Change:
    """The change if the user may see it; Http404 otherwise."""
    try:
        pk_int = int(str(pk))
    except ValueError:
        raise Http404 from None
    change = (
        changes_visible_to(user)
        .select_related("requester", "owner", "implementer_group", "release", "approval_board", "template")
        .prefetch_related(
            _services_by_name(),
            # Linked tickets the user may not see are left out: a link never tells their title.
            Prefetch("fixes", queryset=_ticket_refs(user)),
            Prefetch("caused_incidents", queryset=_ticket_refs(user)),
            Prefetch("approvals", queryset=Approval.objects.select_related("approver")),
            Prefetch("risk_answers", queryset=RiskAnswer.objects.select_related("question")),
        )
        .filter(pk=pk_int)
        .first()
    )
    if change is None:
        raise Http404
    return change


def _ticket_refs(user: User) -> QuerySet[Ticket]:
    return tickets_visible_to(user).only("id", "kind", "title", "state").order_by("id")


def events_for(change: Change) -> QuerySet[ChangeEvent]:
    return change.events.select_related("actor")


def is_board_member(user: User, change: Change) -> bool:
    """Whether the user sits on the board the change awaits (or awaited) approval from."""
    if change.approval_board_id is None:
        return False
    return AdvisoryBoard.members.through.objects.filter(
        advisoryboard_id=change.approval_board_id, user_id=user.pk
    ).exists()


def awaiting_vote_of(user: User) -> QuerySet[Change]:
    """Changes before a board the user sits on that still wait for the user's vote: not voted
    on yet, and not the user's own (nobody approves their own change, see services.is_own)."""
    return (
        changes_visible_to(user)
        .filter(state=State.AWAITING_APPROVAL, approval_board__members=user)
        .exclude(Q(requester=user) | Q(owner=user))
        .exclude(approvals__approver=user)
    )


def awaiting_vote_count(user: User) -> int:
    """How many changes wait for the user's vote: one query."""
    return awaiting_vote_of(user).count()


def awaiting_vote_list(user: User) -> list[Change]:
    """The changes waiting for the user's vote, soonest planned first, with what a row shows and
    the approvals so far: two queries (the rows, their services), however many."""
    return list(
        awaiting_vote_of(user)
        .select_related("requester", "owner", "approval_board")
        .prefetch_related(_services_by_name())
        .annotate(approved_count=Count("approvals", filter=Q(approvals__decision="approved")))
        .order_by(F("planned_start").asc(nulls_last=True), "created_at", "id")
    )


@dataclass(frozen=True)
class Conflict:
    """Another scheduled change whose window overlaps this one's on a service both change."""

    change: Change
    services: list[Service]


def _conflicting(start: Any, end: Any, service_ids: Any) -> QuerySet[Change]:
    """The conflict rule, in one place: changes scheduled or running whose planned window
    overlaps [start, end) on any of the services. The arguments may be values (one change's
    page) or outer references (a flag on every row of the calendar, in the same query)."""
    return Change.objects.filter(
        state__in=SCHEDULED_STATES,
        planned_start__lt=end,
        planned_end__gt=start,
        services__in=service_ids,
    )


def change_conflicts(change: Change) -> list[Conflict]:
    """Scheduled or running changes that overlap the change's planned window on a shared service.

    A warning, not a refusal: two changes on one service at once may be intended (and the CAB
    decides). At most three queries, however many conflicts.
    """
    if change.planned_start is None or change.planned_end is None or change.state in FINAL_STATES:
        return []
    own_services = [service.pk for service in change.services.all()]  # prefetched on the page
    others = (
        _conflicting(change.planned_start, change.planned_end, own_services)
        .exclude(pk=change.pk)
        .distinct()
        .order_by("planned_start", "id")
        .prefetch_related(
            Prefetch(
                "services",
                Service.objects.filter(pk__in=own_services).only("id", "name").order_by("name"),
                to_attr="shared_services",
            )
        )
    )
    return [Conflict(other, other.shared_services) for other in others]  # type: ignore[attr-defined]


def with_conflict_flag(changes: QuerySet[Change]) -> QuerySet[Change]:
    """Each change annotated `in_conflict`: whether change_conflicts() would warn on its page."""
    own_services = Change.services.through.objects.filter(change_id=OuterRef(OuterRef("pk"))).values(
        "service_id"
    )
    others = _conflicting(OuterRef("planned_start"), OuterRef("planned_end"), own_services).exclude(
        pk=OuterRef("pk")
    )
    return changes.annotate(
        in_conflict=Case(
            When(Q(planned_start__isnull=True) | Q(state__in=FINAL_STATES), then=Value(False)),
            default=Exists(others),
            output_field=BooleanField(),
        )
    )


def freeze_windows_overlapping(
    start: datetime, end: datetime, service_ids: list[int]
) -> QuerySet[FreezeWindow]:
    """Freeze windows overlapping [start, end) that cover any of the services (or all services)."""
    return (
        FreezeWindow.objects.filter(start__lt=end, end__gt=start)
        .filter(Q(services__isnull=True) | Q(services__in=service_ids))
        .distinct()
        .order_by("start", "id")
    )


# On the calendar: everything with a window that is planned, running or done (drafts are not yet
# proposals, and cancelled or rejected changes will not happen).
CALENDAR_EXCLUDED_STATES = frozenset({State.DRAFT, State.CANCELLED, State.REJECTED})


def calendar_changes(user: User, start: datetime, end: datetime, service: Service | None) -> list[Change]:
    """Changes whose planned window overlaps [start, end), on the service if one is given, each
    flagged `in_conflict` (in the same query)."""
    changes = (
        change_list_for(user)
        .filter(planned_start__lt=end, planned_end__gt=start)
        .exclude(state__in=CALENDAR_EXCLUDED_STATES)
    )
    if service is not None:
        changes = changes.filter(services=service)
    return list(with_conflict_flag(changes).order_by("planned_start", "id"))


def calendar_freeze_windows(start: datetime, end: datetime, service: Service | None) -> list[FreezeWindow]:
    windows = FreezeWindow.objects.filter(start__lt=end, end__gt=start)
    if service is not None:
        windows = windows.filter(Q(services__isnull=True) | Q(services=service)).distinct()
    return list(windows.prefetch_related(_services_by_name()).order_by("start", "id"))
