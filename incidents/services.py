"""Writes to tickets: one function per transition, each atomic, each writing its history.

Every entry point (console, API, admin, commands, tasks) calls these; none writes a ticket
directly. Each function: check the actor may act → lock the row → check the transition on the
locked row → save `update_fields` → write one history event per changed field → enqueue side
effects on commit.
"""

from __future__ import annotations

import logging
import mimetypes
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk import outbox
from servicedesk.config_cache import ConfigCache
from servicedesk.errors import AttachmentTooLarge, DomainError, IllegalTransition, NotAllowed
from servicedesk.models import AssignmentGroup, Category, GroupLevel, Role, Service, User
from sla import outages
from sla.clock import sync_ticket_clocks

from . import signals, transitions
from .models import (
    ALLOWED_TRANSITIONS,
    QUEUED_STATES,
    Attachment,
    Channel,
    Comment,
    EventAction,
    Kind,
    PendingReason,
    PostIncidentReview,
    PriorityRule,
    ResolutionCode,
    State,
    Ticket,
    TicketEvent,
)
from .selectors import user_group_ids

logger = logging.getLogger(__name__)

# Files an attachment may be; anything else (HTML, SVG, scripts, executables) is refused.
ALLOWED_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".msg": "application/vnd.ms-outlook",
    ".eml": "message/rfc822",
    ".zip": "application/zip",
}

# Fields an agent may edit directly; state, group and assignee change only by transitions.
EDITABLE_FIELDS = (
    "kind",
    "title",
    "description",
    "service",
    "category",
    "impact",
    "urgency",
    "parent",
    "channel",
)


# --- permissions -------------------------------------------------------------------------


def can_work_on(actor: User, ticket: Ticket) -> bool:
    """Whether an agent may change the ticket: desk-wide roles any, others their groups' only."""
    if actor.sees_all_tickets:
        return True
    if not actor.is_agent:  # end users, auditors, integrations
        return False
    return ticket.assignment_group_id in user_group_ids(actor)


def _ensure_can_work(actor: User, ticket: Ticket) -> None:
    if not can_work_on(actor, ticket):
        raise NotAllowed(_("You may not change tickets of another group."))


def _ensure_agent(actor: User) -> None:
    if not actor.is_agent:
        raise NotAllowed(_("Only service-desk staff may do this."))


def _ensure_transition(ticket: Ticket, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS[ticket.state]:
        raise IllegalTransition(
            _("A ticket that is %(current)s cannot become %(target)s.")
            % {"current": State(ticket.state).label, "target": State(target).label}
        )


# --- history -------------------------------------------------------------------------------


def _record(ticket: Ticket, actor: User | None, step: transitions.Step, *, now: datetime) -> None:
    """Apply the step, save the changed fields, and write one event per recorded field."""
    changes = transitions.apply(ticket, step.values)
    ticket.updated_at = now
    ticket.save(update_fields=[c.field for c in changes] + ["updated_at"])
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=ticket,
            actor=actor,
            action=step.action,
            field=_event_field(c.field),
            old_value=transitions.history_value(c.old),
            new_value=transitions.history_value(c.new),
            details=transitions.event_details(c, step.details),
            created_at=now,
        )
        for c in changes
        if c.field not in transitions.UNRECORDED_FIELDS
    )
    sync_ticket_clocks(ticket)


def _event_field(field: str) -> str:
    return field.removesuffix("_id")


def _lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock: the state checked is the state changed."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    return locked


def _notify(ticket: Ticket, event: str) -> None:
    # An outbox row in this transaction: sent by a beat task later, never lost with the broker.
    outbox.enqueue(f"ticket.{event}", ticket_id=ticket.pk)


# --- priority ------------------------------------------------------------------------------


def _load_priority_matrix() -> dict[tuple[int, int], int]:
    return {(i, u): p for i, u, p in PriorityRule.objects.values_list("impact", "urgency", "priority")}


# Read on every create and every impact or urgency change; reloaded when an admin edits a cell.
PRIORITY_MATRIX = ConfigCache("priority-matrix", _load_priority_matrix)
PRIORITY_MATRIX.watch(PriorityRule)


def priority_for(impact: int, urgency: int) -> int:
    priority = PRIORITY_MATRIX.get().get((impact, urgency))
    if priority is None:
        raise DomainError(
            _("The priority matrix has no cell for impact %(impact)s and urgency %(urgency)s.")
            % {"impact": impact, "urgency": urgency},
            field="impact",
        )
    return priority


