"""Writes to changes: one function per transition, each atomic, each writing its history.

Every entry point (console, API, admin) calls these; none writes a change directly. Each
function: check the actor's role → lock the row → check the actor and the transition on the
locked row → save `update_fields` → write one history event per changed field (one event
without a field when a step changes none, e.g. an approval short of the quorum) → owe e-mails
through the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Ticket
from incidents.selectors import user_group_ids
from incidents.transitions import history_value
from servicedesk import outbox
from servicedesk.errors import DomainError, IllegalTransition, NotAllowed
from servicedesk.models import Role, User
from sla import outages

from . import selectors
from .models import (
    ALLOWED_TRANSITIONS,
    PREPARATION_STATES,
    Approval,
    ApprovalRule,
    Change,
    ChangeEvent,
    ChangeType,
    Decision,
    EventAction,
    Outcome,
    RiskAnswer,
    RiskQuestion,
    StandardChangeTemplate,
    State,
    risk_level,
)

# Roles that run change management: create, assess, schedule and close changes.
MANAGER_ROLES = frozenset({Role.CHANGE_MANAGER, Role.MANAGER, Role.ADMIN})

# What the request says; fixed once it goes to the board, which approves exactly this.
CONTENT_FIELDS = (
    "title",
    "description",
    "justification",
    "services",
    "impact",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "planned_start",
    "planned_end",
)
# Who does it and what it is linked to; editable until the change is final (incidents caused
# by a change are often found in its review).
LINK_FIELDS = ("owner", "implementer_group", "release", "fixes", "caused_incidents")
EDITABLE_FIELDS = CONTENT_FIELDS + LINK_FIELDS
MANY_FIELDS = frozenset({"services", "fixes", "caused_incidents"})


# --- permissions ---------------------------------------------------------------------------


def can_manage(user: User) -> bool:
    """Change managers, managers and admins run change management."""
    return user.is_active and (user.is_superuser or user.role in MANAGER_ROLES)


def can_implement(user: User, change: Change) -> bool:
    """Change managers, and members of the change's implementer group."""
    if can_manage(user):
        return True
    return change.implementer_group_id is not None and change.implementer_group_id in user_group_ids(user)


def is_own(user: User, change: Change) -> bool:
    """Whether the user requested or owns the change (and so may not approve it)."""
    return user.pk in (change.requester_id, change.owner_id)


def _ensure_agent(actor: User) -> None:
    if not actor.is_agent:
        raise NotAllowed(_("Only service-desk staff may do this."))


def _ensure_manager(actor: User) -> None:
    if not can_manage(actor):
        raise NotAllowed(_("Only change managers may do this."))


def _ensure_transition(change: Change, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS[change.state]:
        raise IllegalTransition(
            _("A change that is %(current)s cannot become %(target)s.")
            % {"current": State(change.state).label, "target": State(target).label}
        )


def _ensure_awaiting_approval(change: Change) -> None:
    if change.state != State.AWAITING_APPROVAL:
        raise IllegalTransition(
            _("A change that is %(current)s is not awaiting approval.")
            % {"current": State(change.state).label}
        )


def _ensure_may_decide(actor: User, change: Change) -> None:
    if not selectors.is_board_member(actor, change):
        raise NotAllowed(
            _("Only members of %(board)s may approve or reject this change.")
            % {"board": change.approval_board}
        )
    if is_own(actor, change):
        raise NotAllowed(_("Nobody approves their own change: you requested it or own it."))


# --- history -------------------------------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any


def _text(value: Any) -> str:
    """How a value is written in a history row: tickets by number, lists joined."""
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, Ticket):
        return value.number
    return history_value(value)


def _ids(change: FieldChange) -> dict[str, Any]:
    """A changed reference also keeps its ids (names change, ids do not)."""
    if isinstance(change.old, list):
        return {"old_ids": [item.pk for item in change.old], "new_ids": [item.pk for item in change.new]}
    if isinstance(change.old, Model) or isinstance(change.new, Model):
        return {"old_id": getattr(change.old, "pk", None), "new_id": getattr(change.new, "pk", None)}
    return {}


