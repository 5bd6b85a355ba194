"""Writes for the service catalogue: submit an order, decide its approvals, fulfil and finish it.

An order lives on a service-request ticket, so every ticket change goes through
incidents.services (which checks, locks, records history, updates the SLA clocks and owes the
caller's e-mails). This module keeps the order's own rows in step with it.

Locks are always taken in the same order — request ticket, then order, then approvals — so two
people acting on one order at once queue instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents import services as tickets
from incidents.models import (
    OPEN_STATES,
    Channel,
    Kind,
    PendingReason,
    ResolutionCode,
    State,
    Ticket,
)
from servicedesk import outbox
from servicedesk.errors import DomainError, IllegalTransition, NotAllowed
from servicedesk.models import Role, User

from .answers import AnswerLine, answer_lines, clean_answers
from .models import (
    OPEN_REQUEST_STATES,
    REQUEST_TRANSITIONS,
    Approval,
    ApprovalStep,
    ApproverKind,
    CatalogueItem,
    CatalogueRequest,
    Decision,
    RequestState,
)

SYSTEM_USERNAME = "catalogue"
APPROVAL_REQUESTED = "catalogue.approval_requested"


def system_user() -> User:
    """The account the catalogue acts as on tickets: it pends, starts, creates and resolves them.

    It works on any group's tickets (administrator role) but can never sign in: it is inactive
    and has no usable password. It has no e-mail address, so tickets it is the caller of (the
    fulfilment tasks) send no e-mail to anyone.
    """
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "first_name": "Service catalogue",
            "last_name": "(system)",
            "role": Role.ADMIN,
            "is_active": False,
            "password": make_password(None),
        },
    )
    return user


def _move(order: CatalogueRequest, target: str) -> None:
    if target not in REQUEST_TRANSITIONS[order.state]:
        raise IllegalTransition(
            _("An order that is %(current)s cannot become %(target)s.")
            % {"current": RequestState(order.state).label, "target": RequestState(target).label}
        )
    order.state = target
    order.save(update_fields=["state"])


def _lock(ticket_id: int) -> CatalogueRequest:
    """Lock the request ticket, then its order (the order every function here locks them in)."""
    Ticket.objects.select_for_update().filter(pk=ticket_id).values_list("pk").first()
    return (
        CatalogueRequest.objects.select_for_update()
        .select_related("item", "ticket__caller")
        .get(pk=ticket_id)
    )


# --- submit ----------------------------------------------------------------------------------------


def _approver_for(step: ApprovalStep, requester: User) -> User:
    if step.approver == ApproverKind.LINE_MANAGER:
        manager = requester.line_manager
        if manager is None or not manager.is_active:
            raise DomainError(
                _(
                    "This item needs your line manager's approval, but no active line manager is "
                    "registered for you. Ask the service desk to register your line manager."
                )
            )
        return manager
    owner = step.service.owner if step.service else None
    if owner is None or not owner.is_active:
        service = step.service.name if step.service else "—"
        raise DomainError(
            _(
                "This item needs the approval of the owner of %(service)s, but that service has no "
                "active owner. Ask the service desk to register one."
            )
            % {"service": service}
        )
    return owner


def _describe(lines: list[AnswerLine]) -> str:
    return "\n".join(f"{line.label}: {line.value}" for line in lines)


def request_submit(
    *,
    item: CatalogueItem,
    requester: User,
    answers: Mapping[str, object],
    channel: str = Channel.PORTAL,
) -> CatalogueRequest:
    """Order an item for oneself.

    1. The item must be orderable and the answers must fit its form (AnswersInvalid names each
       field that does not).
    2. Each approval step's person is found now: the requester's line manager, the service's
       owner. A missing one refuses the order.
    3. The request ticket is logged as the requester, through incidents.services.
    4. The order and all its approvals are stored; a step whose approver is the requester is
       approved at once (nobody else could).
    5. With approvals pending the ticket waits (on hold, out of the queue, its clocks paused) and
       the first approver is e-mailed; otherwise fulfilment starts.
    Nothing is stored if any step refuses.
    """
    if not item.active:
        raise DomainError(_("This item can no longer be ordered."), field="item")
    fields = list(item.fields.all())
    cleaned = clean_answers(fields, answers)
    steps = list(item.approval_steps.select_related("service__owner"))
    approvers = [_approver_for(step, requester) for step in steps]
    with transaction.atomic():
        ticket = tickets.ticket_create(
            actor=requester,
            caller=requester,
            kind=Kind.REQUEST,
            channel=channel,
            title=item.name,
            description=_describe(answer_lines(fields, cleaned)),
            service=item.service,
            category=item.category,
        )
        order = CatalogueRequest.objects.create(
            ticket=ticket, item=item, answers=cleaned, state=RequestState.AWAITING_APPROVAL
        )
        now = timezone.now()
        approvals = Approval.objects.bulk_create(
            Approval(
                request=order,
                step=step,
                order=position,
                kind=step.approver,
                approver=approver,
                **(
                    {
                        "decision": Decision.APPROVED,
                        "decided_at": now,
                        "comment": _("Approved automatically: the requester is the approver."),
                    }
                    if approver.pk == requester.pk
                    else {}
                ),
            )
            for position, (step, approver) in enumerate(zip(steps, approvers, strict=True), start=1)
        )
        pending = [a for a in approvals if a.decision == Decision.PENDING]
        system = system_user()
        if pending:
            tickets.ticket_pend(ticket=ticket, actor=system, reason=PendingReason.THIRD_PARTY)
            outbox.enqueue(APPROVAL_REQUESTED, ticket_id=ticket.pk, approval_id=pending[0].pk)
        else:
            _start_fulfilment(order, system)
    return order


# --- approvals -------------------------------------------------------------------------------------


def approval_approve(
    *, approval: Approval, actor: User, comment: str = "", by_link: bool = False
) -> Approval:
    """Approve one step; the next approver is e-mailed, or after the last one fulfilment starts."""
    return _decide(approval, actor, Decision.APPROVED, comment, by_link)


def approval_reject(*, approval: Approval, actor: User, reason: str, by_link: bool = False) -> Approval:
    """Reject: the order stops, the request ticket is resolved as cancelled with the reason, and
    the requester is told by the ticket's "resolved" e-mail."""
    if not reason.strip():
        raise DomainError(_("Give a reason for the rejection."), field="reason")
    return _decide(approval, actor, Decision.REJECTED, reason, by_link)


