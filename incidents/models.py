"""Tickets (incidents and service requests), their conversation, files and history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.models import AssignmentGroup, Category, Service


class Kind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    REQUEST = "request", _("Service request")


NUMBER_PREFIX: dict[str, str] = {Kind.INCIDENT: "INC", Kind.REQUEST: "REQ"}


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portal")
    WALK_IN = "walk_in", _("Walk-in")
    MONITORING = "monitoring", _("Monitoring")
    API = "api", _("API")


class State(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# The state machine: which state may follow which. Enforced in services.py.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    State.NEW: frozenset({State.ASSIGNED, State.IN_PROGRESS, State.PENDING, State.RESOLVED}),
    State.ASSIGNED: frozenset({State.ASSIGNED, State.IN_PROGRESS, State.PENDING, State.RESOLVED}),
    State.IN_PROGRESS: frozenset({State.ASSIGNED, State.PENDING, State.RESOLVED}),
    State.PENDING: frozenset({State.ASSIGNED, State.IN_PROGRESS, State.RESOLVED}),
    State.RESOLVED: frozenset({State.IN_PROGRESS, State.CLOSED}),
    State.CLOSED: frozenset(),
}
OPEN_STATES = frozenset({State.NEW, State.ASSIGNED, State.IN_PROGRESS, State.PENDING})
# Unclaimed tickets in these states wait in their group's queue.
QUEUED_STATES = frozenset({State.NEW, State.ASSIGNED})


class PendingReason(models.TextChoices):
    CUSTOMER = "customer", _("Awaiting customer")
    THIRD_PARTY = "third_party", _("Awaiting third party")


class ResolutionCode(models.TextChoices):
    SOLVED = "solved", _("Solved (permanently)")
    WORKAROUND = "workaround", _("Solved (workaround)")
    FULFILLED = "fulfilled", _("Request fulfilled")
    NOT_REPRODUCIBLE = "not_reproducible", _("Not reproducible")
    DUPLICATE = "duplicate", _("Duplicate")
    CANCELLED = "cancelled", _("Cancelled by caller")
    REJECTED = "rejected", _("Rejected (not approved)")


class PriorityRule(models.Model):
    """One cell of the impact × urgency matrix. The matrix is data, editable in admin."""

    impact = models.PositiveSmallIntegerField(
        _("impact"), choices=[(1, _("High")), (2, _("Medium")), (3, _("Low"))]
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=[(1, _("High")), (2, _("Medium")), (3, _("Low"))]
    )
    priority = models.PositiveSmallIntegerField(_("priority"))

    class Meta:
        ordering = ["impact", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_rule_unique_cell"),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="priority_rule_1_to_4"
            ),
        ]
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority matrix")

    def __str__(self) -> str:
        return f"I{self.impact} × U{self.urgency} → P{self.priority}"


LEVEL_CHOICES = [(1, _("1 – High")), (2, _("2 – Medium")), (3, _("3 – Low"))]


class SavedView(models.Model):
    """A named set of ticket-list filters (the list's query string), the owner's own or shared
    with one of the owner's groups, whose members then see it too."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,  # a view is a personal shortcut, not a record to keep
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    shared_with = models.ForeignKey(
        AssignmentGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="saved_views",
        verbose_name=_("shared with group"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_unique_name")]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name


PRIORITY_CHOICES = [(1, _("P1 – Critical")), (2, _("P2 – High")), (3, _("P3 – Moderate")), (4, _("P4 – Low"))]


class CallTemplate(models.Model):
    """A common call (password reset, printer, …): choosing it fills the log-a-call form.

    Data, not code: managers edit, add and reorder them in admin; the demo seeds ten.
    """

    name = models.CharField(_("name"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INCIDENT)
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("service")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    impact = models.PositiveSmallIntegerField(_("impact"), choices=LEVEL_CHOICES, default=3)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=LEVEL_CHOICES, default=3)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("call template")
        verbose_name_plural = _("call templates")

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INCIDENT)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # never lose a ticket because a person is removed
        related_name="tickets_called",
        verbose_name=_("caller"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="tickets_created",
        verbose_name=_("created by"),
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.PHONE)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("service")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    impact = models.PositiveSmallIntegerField(_("impact"), choices=LEVEL_CHOICES, default=3)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=LEVEL_CHOICES, default=3)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=PRIORITY_CHOICES, default=4)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NEW)
    pending_reason = models.CharField(
        _("pending reason"), max_length=12, choices=PendingReason.choices, blank=True
    )
    assignment_group = models.ForeignKey(
        AssignmentGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("assignment group"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets_assigned",
        verbose_name=_("assignee"),
    )
    # When the ticket last entered its group's queue unclaimed; the claim measures the wait from here.
    queue_entered_at = models.DateTimeField(_("entered queue"), null=True, blank=True)
    # Number of times the ticket moved to another group after creation (escalations and
    # reassignments); 0 means it never left the group it was logged to: first-line resolution.
    reassignment_count = models.PositiveIntegerField(_("reassignments"), default=0)
    resolution_code = models.CharField(
        _("resolution code"), max_length=20, choices=ResolutionCode.choices, blank=True
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_by_group = models.ForeignKey(
        AssignmentGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by group"),
    )
    major_incident = models.BooleanField(_("major incident"), default=False)
    # A major incident's life (incidents/major.py): declared by a manager, ended when service is
    # restored. The declaration places it in a month for the serious-incident figures.
    major_declared_at = models.DateTimeField(_("declared major"), null=True, blank=True)
    major_ended_at = models.DateTimeField(_("major incident ended"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    created_at = models.DateTimeField(_("created"), db_index=True)
    updated_at = models.DateTimeField(_("updated"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    # Set when the retention task removed the caller's personal data and the free text
    # (audit/retention.py); the figures (kind, priority, times, groups, clocks) stay.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # "Claim next": unclaimed tickets of one group, best priority, longest wait first.
            models.Index(
                fields=["assignment_group", "priority", "queue_entered_at", "id"],
                name="ticket_queue_idx",
                condition=models.Q(assignee__isnull=True, state__in=["new", "assigned"]),
            ),
            models.Index(fields=["state", "priority"], name="ticket_state_priority_idx"),
            # One group's open tickets (the console's most used filter) and its count.
            models.Index(fields=["assignment_group", "state"], name="ticket_group_state_idx"),
            # Sorting by time left: the tickets without a running clock come last, best priority
            # and newest first (sla/selectors.py, TimeLeftOrder), read in this index's order.
            models.Index(fields=["priority", "-created_at", "-id"], name="ticket_priority_newest_idx"),
            # The list's "priority, then oldest" sort of open tickets, as a queue hands work out
            # (incidents/views.py `_sorted`): the first page without sorting every open ticket.
            models.Index(
                fields=["priority", "created_at", "id"],
                name="ticket_open_priority_idx",
                condition=models.Q(state__in=["new", "assigned", "in_progress", "pending"]),
            ),
            models.Index(fields=["caller", "-created_at"], name="ticket_caller_idx"),
            # Log a call's possible duplicates: one service's tickets of the last hours.
            models.Index(fields=["service", "-created_at"], name="ticket_service_created_idx"),
            # Monthly report (reports/kpis.py): tickets resolved in a month, for first-line
            # resolution and resolved within deadline; only resolved tickets have the column set.
            models.Index(
                fields=["resolved_at"],
                name="ticket_resolved_idx",
                condition=models.Q(resolved_at__isnull=False),
            ),
            # Serious incidents by month (incidents/major.py): declared major incidents, and
            # P1 tickets not declared; both sets are a few rows a month out of millions.
            models.Index(
                fields=["major_declared_at"],
                name="ticket_major_declared_idx",
                condition=models.Q(major_declared_at__isnull=False),
            ),
            models.Index(fields=["created_at"], name="ticket_p1_created_idx", condition=models.Q(priority=1)),
            # The daily retention task: closed tickets not yet anonymised, oldest closed first.
            models.Index(
                fields=["closed_at"],
                name="ticket_retention_idx",
                condition=models.Q(state="closed", anonymised_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="ticket_priority_1_to_4"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="pending") | ~models.Q(pending_reason=""),
                name="ticket_pending_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(major_ended_at__isnull=True) | models.Q(major_declared_at__isnull=False),
                name="ticket_major_ended_was_declared",
            ),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return format_number(self.kind, self.pk)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def major_active(self) -> bool:
        """A declared major incident whose service has not yet been restored."""
        return self.major_incident and self.major_ended_at is None

    @property
    def major_proposed(self) -> bool:
        """Priority 1 on a tier-1 service proposes a major incident; a manager confirms it.
        (Reads `service`: select it with the ticket.)"""
        return (
            not self.major_incident
            and self.kind == Kind.INCIDENT
            and self.priority == 1
            and self.service is not None
            and self.service.tier == 1
            and self.state in OPEN_STATES
        )


def format_number(kind: str, pk: int | None) -> str:
    """INC0001234 / REQ0001234: the kind's prefix and the id, zero-padded to seven digits."""
    return f"{NUMBER_PREFIX.get(kind, 'TKT')}{(pk or 0):07d}"


def parse_number(text: str) -> int | None:
    """The ticket id in 'INC0001234' (or 'REQ…', any case), or None if it is not a number."""
    text = text.strip().upper()
    if len(text) > 3 and text[:3] in NUMBER_PREFIX.values() and text[3:].isdigit():
        return int(text[3:])
    return None


class Comment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("text"))
    # Internal comments are for IT staff only and never reach an end user.
    internal = models.BooleanField(_("internal"), default=False)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is not the user's file name: no path tricks, no clashes.
    return f"attachments/{instance.ticket_id}/{instance.key}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    file = models.FileField(upload_to=attachment_path)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class EventAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    ASSIGNED = "assigned", _("Assigned")
    ESCALATED = "escalated", _("Escalated")
    CLAIMED = "claimed", _("Claimed")
    STARTED = "started", _("Started")
    PENDED = "pended", _("Placed on hold")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    COMMENTED = "commented", _("Commented")
    ATTACHED = "attached", _("Attached a file")
    MAJOR_DECLARED = "major_declared", _("Declared a major incident")
    MAJOR_ENDED = "major_ended", _("Ended the major incident")
    LINKED = "linked", _("Linked to a major incident")
    REVIEWED = "reviewed", _("Post-incident review")


class TicketEvent(models.Model):
    """One history row per changed field (or per comment / file): who, when, what, old → new."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=16, choices=EventAction.choices)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # Events about internal comments or files are hidden from end users.
    internal = models.BooleanField(_("internal"), default=False)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_time_idx")]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.action} {self.field}".strip()


class PostIncidentReview(models.Model):
    """What caused a major incident and what is done so it does not happen again; a major
    incident is not closed without one."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="review")
    cause = models.TextField(_("cause"))
    actions = models.TextField(_("actions"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("action owner"),
    )
    due = models.DateField(_("actions due"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("post-incident review")
        verbose_name_plural = _("post-incident reviews")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.cause[:40]}"