def _apply(change: Change, values: Mapping[str, Any]) -> list[FieldChange]:
    """Set the values on the (locked) change; return what actually changed."""
    changed = []
    for name, new in values.items():
        old = getattr(change, name)
        if old != new:
            changed.append(FieldChange(name, old, new))
            setattr(change, name, new)
    return changed


def _set_many(change: Change, name: str, new: Iterable[Model]) -> FieldChange | None:
    manager = getattr(change, name)
    old = list(manager.order_by("pk"))
    new_list = sorted(new, key=lambda item: item.pk)
    if [item.pk for item in old] == [item.pk for item in new_list]:
        return None
    manager.set(new_list)
    return FieldChange(name, old, new_list)


def _save(
    change: Change,
    actor: User | None,
    action: str,
    changed: Sequence[FieldChange],
    *,
    details: dict[str, Any] | None = None,
) -> None:
    """Save the changed fields and write one event per changed field (or one without a field)."""
    now = timezone.now()
    change.updated_at = now
    change.save(update_fields=[c.field for c in changed if c.field not in MANY_FIELDS] + ["updated_at"])
    details = details or {}
    events = [
        ChangeEvent(
            change=change,
            actor=actor,
            action=action,
            field=c.field,
            old_value=_text(c.old),
            new_value=_text(c.new),
            details={**details, **_ids(c)},
            created_at=now,
        )
        for c in changed
    ] or [ChangeEvent(change=change, actor=actor, action=action, details=details, created_at=now)]
    ChangeEvent.objects.bulk_create(events)


def _record(
    change: Change,
    actor: User,
    action: str,
    values: Mapping[str, Any],
    *,
    details: dict[str, Any] | None = None,
) -> None:
    _save(change, actor, action, _apply(change, values), details=details)


def _lock(change: Change) -> Change:
    """Re-read the change under a row lock: the state checked is the state changed."""
    return Change.objects.select_for_update().get(pk=change.pk)


# --- validation ------------------------------------------------------------------------------


def _check_window(start: datetime | None, end: datetime | None) -> None:
    if (start is None) != (end is None):
        raise DomainError(
            _("Give both the planned start and the planned end, or neither."),
            field="planned_end" if end is None else "planned_start",
        )
    if start is not None and end is not None and end <= start:
        raise DomainError(_("The planned end must be after the planned start."), field="planned_end")


def _local(instant: datetime) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M")


def _ensure_ready(change: Change) -> None:
    """What a board needs to judge a request: the services it touches and how to do and undo it."""
    if not change.services.exists():
        raise DomainError(_("Name the services the change affects."), field="services")
    if not change.implementation_plan.strip():
        raise DomainError(_("Describe how the change will be implemented."), field="implementation_plan")
    if not change.backout_plan.strip():
        raise DomainError(_("Describe how the change can be backed out."), field="backout_plan")


# --- create and edit -------------------------------------------------------------------------


def change_create(
    *,
    actor: User,
    title: str,
    change_type: str = ChangeType.NORMAL,
    template: StandardChangeTemplate | None = None,
    **values: Any,
) -> Change:
    """Raise a change (a draft); the actor is its requester. A standard change comes from an
    active template, which gives its plans (unless given) and its pre-assessed risk."""
    _ensure_agent(actor)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be set: %s") % ", ".join(sorted(unknown)))
    if change_type == ChangeType.STANDARD:
        if template is None or not template.active:
            raise DomainError(_("A standard change is raised from an active template."), field="template")
        for name in ("description", "implementation_plan", "backout_plan", "test_plan"):
            values[name] = values.get(name) or getattr(template, name)
        values["risk"] = template.risk
    elif template is not None:
        raise DomainError(_("Only standard changes are raised from a template."), field="template")
    _check_window(values.get("planned_start"), values.get("planned_end"))
    many = {name: values.pop(name) for name in MANY_FIELDS & set(values)}
    now = timezone.now()
    with transaction.atomic():
        change = Change.objects.create(
            change_type=change_type,
            template=template,
            title=title,
            requester=actor,
            state=State.DRAFT,
            created_at=now,
            updated_at=now,
            **values,
        )
        for name, items in many.items():
            getattr(change, name).set(items)
        ChangeEvent.objects.create(
            change=change,
            actor=actor,
            action=EventAction.CREATED,
            new_value=change.number,
            details={"change_type": change_type, "template_id": template.pk if template else None},
            created_at=now,
        )
    return change