def first_line_group() -> AssignmentGroup:
    """The customer centre: the first-line group new tickets are logged to by default."""
    group = AssignmentGroup.objects.filter(level=GroupLevel.FIRST_LINE, active=True).order_by("id").first()
    if group is None:
        raise DomainError(_("No first-line assignment group is configured."), field="assignment_group")
    return group


# --- create and edit -----------------------------------------------------------------------


def ticket_create(
    *,
    actor: User,
    caller: User,
    title: str,
    description: str = "",
    kind: str = Kind.INCIDENT,
    channel: str = Channel.PHONE,
    service: Service | None = None,
    category: Category | None = None,
    impact: int = 3,
    urgency: int = 3,
    assignment_group: AssignmentGroup | None = None,
    major_incident: bool = False,
    parent: Ticket | None = None,
) -> Ticket:
    """Log a ticket. End users log only for themselves, from the portal or the API."""
    if not actor.is_agent:
        caller = actor
        if channel not in (Channel.PORTAL, Channel.API, Channel.EMAIL):
            channel = Channel.PORTAL
        assignment_group = None
        major_incident = False
        parent = None
    if assignment_group is not None and not assignment_group.active:
        raise DomainError(_("That assignment group is inactive."), field="assignment_group")
    if major_incident:
        _ensure_major_manager(actor)
    now = timezone.now()
    with transaction.atomic():
        group = assignment_group or first_line_group()
        ticket = Ticket.objects.create(
            kind=kind,
            caller=caller,
            created_by=actor,
            channel=channel,
            service=service,
            category=category,
            impact=impact,
            urgency=urgency,
            priority=priority_for(impact, urgency),
            title=title,
            description=description,
            state=State.NEW,
            assignment_group=group,
            queue_entered_at=now,
            parent=parent,
            created_at=now,
            updated_at=now,
        )
        created = TicketEvent.objects.create(
            ticket=ticket,
            actor=actor,
            action=EventAction.CREATED,
            new_value=ticket.number,
            details=transitions.created_details(ticket),
            created_at=now,
        )
        sync_ticket_clocks(ticket, created=created)
        _notify(ticket, "created")
        if major_incident:  # logged as a major incident: declared at once, impact from now
            ticket = ticket_declare_major(ticket=ticket, actor=actor, impact_start=now)
    return ticket


def ticket_update(*, ticket: Ticket, actor: User, **values: Any) -> Ticket:
    """Edit descriptive fields; a new impact or urgency recomputes the priority."""
    _ensure_agent(actor)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be edited: %s") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        ticket = _lock(ticket)
        _ensure_can_work(actor, ticket)
        if ticket.state == State.CLOSED:
            raise IllegalTransition(_("A closed ticket cannot be edited."))
        parent = values.get("parent")
        if parent is not None and (parent.pk == ticket.pk or parent.parent_id == ticket.pk):
            raise DomainError(_("A ticket cannot be its own parent or its child's child."), field="parent")
        impact = values.get("impact", ticket.impact)
        urgency = values.get("urgency", ticket.urgency)
        if "impact" in values or "urgency" in values:
            values["priority"] = priority_for(impact, urgency)
        if any(getattr(ticket, name) != value for name, value in values.items()):
            _record(ticket, actor, transitions.Step(EventAction.UPDATED, values), now=timezone.now())
    return ticket


# --- assignment and queues -----------------------------------------------------------------


def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    group: AssignmentGroup,
    assignee: User | None = None,
    note: str = "",
) -> Ticket:
    """Assign to a group (and optionally a member). A new group is an escalation or hand-over:
    the ticket goes into that group's queue and the reassignment is counted. A work note (why,
    and what the next person needs to know) is kept on the history rows of the change."""
    _ensure_agent(actor)
    if not group.active:
        raise DomainError(_("That assignment group is inactive."), field="group")
    if assignee is not None and not group.members.filter(pk=assignee.pk).exists():
        raise DomainError(_("The assignee is not a member of that group."), field="assignee")
    with transaction.atomic():
        ticket = _lock(ticket)
        _ensure_can_work(actor, ticket)
        _ensure_transition(ticket, State.ASSIGNED)
        now = timezone.now()
        group_changed = group.pk != ticket.assignment_group_id
        step = transitions.assign(ticket, group=group, assignee=assignee, now=now)
        if note.strip():
            step.details["note"] = note.strip()
        _record(ticket, actor, step, now=now)
        if group_changed:
            _notify(ticket, "assigned_to_group")
    return ticket


