"""API input and output shapes for tickets. Input serializers only validate; services write."""

from __future__ import annotations

from typing import Any, cast

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from servicedesk.api_support import VisibleRelatedField
from servicedesk.models import AssignmentGroup, Category, Service, User
from sla import selectors as sla_selectors
from sla.models import ClockState, Metric

from .models import (
    LEVEL_CHOICES,
    Attachment,
    Channel,
    Comment,
    Kind,
    PendingReason,
    PostIncidentReview,
    ResolutionCode,
    Ticket,
    TicketEvent,
)
from .selectors import tickets_visible_to


class PersonRef(serializers.Serializer[User]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class NamedRef(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


# Inline enums (not named components): "state" already names the ticket's state enum, and
# drf-spectacular would warn about two different enums for one field name.
@extend_schema_field({"type": "string", "enum": list(Metric.values)})
class MetricField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": list(ClockState.values)})
class ClockStateField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": list(sla_selectors.Badge.values)})
class BadgeField(serializers.CharField):
    pass


class ClockOutput(serializers.Serializer[Any]):
    """One SLA clock of a ticket as of the time of the request."""

    metric = MetricField(read_only=True, help_text="response, resolution, or ola (one per group)")
    group = NamedRef(source="clock.group", read_only=True, allow_null=True, help_text="The OLA's group")
    state = ClockStateField(source="clock.state", read_only=True)
    target_seconds = serializers.IntegerField(
        source="clock.target_seconds", read_only=True, help_text="Target in business seconds"
    )
    elapsed_seconds = serializers.FloatField(read_only=True, help_text="Business seconds counted up to now")
    started_at = serializers.DateTimeField(source="clock.started_at", read_only=True)
    due_at = serializers.DateTimeField(
        source="clock.due_at", read_only=True, allow_null=True, help_text="Only while running"
    )
    stopped_at = serializers.DateTimeField(source="clock.stopped_at", read_only=True, allow_null=True)
    breached_at = serializers.DateTimeField(source="clock.breached_at", read_only=True, allow_null=True)
    met = serializers.BooleanField(
        source="clock.met", read_only=True, allow_null=True, help_text="Once stopped: within target"
    )
    seconds_left = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Running: real seconds until due_at (negative when overdue). Paused: business seconds "
            "still allowed. Stopped: null."
        ),
    )
    badge = BadgeField(read_only=True, help_text="ok, warning, overdue, paused, met or breached")


class SegmentOutput(serializers.Serializer[Any]):
    running = serializers.BooleanField(read_only=True, help_text="Running, or paused")
    started_at = serializers.DateTimeField(read_only=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Null: still open")
    business_seconds = serializers.FloatField(
        read_only=True, help_text="Business seconds this stretch counted (so far, if open)"
    )
    total_seconds = serializers.FloatField(read_only=True, help_text="Counted up to the end of this stretch")
    reason = serializers.CharField(read_only=True, help_text="The ticket event that began it")
    breached_here = serializers.BooleanField(read_only=True, help_text="The target was passed in it")


class ClockReportOutput(serializers.Serializer[Any]):
    """A clock with its stretches: why it is where it is."""

    clock = ClockOutput(source="summary", read_only=True)
    segments = SegmentOutput(many=True, read_only=True)


class TicketOutput(serializers.ModelSerializer[Ticket]):
    number = serializers.CharField(read_only=True)
    caller = PersonRef(read_only=True)
    assignee = PersonRef(read_only=True, allow_null=True)
    service = NamedRef(read_only=True, allow_null=True)
    assignment_group = NamedRef(read_only=True, allow_null=True)
    sla = serializers.SerializerMethodField(help_text="The ticket's SLA clocks as of now")
    major_proposed = serializers.BooleanField(
        read_only=True,
        help_text="Priority 1 on a tier-1 service, not yet declared: a manager decides on declare-major",
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "kind",
            "caller",
            "channel",
            "service",
            "category",
            "impact",
            "urgency",
            "priority",
            "title",
            "description",
            "state",
            "pending_reason",
            "assignment_group",
            "assignee",
            "resolution_code",
            "resolution_note",
            "major_incident",
            "major_proposed",
            "major_declared_at",
            "major_ended_at",
            "parent",
            "reassignment_count",
            "reopen_count",
            "queue_entered_at",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
            "sla",
        ]
        read_only_fields = fields

    @extend_schema_field(ClockOutput(many=True))
    def get_sla(self, ticket: Ticket) -> Any:
        # One "now" and one calendar cache for every ticket of the response (context is shared).
        context = cast("dict[str, Any]", self.context)  # the root serializer's own dict
        now = context.setdefault("sla_now", timezone.now())
        specs = context.setdefault("sla_specs", sla_selectors.CalendarSpecs())
        clocks = getattr(ticket, sla_selectors.PREFETCH_ATTR, None)
        if clocks is None:  # not prefetched (a single ticket): read what the requester may see
            request = self.context.get("request")
            clocks = sla_selectors.clocks_for(request.user if request else None, ticket)
        return ClockOutput(sla_selectors.summaries(clocks, now, specs), many=True).data


def _active(queryset: Any) -> Any:
    return queryset.filter(active=True)


class TicketCreateInput(serializers.Serializer[Any]):
    """What an agent may set when logging a ticket."""

    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.INCIDENT)
    caller = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    service = serializers.PrimaryKeyRelatedField(
        queryset=_active(Service.objects), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=_active(Category.objects), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=LEVEL_CHOICES, default=3)
    urgency = serializers.ChoiceField(choices=LEVEL_CHOICES, default=3)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
    assignment_group = serializers.PrimaryKeyRelatedField(
        queryset=_active(AssignmentGroup.objects), required=False, allow_null=True
    )
    major_incident = serializers.BooleanField(default=False)
    # DRF's Field also names its container "parent"; the declared field is what counts here.
    parent = VisibleRelatedField(  # type: ignore[assignment]
        queryset=Ticket.objects.all(), visible=tickets_visible_to, required=False, allow_null=True
    )