def _decide(approval: Approval, actor: User, decision: str, comment: str, by_link: bool) -> Approval:
    with transaction.atomic():
        order = _lock(approval.request_id)
        approval = Approval.objects.select_for_update().get(pk=approval.pk)
        if approval.approver_id != actor.pk:
            raise NotAllowed(_("Only the approver of this step may decide it."))
        if by_link and approval.used_at is not None:
            raise IllegalTransition(_("This link has already been used."))
        if order.state != RequestState.AWAITING_APPROVAL:
            raise IllegalTransition(
                _("This order is %(state)s; it takes no more decisions.")
                % {"state": RequestState(order.state).label.lower()}
            )
        if approval.decision != Decision.PENDING:
            raise IllegalTransition(
                _("This step is already decided: %(decision)s.")
                % {"decision": Decision(approval.decision).label.lower()}
            )
        # While the order awaits approval every earlier step is approved or still pending.
        if order.approvals.filter(order__lt=approval.order, decision=Decision.PENDING).exists():
            raise IllegalTransition(_("An earlier approval step must be decided first."))
        now = timezone.now()
        approval.decision = decision
        approval.decided_at = now
        approval.comment = comment.strip()
        approval.used_at = now if by_link else None
        approval.save(update_fields=["decision", "decided_at", "comment", "used_at"])
        system = system_user()
        tickets.comment_add(ticket=order.ticket, actor=system, body=_decision_note(approval), internal=True)
        if decision == Decision.REJECTED:
            _reject(order, approval, system)
        else:
            following = order.approvals.filter(decision=Decision.PENDING).order_by("order").first()
            if following is not None:
                outbox.enqueue(APPROVAL_REQUESTED, ticket_id=order.pk, approval_id=following.pk)
            else:
                _start_fulfilment(order, system)
    return approval


def _decision_note(approval: Approval) -> str:
    # Internal notes are read by the desk's staff, in its working language.
    with translation.override(settings.LANGUAGE_CODE_FOR_GROUPS):
        values = {
            "name": approval.approver,
            "role": ApproverKind(approval.kind).label.lower(),
            "comment": approval.comment or "—",
        }
        if approval.decision == Decision.APPROVED:
            return _("Approved by %(name)s (%(role)s): %(comment)s") % values
        return _("Rejected by %(name)s (%(role)s): %(comment)s") % values


def _reject(order: CatalogueRequest, approval: Approval, system: User) -> None:
    _move(order, RequestState.REJECTED)
    order.rejection_reason = approval.comment
    order.save(update_fields=["rejection_reason"])
    _withdraw_pending(order)
    requester = order.ticket.caller
    # The note goes to the requester in the ticket's "resolved" e-mail: in their language.
    with translation.override(requester.preferred_language):
        note = _("Your order was not approved by %(name)s (%(role)s). Reason: %(reason)s") % {
            "name": approval.approver,
            "role": ApproverKind(approval.kind).label.lower(),
            "reason": approval.comment,
        }
    tickets.ticket_resolve(ticket=order.ticket, actor=system, code=ResolutionCode.REJECTED, note=note)