def ticket_escalate(*, ticket: Ticket, actor: User, group: AssignmentGroup, note: str = "") -> Ticket:
    """Escalate to another group's queue (e.g. first line → second line)."""
    _ensure_agent(actor)  # first: the refusal below would tell an end user where the ticket is
    if group.pk == ticket.assignment_group_id:
        raise DomainError(_("The ticket is already with that group."), field="group")
    return ticket_assign(ticket=ticket, actor=actor, group=group, note=note)


def _claim_locked(ticket: Ticket, actor: User, now: datetime) -> Ticket:
    _record(ticket, actor, transitions.claim(ticket, actor=actor, now=now), now=now)
    return ticket


def ticket_claim(*, ticket: Ticket, actor: User) -> Ticket:
    """Take an unclaimed ticket from its group's queue and start working on it."""
    _ensure_agent(actor)
    with transaction.atomic():
        ticket = _lock(ticket)
        _ensure_can_work(actor, ticket)
        if ticket.assignee_id is not None or ticket.state not in QUEUED_STATES:
            raise IllegalTransition(_("This ticket has already been claimed."))
        return _claim_locked(ticket, actor, timezone.now())


def queue_claim_next(*, group: AssignmentGroup, actor: User) -> Ticket | None:
    """Hand the caller the oldest highest-priority unclaimed ticket of the group, or None.

    On PostgreSQL, SKIP LOCKED lets concurrent agents each lock a different row instead of
    queueing behind one another; the state is re-checked on the locked row, so no ticket is
    handed out twice. SQLite (the demo) serialises writers, which gives the same guarantee.
    """
    _ensure_agent(actor)
    if not actor.sees_all_tickets and group.pk not in user_group_ids(actor):
        raise NotAllowed(_("You may only claim from your own groups' queues."))
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        candidates = Ticket.objects.filter(
            assignment_group=group, assignee__isnull=True, state__in=QUEUED_STATES
        ).order_by("priority", "queue_entered_at", "id")
        ticket = candidates.select_for_update(skip_locked=skip_locked).first()
        if ticket is None:
            return None
        return _claim_locked(ticket, actor, timezone.now())


# --- work states ---------------------------------------------------------------------------


def ticket_start(*, ticket: Ticket, actor: User) -> Ticket:
    """Work (again) on the ticket: in progress, taking it if nobody has it."""
    _ensure_agent(actor)
    with transaction.atomic():
        ticket = _lock(ticket)
        _ensure_can_work(actor, ticket)
        _ensure_transition(ticket, State.IN_PROGRESS)
        if ticket.state == State.RESOLVED:
            raise IllegalTransition(_("Reopen a resolved ticket instead."))
        _record(ticket, actor, transitions.start(ticket, actor=actor), now=timezone.now())
    return ticket