class EndUserTicketCreateInput(serializers.Serializer[Any]):
    """What an end user may set: their own report. Anything else in the body is ignored."""

    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.INCIDENT)
    service = serializers.PrimaryKeyRelatedField(
        queryset=_active(Service.objects), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=_active(Category.objects), required=False, allow_null=True
    )
    urgency = serializers.ChoiceField(choices=LEVEL_CHOICES, default=3)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)


class TicketUpdateInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    service = serializers.PrimaryKeyRelatedField(
        queryset=_active(Service.objects), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=_active(Category.objects), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=LEVEL_CHOICES, required=False)
    urgency = serializers.ChoiceField(choices=LEVEL_CHOICES, required=False)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    # DRF's Field also names its container "parent"; the declared field is what counts here.
    parent = VisibleRelatedField(  # type: ignore[assignment]
        queryset=Ticket.objects.all(), visible=tickets_visible_to, required=False, allow_null=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Fields only a transition may change are refused by name, not silently dropped.
        readonly = {"state", "assignee", "assignment_group", "priority", "resolution_code"}
        sent = set(self.initial_data) & readonly if isinstance(self.initial_data, dict) else set()
        if sent:
            raise serializers.ValidationError(
                {field: ["Change this with a transition (assign, resolve, …)."] for field in sorted(sent)}
            )
        if isinstance(self.initial_data, dict) and "major_incident" in self.initial_data:
            raise serializers.ValidationError(
                {
                    "major_incident": [
                        "A manager declares or ends a major incident (declare-major, end-major)."
                    ]
                }
            )
        return attrs


def _work_note() -> serializers.CharField:
    # Optional here (integrations); the console asks for one (incidents/ticket_forms.py).
    return serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why the ticket moves; kept on the history rows of the change (details.note).",
    )


class AssignInput(serializers.Serializer[Any]):
    group = serializers.PrimaryKeyRelatedField(queryset=_active(AssignmentGroup.objects))
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    note = _work_note()


class EscalateInput(serializers.Serializer[Any]):
    group = serializers.PrimaryKeyRelatedField(queryset=_active(AssignmentGroup.objects))
    note = _work_note()


