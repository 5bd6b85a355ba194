"""Change management: requests for change, CAB approvals, schedule, freeze windows, releases.

Boards, approval rules, the risk questionnaire, standard-change templates and freeze windows are
data, edited in the admin. Changes move only through changes/services.py (one function per
transition, each writing its history).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.models import LEVEL_CHOICES, Ticket
from servicedesk.models import AssignmentGroup, Service


class ChangeType(models.TextChoices):
    STANDARD = "standard", _("Standard")
    NORMAL = "normal", _("Normal")
    EMERGENCY = "emergency", _("Emergency")


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


# The risk thresholds, in one place: the share of the questionnaire's total weight answered "yes".
RISK_FROM_SHARE: tuple[tuple[float, Risk], ...] = ((0.6, Risk.HIGH), (0.3, Risk.MEDIUM))


def risk_level(score: int, max_score: int) -> Risk:
    """Low, medium or high for a questionnaire score out of the maximum possible score."""
    share = score / max_score if max_score else 0.0
    for threshold, risk in RISK_FROM_SHARE:
        if share >= threshold:
            return risk
    return Risk.LOW


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ASSESSED = "assessed", _("Assessed")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    IMPLEMENTING = "implementing", _("Implementing")
    REVIEW = "review", _("In review")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# The state machine: which state may follow which. Enforced in services.py, which also applies
# the rules by type: a standard change goes from draft straight to approved (its template is
# pre-approved); only an emergency change may be implemented from approved without a schedule.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.SUBMITTED, State.APPROVED, State.CANCELLED}),
    State.SUBMITTED: frozenset({State.ASSESSED, State.CANCELLED}),
    State.ASSESSED: frozenset({State.ASSESSED, State.AWAITING_APPROVAL, State.CANCELLED}),
    State.AWAITING_APPROVAL: frozenset({State.APPROVED, State.REJECTED, State.CANCELLED}),
    State.APPROVED: frozenset({State.SCHEDULED, State.IMPLEMENTING, State.CANCELLED}),
    State.SCHEDULED: frozenset({State.SCHEDULED, State.IMPLEMENTING, State.CANCELLED}),
    State.IMPLEMENTING: frozenset({State.REVIEW}),
    State.REVIEW: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
    State.REJECTED: frozenset(),
    State.CANCELLED: frozenset(),
}
# No edits, no transitions: the record is final.
FINAL_STATES = frozenset({State.CLOSED, State.REJECTED, State.CANCELLED})
# While the request is being prepared its content may change; from "awaiting approval" on it is
# what the board approves.
PREPARATION_STATES = frozenset({State.DRAFT, State.SUBMITTED, State.ASSESSED})
# Changes on the calendar whose windows are checked against each other for conflicts.
SCHEDULED_STATES = frozenset({State.SCHEDULED, State.IMPLEMENTING})


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", _("Successful")
    SUCCESSFUL_WITH_ISSUES = "successful_with_issues", _("Successful with issues")
    FAILED = "failed", _("Failed")
    BACKED_OUT = "backed_out", _("Backed out")


FAILED_OUTCOMES = frozenset({Outcome.FAILED, Outcome.BACKED_OUT})


class BoardKind(models.TextChoices):
    CAB = "cab", _("Change advisory board")
    ECAB = "ecab", _("Emergency change advisory board")


class AdvisoryBoard(models.Model):
    """A CAB or an emergency CAB; its members are the people who may approve."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=4, choices=BoardKind.choices, default=BoardKind.CAB)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="advisory_boards", blank=True, verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("advisory board")
        verbose_name_plural = _("advisory boards")

    def __str__(self) -> str:
        return self.name


class ApprovalRule(models.Model):
    """How many approvals of which board a change of a type and risk needs."""

    change_type = models.CharField(
        _("change type"),
        max_length=10,
        choices=[
            (ChangeType.NORMAL, ChangeType.NORMAL.label),
            (ChangeType.EMERGENCY, ChangeType.EMERGENCY.label),
        ],
    )
    risk = models.CharField(_("risk"), max_length=6, choices=Risk.choices)
    board = models.ForeignKey(
        AdvisoryBoard, on_delete=models.PROTECT, related_name="rules", verbose_name=_("board")
    )
    required_approvals = models.PositiveSmallIntegerField(_("approvals required"), default=1)

    class Meta:
        ordering = ["change_type", "risk"]
        constraints = [
            models.UniqueConstraint(fields=["change_type", "risk"], name="approval_rule_unique_type_risk"),
            models.CheckConstraint(
                condition=models.Q(required_approvals__gte=1), name="approval_rule_at_least_one"
            ),
        ]
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")

    def __str__(self) -> str:
        rule = f"{self.get_change_type_display()} / {self.get_risk_display()}"
        return f"{rule}: {self.required_approvals} × {self.board}"


class RiskQuestion(models.Model):
    """One yes/no question of the risk assessment; a "yes" adds its weight to the score."""

    text = models.CharField(_("question"), max_length=300)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("risk question")
        verbose_name_plural = _("risk questionnaire")

    def __str__(self) -> str:
        return self.text