def ticket_pend(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """Put on hold while waiting for the customer or a third party."""
    _ensure_agent(actor)
    if reason not in PendingReason.values:
        raise DomainError(_("Choose why the ticket is pending."), field="reason")
    with transaction.atomic():
        ticket = _lock(ticket)
        _ensure_can_work(actor, ticket)
        _ensure_transition(ticket, State.PENDING)
        _record(ticket, actor, transitions.pend(ticket, reason=reason), now=timezone.now())
    return ticket


def ticket_resolve(*, ticket: Ticket, actor: User, code: str, note: str) -> Ticket:
    """Resolve: record how, by whom and by which group (for first-line resolution)."""
    _ensure_agent(actor)
    if code not in ResolutionCode.values:
        raise DomainError(_("Choose a resolution code."), field="code")
    if not note.strip():
        raise DomainError(_("Describe the resolution."), field="note")
    with transaction.atomic():
        ticket = _lock(ticket)
        _ensure_can_work(actor, ticket)
        _ensure_transition(ticket, State.RESOLVED)
        now = timezone.now()
        if ticket.major_active:  # resolved before anyone said the service was back: it is now
            outages.incident_outages_end(ticket=ticket, actor=actor, ended_at=now)
        step = transitions.resolve(ticket, actor=actor, code=code, note=note, now=now)
        _record(ticket, actor, step, now=now)
        _notify(ticket, "resolved")
        signals.ticket_resolved.send(sender=Ticket, ticket=ticket, actor=actor)
    return ticket


def ticket_reopen(*, ticket: Ticket, actor: User, reason: str = "") -> Ticket:
    """Reopen a resolved ticket (the caller or an agent): back in progress with its assignee."""
    with transaction.atomic():
        ticket = _lock(ticket)
        if actor.role == Role.END_USER or not actor.is_agent:
            if ticket.caller_id != actor.pk:
                raise NotAllowed(_("Only the caller may reopen this ticket."))
        else:
            _ensure_can_work(actor, ticket)
        if ticket.state != State.RESOLVED:
            raise IllegalTransition(_("Only a resolved ticket can be reopened."))
        now = timezone.now()
        _record(ticket, actor, transitions.reopen(ticket, reason=reason, now=now), now=now)
    return ticket


def ticket_close(*, ticket: Ticket, actor: User | None) -> Ticket:
    """Close a resolved ticket; actor None is the system closing it after the reopen window.

    The caller may close their own resolved ticket too ("it is fixed" in the portal).
    """
    if actor is not None and not actor.is_agent and ticket.caller_id != actor.pk:
        _ensure_agent(actor)
    with transaction.atomic():
        ticket = _lock(ticket)
        if actor is not None and actor.is_agent:
            _ensure_can_work(actor, ticket)
        elif actor is not None and ticket.caller_id != actor.pk:
            raise NotAllowed(_("Only the caller may close this ticket."))
        _ensure_transition(ticket, State.CLOSED)
        if ticket.major_incident and not PostIncidentReview.objects.filter(ticket=ticket).exists():
            raise IllegalTransition(_("A major incident is closed only after its post-incident review."))
        now = timezone.now()
        _record(ticket, actor, transitions.close(ticket, now=now), now=now)
    return ticket


def tickets_close_resolved(*, resolved_before: datetime, limit: int = 500) -> int:
    """Close tickets resolved before the cut-off (the caller did not reopen them in time).

    Safe to run twice or concurrently: each ticket is closed under its row lock, and one that
    was closed or reopened meanwhile is skipped.
    """
    ids = list(
        Ticket.objects.filter(state=State.RESOLVED, resolved_at__lt=resolved_before)
        .order_by("resolved_at")
        .values_list("id", flat=True)[:limit]
    )
    closed = 0
    for ticket_id in ids:
        try:
            ticket_close(ticket=Ticket(pk=ticket_id), actor=None)
        except IllegalTransition:
            continue
        closed += 1
    return closed


# --- major incidents -----------------------------------------------------------------------


# Who declares and ends major incidents and writes their reviews.
MAJOR_INCIDENT_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def can_manage_major(actor: User) -> bool:
    return actor.is_superuser or actor.role in MAJOR_INCIDENT_ROLES


def _ensure_major_manager(actor: User) -> None:
    if not can_manage_major(actor):
        raise NotAllowed(_("Only service-desk managers may declare, end or review major incidents."))


def _not_future(at: datetime, field: str) -> None:
    if at > timezone.now() + outages.CLOCK_TOLERANCE:
        raise DomainError(_("The time cannot be in the future."), field=field)


def ticket_declare_major(
    *,
    ticket: Ticket,
    actor: User,
    impact_start: datetime | None = None,
    services: list[Service] | None = None,
) -> Ticket:
    """Declare an open incident a major incident (a manager confirms what priority 1 on a tier-1
    service proposes, or decides so for another incident).

    1. Managers only; the ticket is an open incident not already major.
    2. The affected services (default: the ticket's service) each get an unplanned outage from
       the impact start (default: when the ticket was logged), open until the incident ends.
    3. One history row per changed field (major_incident, major_declared_at).
    """
    _ensure_major_manager(actor)
    if impact_start is not None:
        _not_future(impact_start, "impact_start")
    with transaction.atomic():
        ticket = _lock(ticket)
        if ticket.kind != Kind.INCIDENT:
            raise IllegalTransition(_("Only an incident can be a major incident."))
        if ticket.major_incident:
            raise IllegalTransition(_("This ticket is already a major incident."))
        if not ticket.is_open:
            raise IllegalTransition(_("A resolved or closed ticket cannot become a major incident."))
        affected = services or ([ticket.service] if ticket.service is not None else [])
        if not affected:
            raise DomainError(_("Choose the affected services."), field="services")
        now = timezone.now()
        start = impact_start or ticket.created_at
        values = {"major_incident": True, "major_declared_at": now, "major_ended_at": None}
        step = transitions.Step(
            EventAction.MAJOR_DECLARED,
            values,
            {"services": [service.pk for service in affected], "impact_start": start.isoformat()},
        )
        _record(ticket, actor, step, now=now)
        outages.incident_outages_open(ticket=ticket, actor=actor, services=affected, started_at=start)
        _notify(ticket, "major_declared")
    return ticket


def ticket_end_major(*, ticket: Ticket, actor: User, restored_at: datetime | None = None) -> Ticket:
    """The major incident is over: service restored at `restored_at` (default now); its open
    outages end then. The ticket stays open for the follow-up and the review."""
    _ensure_major_manager(actor)
    if restored_at is not None:
        _not_future(restored_at, "restored_at")
    with transaction.atomic():
        ticket = _lock(ticket)
        if not ticket.major_active:
            raise IllegalTransition(_("This ticket is not an ongoing major incident."))
        now = timezone.now()
        restored = restored_at or now
        ended = outages.incident_outages_end(ticket=ticket, actor=actor, ended_at=restored)
        step = transitions.Step(
            EventAction.MAJOR_ENDED,
            {"major_ended_at": restored},
            {"outages": [outage.pk for outage in ended]},
        )
        _record(ticket, actor, step, now=now)
        _notify(ticket, "major_ended")
    return ticket


def ticket_link_major(*, ticket: Ticket, actor: User, related: Ticket) -> Ticket:
    """Link a related ticket (a call about the same failure) to the major incident: it becomes
    the incident's child. Linking twice changes nothing. Returns the related ticket."""
    _ensure_agent(actor)
    if related.pk == ticket.pk:
        raise DomainError(_("A major incident cannot be linked to itself."), field="ticket")
    with transaction.atomic():
        # Both rows locked, in id order, so two links at once cannot deadlock.
        locked = {
            t.pk: t
            for t in Ticket.objects.select_for_update().filter(pk__in=[ticket.pk, related.pk]).order_by("pk")
        }
        ticket, related = locked[ticket.pk], locked[related.pk]
        _ensure_can_work(actor, related)
        if not ticket.major_incident or ticket.state == State.CLOSED:
            raise IllegalTransition(_("Tickets are linked only to a major incident that is not closed."))
        if related.state == State.CLOSED:
            raise IllegalTransition(_("A closed ticket cannot be linked."))
        if related.parent_id == ticket.pk:
            return related
        if related.major_incident or ticket.parent_id == related.pk:
            raise DomainError(_("A major incident cannot be linked to another one."), field="ticket")
        now = timezone.now()
        _record(related, actor, transitions.Step(EventAction.LINKED, {"parent": ticket}), now=now)
        TicketEvent.objects.create(
            ticket=ticket,
            actor=actor,
            action=EventAction.LINKED,
            new_value=related.number,
            details={"linked": related.pk},
            created_at=now,
        )
    return related


def ticket_review_major(
    *, ticket: Ticket, actor: User, cause: str, actions: str, owner: User, due: date
) -> PostIncidentReview:
    """Write (or correct) the post-incident review of a major incident: cause, actions, who
    owns them and by when. Required before the incident closes."""
    _ensure_major_manager(actor)
    if not cause.strip():
        raise DomainError(_("Describe the cause."), field="cause")
    if not actions.strip():
        raise DomainError(_("Describe the actions."), field="actions")
    if not owner.is_active or not owner.is_agent:
        raise DomainError(_("The owner of the actions must be an active member of staff."), field="owner")
    with transaction.atomic():
        ticket = _lock(ticket)
        if not ticket.major_incident:
            raise IllegalTransition(_("Only a major incident has a post-incident review."))
        if ticket.major_active:
            raise IllegalTransition(_("End the major incident before writing its review."))
        if ticket.state == State.CLOSED:
            raise IllegalTransition(_("A closed ticket cannot be edited."))
        now = timezone.now()
        review, created = PostIncidentReview.objects.update_or_create(
            ticket=ticket,
            defaults={"cause": cause, "actions": actions, "owner": owner, "due": due, "updated_at": now},
            create_defaults={
                "cause": cause,
                "actions": actions,
                "owner": owner,
                "due": due,
                "written_by": actor,
                "created_at": now,
                "updated_at": now,
            },
        )
        TicketEvent.objects.create(
            ticket=ticket,
            actor=actor,
            action=EventAction.REVIEWED,
            new_value=cause[:200],
            details={
                "created": created,
                "cause": cause,
                "actions": actions,
                "owner": owner.pk,
                "due": due.isoformat(),
            },
            internal=True,
            created_at=now,
        )
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return review


# --- conversation and files ----------------------------------------------------------------


def _ensure_may_converse(actor: User, ticket: Ticket) -> None:
    """Agents who may see the ticket, and its caller, may add comments and files."""
    if actor.is_agent or ticket.caller_id == actor.pk:
        return
    raise NotAllowed(_("You may not comment on this ticket."))


def comment_add(*, ticket: Ticket, actor: User, body: str, internal: bool = False) -> Comment:
    """Add a comment; only agents write internal ones (for end users the flag is ignored)."""
    _ensure_may_converse(actor, ticket)
    if not body.strip():
        raise DomainError(_("Write a comment."), field="body")
    internal = internal and actor.is_agent
    with transaction.atomic():
        if ticket.state == State.CLOSED:
            raise IllegalTransition(_("A closed ticket takes no more comments."))
        now = timezone.now()
        comment = Comment.objects.create(
            ticket=ticket, author=actor, body=body, internal=internal, created_at=now
        )
        TicketEvent.objects.create(
            ticket=ticket,
            actor=actor,
            action=EventAction.COMMENTED,
            details={"comment": comment.pk},
            internal=internal,
            created_at=now,
        )
        if actor.is_agent and not internal:
            sync_ticket_clocks(ticket)  # a public answer by an agent is the first response
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return comment


def attachment_add(
    *, ticket: Ticket, actor: User, upload: UploadedFile[bytes], internal: bool = False
) -> Attachment:
    """Store a file on the ticket after checking its size and type."""
    _ensure_may_converse(actor, ticket)
    filename = PurePath(upload.name or "file").name[:200]
    extension = PurePath(filename).suffix.lower()
    if upload.size is None or upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise AttachmentTooLarge(
            _("The file is larger than the limit of %(mb)s MB.")
            % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    if extension not in ALLOWED_ATTACHMENT_TYPES:
        raise DomainError(
            _("Files of type '%(ext)s' are not allowed.") % {"ext": extension or filename},
            field="file",
        )
    internal = internal and actor.is_agent
    with transaction.atomic():
        if ticket.state == State.CLOSED:
            raise IllegalTransition(_("A closed ticket takes no more files."))
        now = timezone.now()
        attachment = Attachment(
            ticket=ticket,
            filename=filename,
            # Our own type for the extension, never the client's claim.
            content_type=ALLOWED_ATTACHMENT_TYPES.get(extension)
            or mimetypes.guess_type(filename)[0]
            or "application/octet-stream",
            size=upload.size,
            internal=internal,
            uploaded_by=actor,
            created_at=now,
        )
        attachment.file.save(filename, upload, save=False)
        attachment.save()
        TicketEvent.objects.create(
            ticket=ticket,
            actor=actor,
            action=EventAction.ATTACHED,
            new_value=filename,
            details={"attachment": attachment.pk},
            internal=internal,
            created_at=now,
        )
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return attachment


# --- the first-line agent's one-submit call --------------------------------------------------


def log_call(
    *,
    actor: User,
    caller: User,
    title: str,
    description: str = "",
    kind: str = Kind.INCIDENT,
    channel: str = Channel.PHONE,
    service: Service | None = None,
    category: Category | None = None,
    impact: int = 3,
    urgency: int = 3,
    resolve_code: str = "",
    resolve_note: str = "",
    escalate_to: AssignmentGroup | None = None,
) -> Ticket:
    """Log a call and, in the same transaction, resolve it at once or escalate it to a group.

    All or nothing: if the resolution or escalation is refused, no ticket is left behind.
    """
    _ensure_agent(actor)
    if resolve_code and escalate_to is not None:
        raise DomainError(_("Either resolve the call or escalate it, not both."), field="escalate_to")
    with transaction.atomic():
        group = first_line_group() if actor.sees_all_tickets else _own_first_group(actor)
        ticket = ticket_create(
            actor=actor,
            caller=caller,
            title=title,
            description=description,
            kind=kind,
            channel=channel,
            service=service,
            category=category,
            impact=impact,
            urgency=urgency,
            assignment_group=group,
        )
        if resolve_code:
            ticket = ticket_resolve(ticket=ticket, actor=actor, code=resolve_code, note=resolve_note)
        elif escalate_to is not None:
            ticket = ticket_escalate(ticket=ticket, actor=actor, group=escalate_to)
        else:
            ticket = ticket_claim(ticket=ticket, actor=actor)
    return ticket


def _own_first_group(actor: User) -> AssignmentGroup:
    group = actor.assignment_groups.filter(active=True).order_by("level", "id").first()
    return group or first_line_group()