class PendInput(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(choices=PendingReason.choices)


class ResolveInput(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=ResolutionCode.choices)
    note = serializers.CharField(max_length=20000)


class ReopenInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class EmptyInput(serializers.Serializer[Any]):
    pass


class DeclareMajorInput(serializers.Serializer[Any]):
    impact_start = serializers.DateTimeField(
        required=False, help_text="When the service was first affected (default: when the ticket was logged)"
    )
    services = serializers.PrimaryKeyRelatedField(
        queryset=_active(Service.objects),
        many=True,
        required=False,
        help_text="The affected services (default: the ticket's service)",
    )


class EndMajorInput(serializers.Serializer[Any]):
    restored_at = serializers.DateTimeField(
        required=False, help_text="When service was restored (default: now)"
    )


class LinkInput(serializers.Serializer[Any]):
    ticket = serializers.IntegerField(
        min_value=1, help_text="Id of the related ticket to link to this major incident"
    )


class ReviewInput(serializers.Serializer[Any]):
    cause = serializers.CharField(max_length=20000)
    actions = serializers.CharField(max_length=20000)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due = serializers.DateField()


class ReviewOutput(serializers.ModelSerializer[PostIncidentReview]):
    owner = PersonRef(read_only=True, allow_null=True)
    written_by = PersonRef(read_only=True, allow_null=True)

    class Meta:
        model = PostIncidentReview
        fields = ["cause", "actions", "owner", "due", "written_by", "created_at", "updated_at"]
        read_only_fields = fields


class CommentOutput(serializers.ModelSerializer[Comment]):
    author = PersonRef(read_only=True, allow_null=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "internal", "created_at"]
        read_only_fields = fields


class CommentInput(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=20000)
    internal = serializers.BooleanField(default=False)


class AttachmentOutput(serializers.ModelSerializer[Attachment]):
    uploaded_by = PersonRef(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "filename",
            "content_type",
            "size",
            "internal",
            "uploaded_by",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        return reverse(
            "api:ticket-attachment-content",
            kwargs={"pk": attachment.ticket_id, "attachment_id": attachment.pk},
        )


class AttachmentInput(serializers.Serializer[Any]):
    file = serializers.FileField(allow_empty_file=False, max_length=200)
    internal = serializers.BooleanField(default=False)


class EventOutput(serializers.ModelSerializer[TicketEvent]):
    actor = PersonRef(read_only=True, allow_null=True)

    class Meta:
        model = TicketEvent
        fields = ["id", "action", "field", "old_value", "new_value", "details", "actor", "created_at"]
        read_only_fields = fields


# --- what an end user reads ------------------------------------------------------------------
# Agent-only: assignment group and assignee, impact / urgency / priority, SLA clocks (due times,
# breaches, OLAs), reassignment and reopen counts, internal flags, major-incident internals and
# escalation details. An end user's answers come from these serializers only; the views pick
# them by role (`is_staff_viewer`).

class EndUserTicketOutput(serializers.ModelSerializer[Ticket]):
    """A ticket as its caller sees it (end users): no agent-only field."""

    number = serializers.CharField(read_only=True)
    caller = PersonRef(read_only=True)
    service = NamedRef(read_only=True, allow_null=True)
    answer_by = serializers.SerializerMethodField(
        help_text="We aim to have it solved by then (null while on hold or once resolved)"
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "kind",
            "caller",
            "channel",
            "service",
            "category",
            "title",
            "description",
            "state",
            "pending_reason",
            "resolution_code",
            "resolution_note",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
            "answer_by",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_answer_by(self, ticket: Ticket) -> Any:
        # The running customer-facing resolution clock's due time, from the prefetched clocks.
        clocks = getattr(ticket, sla_selectors.PREFETCH_ATTR, None)
        if clocks is None:
            request = self.context.get("request")
            clocks = sla_selectors.clocks_for(request.user if request else None, ticket)
        for clock in clocks:
            if (
                clock.metric == Metric.RESOLUTION
                and clock.group_id is None
                and clock.state == ClockState.RUNNING
                and clock.due_at is not None
            ):
                return serializers.DateTimeField().to_representation(clock.due_at)
        return None


class EndUserCommentOutput(serializers.ModelSerializer[Comment]):
    author = PersonRef(read_only=True, allow_null=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class EndUserAttachmentOutput(AttachmentOutput):
    class Meta(AttachmentOutput.Meta):
        fields = ["id", "filename", "content_type", "size", "uploaded_by", "created_at", "download_url"]
        read_only_fields = fields


class EndUserEventOutput(serializers.ModelSerializer[TicketEvent]):
    """A history row as the caller sees it: what changed, not who handled it."""

    class Meta:
        model = TicketEvent
        fields = ["id", "action", "field", "old_value", "new_value", "created_at"]
        read_only_fields = fields