def change_update(*, change: Change, actor: User, **values: Any) -> Change:
    """Edit a change. Its requester edits the draft; change managers edit it until it is final.

    The content (what, where, when, how) is fixed once approval is requested: the board approves
    exactly that. Owner, implementer group, release and linked tickets change until it is final.
    """
    _ensure_agent(actor)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be edited: %s") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        change = _lock(change)
        if change.is_final:
            raise IllegalTransition(
                _("A change that is %(state)s cannot be edited.") % {"state": State(change.state).label}
            )
        if not (can_manage(actor) or (actor.pk == change.requester_id and change.state == State.DRAFT)):
            raise NotAllowed(_("Only change managers may edit a change once it is submitted."))
        content = sorted(set(values) & set(CONTENT_FIELDS))
        if content and change.state not in PREPARATION_STATES:
            raise IllegalTransition(
                _(
                    "The content of a change is fixed once approval is requested (%(fields)s). "
                    "Cancel it and raise a new one."
                )
                % {"fields": ", ".join(content)}
            )
        _check_window(
            values.get("planned_start", change.planned_start), values.get("planned_end", change.planned_end)
        )
        changed = _apply(change, {k: v for k, v in values.items() if k not in MANY_FIELDS})
        for name in MANY_FIELDS & set(values):
            many = _set_many(change, name, values[name])
            if many is not None:
                changed.append(many)
        if changed:
            _save(change, actor, EventAction.UPDATED, changed)
    return change


# --- preparation and approval ------------------------------------------------------------------


def change_submit(*, change: Change, actor: User) -> Change:
    """Submit the request. A standard change is pre-approved by its template: straight to approved."""
    _ensure_agent(actor)
    with transaction.atomic():
        change = _lock(change)
        if not (can_manage(actor) or actor.pk == change.requester_id):
            raise NotAllowed(_("Only the requester or a change manager may submit this change."))
        standard = change.change_type == ChangeType.STANDARD
        target = State.APPROVED if standard else State.SUBMITTED
        _ensure_transition(change, target)
        _ensure_ready(change)
        details = {"preapproved_by_template": change.template_id} if standard else {}
        _record(change, actor, EventAction.SUBMITTED, {"state": target}, details=details)
    return change


def change_assess(
    *, change: Change, actor: User, answers: Mapping[int, bool], impact: int | None = None
) -> Change:
    """Assess the risk with the questionnaire (every active question answered yes or no); may
    be repeated until approval is requested."""
    _ensure_manager(actor)
    questions = list(RiskQuestion.objects.filter(active=True))
    if set(answers) != {question.pk for question in questions}:
        raise DomainError(_("Answer every question of the risk assessment, and only those."), field="answers")
    score = sum(question.weight for question in questions if answers[question.pk])
    risk = risk_level(score, sum(question.weight for question in questions))
    with transaction.atomic():
        change = _lock(change)
        _ensure_transition(change, State.ASSESSED)
        RiskAnswer.objects.filter(change=change).delete()
        RiskAnswer.objects.bulk_create(
            RiskAnswer(change=change, question=question, answer=answers[question.pk])
            for question in questions
        )
        values: dict[str, Any] = {"state": State.ASSESSED, "risk": risk, "risk_score": score}
        if impact is not None:
            values["impact"] = impact
        details = {"answers": {question.text: history_value(answers[question.pk]) for question in questions}}
        _record(change, actor, EventAction.ASSESSED, values, details=details)
    return change


