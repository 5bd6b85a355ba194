"""What each ticket transition changes, as pure functions: no database, no permission checks.

The services (incidents/services.py) check, lock, save and record these changes; the demo data
generator replays past histories through the very same functions, so the rules live once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Model

from servicedesk.models import AssignmentGroup, User

from .models import EventAction, State, Ticket

# Bookkeeping columns derived from the recorded ones; they carry no history rows of their own.
UNRECORDED_FIELDS = frozenset(
    {
        "queue_entered_at",
        "reassignment_count",
        "reopen_count",
        "resolved_by_group",
        "closed_at",
        "resolved_at",
    }
)


@dataclass
class Step:
    """One transition: the event action, the new field values and details for its events."""

    action: str
    values: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)


def history_value(value: Any) -> str:
    """How a field value is written in a history row: people and groups by name."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@dataclass
class Change:
    field: str
    old: Any
    new: Any


def event_details(change: Change, details: dict[str, Any]) -> dict[str, Any]:
    """An event's details; a changed reference also keeps its ids (names change, ids do not)."""
    if isinstance(change.old, Model) or isinstance(change.new, Model):
        return {
            **details,
            "old_id": getattr(change.old, "pk", None),
            "new_id": getattr(change.new, "pk", None),
        }
    return details


def apply(ticket: Ticket, values: dict[str, Any]) -> list[Change]:
    """Set the values on the (unsaved) ticket; return what actually changed."""
    changes = []
    for name, new in values.items():
        old = getattr(ticket, name)
        if old != new:
            changes.append(Change(name, old, new))
            setattr(ticket, name, new)
    return changes


def assign(ticket: Ticket, *, group: AssignmentGroup, assignee: User | None, now: datetime) -> Step:
    """To a group (and maybe a member). A new group counts as a reassignment; a move to a higher
    level is an escalation. Without an assignee the ticket (re-)enters the group's queue."""
    current = ticket.assignment_group
    group_changed = current is None or group.pk != current.pk
    values: dict[str, Any] = {
        "assignment_group": group,
        "assignee": assignee,
        "state": State.ASSIGNED,
        "pending_reason": "",
    }
    if group_changed:
        values["reassignment_count"] = ticket.reassignment_count + 1
    if assignee is not None:
        values["queue_entered_at"] = None  # handed to a person: out of the queue
    elif group_changed or ticket.assignee_id is not None:
        values["queue_entered_at"] = now
    old_level = current.level if current else 0
    escalated = group_changed and group.level > old_level
    return Step(EventAction.ESCALATED if escalated else EventAction.ASSIGNED, values)


def claim(ticket: Ticket, *, actor: User, now: datetime) -> Step:
    """Out of the queue into the actor's hands; the wait in the queue is kept on the event."""
    entered = ticket.queue_entered_at
    wait = (now - entered).total_seconds() if entered else None
    return Step(
        EventAction.CLAIMED,
        {"assignee": actor, "state": State.IN_PROGRESS, "queue_entered_at": None},
        {"queue_wait_seconds": wait, "group": ticket.assignment_group_id},
    )


def start(ticket: Ticket, *, actor: User) -> Step:
    values: dict[str, Any] = {"state": State.IN_PROGRESS, "pending_reason": ""}
    if ticket.assignee_id is None:
        values.update(assignee=actor, queue_entered_at=None)
    return Step(EventAction.STARTED, values)


def pend(ticket: Ticket, *, reason: str) -> Step:
    return Step(EventAction.PENDED, {"state": State.PENDING, "pending_reason": reason})


def resolve(ticket: Ticket, *, actor: User, code: str, note: str, now: datetime) -> Step:
    """Resolved by the ticket's current group (the basis of first-line resolution)."""
    values: dict[str, Any] = {
        "state": State.RESOLVED,
        "pending_reason": "",
        "resolution_code": code,
        "resolution_note": note,
        "resolved_at": now,
        "resolved_by_group": ticket.assignment_group,
        "queue_entered_at": None,
    }
    if ticket.assignee_id is None:
        values["assignee"] = actor
    if ticket.major_active:
        values["major_ended_at"] = now  # resolved: the service is back, if nobody said so before
    return Step(EventAction.RESOLVED, values)


def reopen(ticket: Ticket, *, reason: str, now: datetime) -> Step:
    """Back to work with its assignee (or its group's queue if it has none)."""
    # Kept on the event: first-line resolution excludes tickets reopened soon after resolving.
    since_resolved = (now - ticket.resolved_at).total_seconds() if ticket.resolved_at else None
    values: dict[str, Any] = {
        "state": State.IN_PROGRESS,
        "resolved_at": None,
        "resolved_by_group": None,
        "resolution_code": "",
        "resolution_note": "",
        "reopen_count": ticket.reopen_count + 1,
    }
    if ticket.assignee_id is None:
        values.update(state=State.ASSIGNED, queue_entered_at=now)
    return Step(EventAction.REOPENED, values, {"reason": reason, "seconds_since_resolved": since_resolved})


def close(ticket: Ticket, *, now: datetime) -> Step:
    return Step(EventAction.CLOSED, {"state": State.CLOSED, "closed_at": now})


def created_details(ticket: Ticket) -> dict[str, Any]:
    """Details of a ticket's 'created' event."""
    group = ticket.assignment_group
    return {
        "kind": ticket.kind,
        "channel": ticket.channel,
        "priority": ticket.priority,
        "assignment_group": group.name if group else "",
        "assignment_group_id": group.pk if group else None,
        "service_id": ticket.service_id,
    }