def _withdraw_pending(order: CatalogueRequest) -> None:
    order.approvals.filter(decision=Decision.PENDING).update(
        decision=Decision.WITHDRAWN, decided_at=timezone.now()
    )


# --- fulfilment ------------------------------------------------------------------------------------


def _task_description(order: CatalogueRequest) -> str:
    requester = order.ticket.caller
    lines = answer_lines(order.item.fields.all(), order.answers)
    # Read by the fulfilling group (who may not see the order itself): everything they need.
    with translation.override(settings.LANGUAGE_CODE_FOR_GROUPS):
        head = _("Order %(number)s: %(item)s\nFor: %(name)s (%(username)s) %(email)s %(phone)s") % {
            "number": order.ticket.number,
            "item": order.item.name,
            "name": requester,
            "username": requester.username,
            "email": requester.email,
            "phone": requester.phone,
        }
    return f"{head.rstrip()}\n\n{_describe(lines)}"


def _start_fulfilment(order: CatalogueRequest, system: User) -> None:
    """All approvals given: create the fulfilment tasks in their groups' queues.

    Each task is a child ticket logged by the catalogue (caller: the system account, so the
    requester is not e-mailed once per task); its group is e-mailed as for any ticket handed to
    it. The request ticket is started (in progress, out of the queue) until the last task is
    resolved. An item without tasks is fulfilled by the desk from the request ticket itself.
    """
    ticket = Ticket.objects.get(pk=order.pk)
    templates = list(order.item.task_templates.select_related("group"))
    if not templates:
        _move(order, RequestState.APPROVED)
        if ticket.state == State.PENDING and ticket.assignment_group is not None:
            tickets.ticket_assign(ticket=ticket, actor=system, group=ticket.assignment_group)
        return
    description = _task_description(order)
    for template in templates:
        # A retired group would strand the task; the customer centre re-routes it instead.
        group = template.group if template.group.active else tickets.first_line_group()
        task = tickets.ticket_create(
            actor=system,
            caller=system,
            kind=Kind.REQUEST,
            channel=ticket.channel,
            title=template.title,
            description=description,
            service=ticket.service,
            category=ticket.category,
            assignment_group=group,
            parent=ticket,
        )
        outbox.enqueue("ticket.assigned_to_group", ticket_id=task.pk)
    if ticket.state != State.IN_PROGRESS:
        tickets.ticket_start(ticket=ticket, actor=system)
    _move(order, RequestState.FULFILLING)


def on_ticket_resolved(sender: Any, *, ticket: Ticket, actor: User, **kwargs: Any) -> None:
    """incidents.signals.ticket_resolved, inside the resolving transaction.

    A resolved fulfilment task may finish its order; a resolved request ticket settles its
    order's state. Incidents cost no query.
    """
    if ticket.kind != Kind.REQUEST:
        return
    if ticket.parent_id is not None:
        _maybe_finish(ticket.parent_id)
    if not CatalogueRequest.objects.filter(pk=ticket.pk).exists():
        return
    order = _lock(ticket.pk)
    if order.state not in OPEN_REQUEST_STATES:
        return  # rejected (set before the ticket was resolved), or already settled
    cancelled = order.state == RequestState.AWAITING_APPROVAL or ticket.resolution_code in (
        ResolutionCode.CANCELLED,
        ResolutionCode.REJECTED,
        ResolutionCode.DUPLICATE,
    )
    if cancelled:
        _withdraw_pending(order)
    _move(order, RequestState.CANCELLED if cancelled else RequestState.FULFILLED)


def _maybe_finish(order_id: int) -> None:
    """Resolve the request ticket once none of its tasks is open.

    Locking the order before counting matters: when the last two tasks are resolved at the same
    time, each transaction would otherwise still see the other task open and neither would finish
    the order. Under the lock the second waits for the first to commit, then (read committed)
    counts again and sees both resolved.
    """
    if not CatalogueRequest.objects.filter(pk=order_id, state=RequestState.FULFILLING).exists():
        return
    order = _lock(order_id)
    if order.state != RequestState.FULFILLING:
        return
    if Ticket.objects.filter(parent_id=order_id, state__in=OPEN_STATES).exists():
        return
    ticket = Ticket.objects.get(pk=order_id)
    if ticket.state not in OPEN_STATES:
        return
    requester = order.ticket.caller
    with translation.override(requester.preferred_language):
        note = _("Your order has been fulfilled: %(item)s.") % {"item": order.item.name}
    # Its own ticket_resolved signal settles the order as fulfilled (on_ticket_resolved above),
    # and its "resolved" e-mail is the one the requester gets.
    tickets.ticket_resolve(ticket=ticket, actor=system_user(), code=ResolutionCode.FULFILLED, note=note)