def change_request_approval(*, change: Change, actor: User) -> Change:
    """Put the change before the board its approval rule names; e-mail the board's members."""
    _ensure_manager(actor)
    with transaction.atomic():
        change = _lock(change)
        _ensure_transition(change, State.AWAITING_APPROVAL)
        rule = (
            ApprovalRule.objects.select_related("board")
            .filter(change_type=change.change_type, risk=change.risk)
            .first()
        )
        if rule is None:
            raise DomainError(
                _("No approval rule covers %(type)s changes of %(risk)s risk; add one in the admin.")
                % {"type": change.get_change_type_display(), "risk": change.get_risk_display()}
            )
        own = [pk for pk in (change.requester_id, change.owner_id) if pk is not None]
        eligible = rule.board.members.filter(is_active=True).exclude(pk__in=own).count()
        if eligible < rule.required_approvals:
            raise DomainError(
                _(
                    "%(board)s cannot decide this change: approvals needed: %(required)s; "
                    "members who may approve it (not its requester or owner): %(eligible)s."
                )
                % {"board": rule.board, "eligible": eligible, "required": rule.required_approvals}
            )
        values = {
            "state": State.AWAITING_APPROVAL,
            "approval_board": rule.board,
            "required_approvals": rule.required_approvals,
        }
        _record(change, actor, EventAction.APPROVAL_REQUESTED, values)
        outbox.enqueue("change.approval_requested", change_id=change.pk)
    return change


def change_approve(*, change: Change, actor: User, comment: str = "") -> Approval:
    """A board member approves. Idempotent: approving again returns the same approval and
    records nothing. The approval that completes the quorum approves the change."""
    with transaction.atomic():
        change = _lock(change)  # concurrent approvals count one after another
        existing = Approval.objects.filter(change=change, approver=actor).first()
        if existing is not None:
            if existing.decision == Decision.APPROVED:
                return existing
            raise IllegalTransition(_("You have already rejected this change."))
        _ensure_awaiting_approval(change)
        _ensure_may_decide(actor, change)
        approval = Approval.objects.create(
            change=change,
            approver=actor,
            decision=Decision.APPROVED,
            comment=comment,
            created_at=timezone.now(),
        )
        approved = Approval.objects.filter(change=change, decision=Decision.APPROVED).count()
        values = {"state": State.APPROVED} if approved >= change.required_approvals else {}
        details = {"approval_id": approval.pk, "approvals": approved, "required": change.required_approvals}
        _record(change, actor, EventAction.APPROVED, values, details=details)
    return approval


def change_reject(*, change: Change, actor: User, reason: str) -> Approval:
    """A board member rejects: the change stops there, and its requester is told by e-mail."""
    if not reason.strip():
        raise DomainError(_("Say why the change is rejected."), field="reason")
    with transaction.atomic():
        change = _lock(change)
        existing = Approval.objects.filter(change=change, approver=actor).first()
        if existing is not None:
            if existing.decision == Decision.REJECTED:
                return existing
            raise IllegalTransition(_("You have already approved this change."))
        _ensure_awaiting_approval(change)
        _ensure_may_decide(actor, change)
        approval = Approval.objects.create(
            change=change,
            approver=actor,
            decision=Decision.REJECTED,
            comment=reason,
            created_at=timezone.now(),
        )
        details = {"approval_id": approval.pk, "reason": reason}
        _record(change, actor, EventAction.REJECTED, {"state": State.REJECTED}, details=details)
        outbox.enqueue("change.rejected", change_id=change.pk)
    return approval


# --- schedule, implementation, review ----------------------------------------------------------