class StandardChangeTemplate(models.Model):
    """A pre-approved, low-risk, repeatable change; standard changes are raised from one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    implementation_plan = models.TextField(_("implementation plan"))
    backout_plan = models.TextField(_("back-out plan"))
    test_plan = models.TextField(_("test plan"), blank=True)
    risk = models.CharField(_("risk"), max_length=6, choices=Risk.choices, default=Risk.LOW)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("standard change template")
        verbose_name_plural = _("standard change templates")

    def __str__(self) -> str:
        return self.name


class Release(models.Model):
    """A group of changes delivered together; on plan when deployed on or before the planned date."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    planned_date = models.DateField(_("planned date"))
    deployed_date = models.DateField(_("deployed date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-planned_date", "name"]
        indexes = [models.Index(fields=["deployed_date"], name="release_deployed_idx")]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return self.name

    @property
    def on_plan(self) -> bool | None:
        if self.deployed_date is None:
            return None
        return self.deployed_date <= self.planned_date


class FreezeWindow(models.Model):
    """A period in which only emergency changes may be scheduled (on the given services, or all)."""

    name = models.CharField(_("name"), max_length=120)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    services = models.ManyToManyField(
        Service,
        blank=True,
        related_name="freeze_windows",
        verbose_name=_("services"),
        help_text=_("Empty: the freeze applies to every service."),
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="freeze_window_ends_after_start"
            )
        ]
        verbose_name = _("freeze window")
        verbose_name_plural = _("freeze windows")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The window must end after it starts.")})


class Change(models.Model):
    change_type = models.CharField(
        _("type"), max_length=10, choices=ChangeType.choices, default=ChangeType.NORMAL
    )
    template = models.ForeignKey(
        StandardChangeTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("template"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    justification = models.TextField(_("justification"), blank=True)
    services = models.ManyToManyField(Service, related_name="changes", blank=True, verbose_name=_("services"))
    impact = models.PositiveSmallIntegerField(_("impact"), choices=LEVEL_CHOICES, default=3)
    risk = models.CharField(_("risk"), max_length=6, choices=Risk.choices, blank=True)
    risk_score = models.PositiveSmallIntegerField(_("risk score"), null=True, blank=True)
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    backout_plan = models.TextField(_("back-out plan"), blank=True)
    test_plan = models.TextField(_("test plan"), blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(_("implementation notes"), blank=True)
    review_notes = models.TextField(_("review notes"), blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # never lose a change because a person is removed
        related_name="changes_requested",
        verbose_name=_("requester"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes_owned",
        verbose_name=_("change owner"),
    )
    implementer_group = models.ForeignKey(
        AssignmentGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("implementer group"),
    )
    # Set when approval is requested, from the approval rule then in force: a later edit of the
    # rules does not move the goalposts of a change already before the board.
    approval_board = models.ForeignKey(
        AdvisoryBoard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("approval board"),
    )
    required_approvals = models.PositiveSmallIntegerField(_("approvals required"), default=0)
    release = models.ForeignKey(
        Release,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("release"),
    )
    fixes = models.ManyToManyField(
        Ticket, related_name="fixed_by_changes", blank=True, verbose_name=_("fixes tickets")
    )
    caused_incidents = models.ManyToManyField(
        Ticket, related_name="caused_by_changes", blank=True, verbose_name=_("caused incidents")
    )
    created_at = models.DateTimeField(_("created"), db_index=True)
    updated_at = models.DateTimeField(_("updated"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state"], name="change_state_idx"),
            # The calendar and conflict checks: windows overlapping a period.
            models.Index(fields=["planned_start", "planned_end"], name="change_window_idx"),
            # The monthly figures: implemented changes by actual end.
            models.Index(
                fields=["actual_end"], name="change_implemented_idx", condition=~models.Q(outcome="")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_start__isnull=True, planned_end__isnull=True)
                | models.Q(
                    planned_start__isnull=False,
                    planned_end__isnull=False,
                    planned_end__gt=models.F("planned_start"),
                ),
                name="change_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_end__isnull=True)
                | models.Q(actual_end__gte=models.F("actual_start")),
                name="change_actual_end_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(change_type=ChangeType.STANDARD) | models.Q(template__isnull=False),
                name="change_standard_has_template",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=[State.REVIEW, State.CLOSED]) | ~models.Q(outcome=""),
                name="change_reviewed_has_outcome",
            ),
        ]
        verbose_name = _("change")
        verbose_name_plural = _("changes")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"CHG{(self.pk or 0):07d}"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


def parse_change_number(text: str) -> int | None:
    """The change id in 'CHG0001234' (any case), or None if it is not a change number."""
    text = text.strip().upper()
    if text.startswith("CHG") and text[3:].isdigit():
        return int(text[3:])
    return None


class RiskAnswer(models.Model):
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="risk_answers")
    question = models.ForeignKey(RiskQuestion, on_delete=models.PROTECT, related_name="answers")
    answer = models.BooleanField(_("answer"))

    class Meta:
        ordering = ["question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "question"], name="risk_answer_one_per_question")
        ]
        verbose_name = _("risk answer")
        verbose_name_plural = _("risk answers")

    def __str__(self) -> str:
        return f"{self.question}: {'yes' if self.answer else 'no'}"


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Approval(models.Model):
    """One board member's decision on a change: one per member, never changed."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="change_approvals"
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "approver"], name="approval_one_per_approver")
        ]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.approver}: {self.get_decision_display()}"


class EventAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    SUBMITTED = "submitted", _("Submitted")
    ASSESSED = "assessed", _("Assessed")
    APPROVAL_REQUESTED = "approval_requested", _("Sent for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SCHEDULED = "scheduled", _("Scheduled")
    IMPLEMENTING = "implementing", _("Implementation started")
    COMPLETED = "completed", _("Implementation completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class ChangeEvent(models.Model):
    """One history row per changed field (or per approval): who, when, what, old → new."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=EventAction.choices)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["change", "created_at"], name="change_event_time_idx")]
        verbose_name = _("change event")
        verbose_name_plural = _("change events")

    def __str__(self) -> str:
        return f"{self.action} {self.field}".strip()
