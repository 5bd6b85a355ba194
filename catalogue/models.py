"""Service catalogue: orderable items, their forms, approvals and fulfilment tasks.

An item's order form, approval steps and fulfilment tasks are data, edited in the admin. A
submitted order is a service-request ticket (incidents.Ticket, kind "request") with a
CatalogueRequest beside it holding the answers; its approvals are rows decided one step at a
time, and its fulfilment tasks are child tickets in the groups' queues.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.models import Ticket
from servicedesk.models import AssignmentGroup, Category, Service


class CatalogueItem(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="catalogue_items", verbose_name=_("category")
    )
    # The order's ticket is logged on this service (its SLA tier, its owner group's reports).
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalogue_items",
        verbose_name=_("service"),
        help_text=_("The service an order's ticket is logged on."),
    )
    # Items are retired, never deleted: orders keep pointing at what was ordered.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    CHOICE = "choice", _("Choice")
    USER = "user", _("Person")
    DATE = "date", _("Date")
    YES_NO = "yes_no", _("Yes / no")


class FormField(models.Model):
    """One question of an item's order form; answers are validated against it on the server."""

    item = models.ForeignKey(CatalogueItem, on_delete=models.CASCADE, related_name="fields")
    key = models.CharField(
        _("key"),
        max_length=40,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]*\Z",
                _("Lower-case letters, digits and underscores, starting with a letter."),
            )
        ],
        help_text=_("The answer's name in the API, e.g. start_date."),
    )
    label = models.CharField(_("label"), max_length=120)
    type = models.CharField(_("type"), max_length=10, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(_("required"), default=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True, help_text=_("Only for choice fields."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="form_field_unique_key")]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        choices = self.choices
        if not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() for c in choices):
            raise ValidationError({"choices": _("Give the choices as a list of texts.")})
        if self.type == FieldType.CHOICE and not choices:
            raise ValidationError({"choices": _("A choice field needs at least one choice.")})
        if self.type != FieldType.CHOICE and choices:
            raise ValidationError({"choices": _("Only choice fields have choices.")})
        if len(set(choices)) != len(choices):
            raise ValidationError({"choices": _("Each choice may appear only once.")})


class ApproverKind(models.TextChoices):
    LINE_MANAGER = "line_manager", _("Line manager")
    SERVICE_OWNER = "service_owner", _("Service owner")


class ApprovalStep(models.Model):
    """Who must approve an order of the item, in order: the requester's line manager or the owner
    of a service. The person is resolved when the order is submitted."""

    item = models.ForeignKey(CatalogueItem, on_delete=models.CASCADE, related_name="approval_steps")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    approver = models.CharField(_("approver"), max_length=20, choices=ApproverKind.choices)
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
        help_text=_("Whose owner approves (service owner steps only)."),
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "order"], name="approval_step_unique_order"),
            models.CheckConstraint(
                condition=~models.Q(approver="service_owner") | models.Q(service__isnull=False),
                name="approval_step_owner_has_service",
            ),
        ]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self) -> str:
        return f"{self.order}. {self.get_approver_display()}"

    def clean(self) -> None:
        if self.approver == ApproverKind.SERVICE_OWNER and self.service_id is None:
            raise ValidationError({"service": _("Choose the service whose owner approves.")})
        if self.approver == ApproverKind.LINE_MANAGER and self.service_id is not None:
            raise ValidationError({"service": _("A line manager step has no service.")})


class TaskTemplate(models.Model):
    """A fulfilment task created for every approved order of the item, in a group's queue."""

    item = models.ForeignKey(CatalogueItem, on_delete=models.CASCADE, related_name="task_templates")
    title = models.CharField(_("title"), max_length=200)
    group = models.ForeignKey(
        AssignmentGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("group")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("fulfilment task")
        verbose_name_plural = _("fulfilment tasks")

    def __str__(self) -> str:
        return self.title


class RequestState(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    # Approved with no fulfilment tasks: the service desk fulfils it from its queue.
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FULFILLING = "fulfilling", _("Being fulfilled")
    FULFILLED = "fulfilled", _("Fulfilled")
    # The request ticket was resolved by the desk before the order was fulfilled.
    CANCELLED = "cancelled", _("Cancelled")


# Which state may follow which; enforced in services.py.
REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    RequestState.AWAITING_APPROVAL: frozenset(
        {RequestState.APPROVED, RequestState.FULFILLING, RequestState.REJECTED, RequestState.CANCELLED}
    ),
    RequestState.APPROVED: frozenset({RequestState.FULFILLED, RequestState.CANCELLED}),
    RequestState.FULFILLING: frozenset({RequestState.FULFILLED, RequestState.CANCELLED}),
    RequestState.REJECTED: frozenset(),
    RequestState.FULFILLED: frozenset(),
    RequestState.CANCELLED: frozenset(),
}
OPEN_REQUEST_STATES = frozenset(
    {RequestState.AWAITING_APPROVAL, RequestState.APPROVED, RequestState.FULFILLING}
)


class CatalogueRequest(models.Model):
    """An order: the request ticket (same id, so REQ0000123 is order 123), the item and answers."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="catalogue_request"
    )
    item = models.ForeignKey(
        CatalogueItem, on_delete=models.PROTECT, related_name="requests", verbose_name=_("item")
    )
    # Valid by the item's form when submitted: {key: text | ISO date | bool | user id}.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=RequestState.choices)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    class Meta:
        ordering = ["-ticket_id"]
        verbose_name = _("catalogue request")
        verbose_name_plural = _("catalogue requests")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.item_id}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    # Not needed any more: an earlier step rejected, or the order was cancelled.
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Approval(models.Model):
    """One approver's decision on one order; decided in step order (step 2 after step 1)."""

    request = models.ForeignKey(CatalogueRequest, on_delete=models.CASCADE, related_name="approvals")
    # The step's order and kind are copied: editing an item later does not rewrite past orders.
    step = models.ForeignKey(ApprovalStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("approver role"), max_length=20, choices=ApproverKind.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # who approved is part of the record
        related_name="catalogue_approvals",
        verbose_name=_("approver"),
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # The one-time link: only the SHA-256 of the signed token is kept, never the token itself.
    token_hash = models.CharField(max_length=64, blank=True)
    used_at = models.DateTimeField(_("link used"), null=True, blank=True)

    class Meta:
        ordering = ["request", "order"]
        indexes = [
            # "My approvals": the few pending rows of one approver among millions decided.
            models.Index(
                fields=["approver", "request"],
                name="approval_pending_idx",
                condition=models.Q(decision="pending"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["request", "order"], name="approval_unique_order"),
            models.CheckConstraint(
                condition=models.Q(decision="pending", decided_at__isnull=True)
                | (~models.Q(decision="pending") & models.Q(decided_at__isnull=False)),
                name="approval_decided_has_time",
            ),
        ]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.request_id} #{self.order} {self.decision}"