def change_schedule(*, change: Change, actor: User, planned_start: datetime, planned_end: datetime) -> Change:
    """Put an approved change on the calendar (or move it), recording the planned outage of each
    affected service. Refused inside a freeze window, unless the change is an emergency."""
    _ensure_manager(actor)
    _check_window(planned_start, planned_end)
    with transaction.atomic():
        change = _lock(change)
        _ensure_transition(change, State.SCHEDULED)
        services = list(change.services.all())
        frozen = list(
            selectors.freeze_windows_overlapping(
                planned_start, planned_end, [service.pk for service in services]
            )
        )
        if frozen and change.change_type != ChangeType.EMERGENCY:
            window = frozen[0]
            raise DomainError(
                _(
                    "The change overlaps the freeze window “%(name)s” (%(start)s – %(end)s); "
                    "only emergency changes may be scheduled then."
                )
                % {"name": window.name, "start": _local(window.start), "end": _local(window.end)},
                field="planned_start",
            )
        values = {"state": State.SCHEDULED, "planned_start": planned_start, "planned_end": planned_end}
        details = {"freeze_windows": [window.name for window in frozen]} if frozen else {}
        _record(change, actor, EventAction.SCHEDULED, values, details=details)
        outages.change_outages_plan(
            change=change, actor=actor, services=services, start=planned_start, end=planned_end
        )
    return change


def change_implement(*, change: Change, actor: User) -> Change:
    """Implementation starts. An emergency change may start once approved, without a schedule."""
    _ensure_agent(actor)
    with transaction.atomic():
        change = _lock(change)
        if not can_implement(actor, change):
            raise NotAllowed(_("Only change managers and the implementer group may implement this change."))
        _ensure_transition(change, State.IMPLEMENTING)
        if change.state == State.APPROVED and change.change_type != ChangeType.EMERGENCY:
            raise IllegalTransition(_("Schedule the change before implementing it."))
        _record(
            change,
            actor,
            EventAction.IMPLEMENTING,
            {"state": State.IMPLEMENTING, "actual_start": timezone.now()},
        )
    return change


def change_complete(*, change: Change, actor: User, outcome: str, notes: str = "") -> Change:
    """Implementation ends with an outcome; the change goes to its post-implementation review."""
    _ensure_agent(actor)
    if outcome not in Outcome.values:
        raise DomainError(_("Choose the outcome."), field="outcome")
    with transaction.atomic():
        change = _lock(change)
        if not can_implement(actor, change):
            raise NotAllowed(_("Only change managers and the implementer group may implement this change."))
        _ensure_transition(change, State.REVIEW)
        values = {
            "state": State.REVIEW,
            "outcome": outcome,
            "outcome_notes": notes,
            "actual_end": timezone.now(),
        }
        _record(change, actor, EventAction.COMPLETED, values)
    return change


def change_close(*, change: Change, actor: User, review_notes: str = "") -> Change:
    """Close after the review. Emergency changes, and those that did not go to plan, need the
    review written down."""
    _ensure_manager(actor)
    with transaction.atomic():
        change = _lock(change)
        _ensure_transition(change, State.CLOSED)
        needs_review = change.change_type == ChangeType.EMERGENCY or change.outcome != Outcome.SUCCESSFUL
        if needs_review and not review_notes.strip():
            raise DomainError(
                _(
                    "Write the post-implementation review: emergency changes and changes that "
                    "did not go to plan need one."
                ),
                field="review_notes",
            )
        values = {"state": State.CLOSED, "review_notes": review_notes, "closed_at": timezone.now()}
        _record(change, actor, EventAction.CLOSED, values)
    return change


def change_cancel(*, change: Change, actor: User, reason: str) -> Change:
    """Withdraw a change that has not started; its planned outages go with it. The requester may
    withdraw their own until it goes to the board."""
    _ensure_agent(actor)
    if not reason.strip():
        raise DomainError(_("Say why the change is cancelled."), field="reason")
    with transaction.atomic():
        change = _lock(change)
        own_request = actor.pk == change.requester_id and change.state in PREPARATION_STATES
        if not (can_manage(actor) or own_request):
            raise NotAllowed(_("Only change managers may cancel this change."))
        _ensure_transition(change, State.CANCELLED)
        _record(change, actor, EventAction.CANCELLED, {"state": State.CANCELLED}, details={"reason": reason})
        outages.change_outages_remove(change=change)
    return change
