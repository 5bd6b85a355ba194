"""API input and output shapes for tickets. Input serializers only validate; services write."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from servicedesk.models import AssignmentGroup, Category, Service, User

from .models import (
    LEVEL_CHOICES,
    Attachment,
    Channel,
    Comment,
    Kind,
    PendingReason,
    ResolutionCode,
    Ticket,
    TicketEvent,
)


class PersonRef(serializers.Serializer[User]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class NamedRef(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TicketOutput(serializers.ModelSerializer[Ticket]):
    number = serializers.CharField(read_only=True)
    caller = PersonRef(read_only=True)
    assignee = PersonRef(read_only=True, allow_null=True)
    service = NamedRef(read_only=True, allow_null=True)
    assignment_group = NamedRef(read_only=True, allow_null=True)

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
            "parent",
            "reassignment_count",
            "reopen_count",
            "queue_entered_at",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
        ]
        read_only_fields = fields


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
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Ticket.objects.all(), required=False, allow_null=True
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
    major_incident = serializers.BooleanField(required=False)
    # DRF's Field also names its container "parent"; the declared field is what counts here.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Ticket.objects.all(), required=False, allow_null=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Fields only a transition may change are refused by name, not silently dropped.
        readonly = {"state", "assignee", "assignment_group", "priority", "resolution_code"}
        sent = set(self.initial_data) & readonly if isinstance(self.initial_data, dict) else set()
        if sent:
            raise serializers.ValidationError(
                {field: ["Change this with a transition (assign, resolve, …)."] for field in sorted(sent)}
            )
        return attrs


class AssignInput(serializers.Serializer[Any]):
    group = serializers.PrimaryKeyRelatedField(queryset=_active(AssignmentGroup.objects))
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class EscalateInput(serializers.Serializer[Any]):
    group = serializers.PrimaryKeyRelatedField(queryset=_active(AssignmentGroup.objects))


class PendInput(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(choices=PendingReason.choices)


class ResolveInput(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=ResolutionCode.choices)
    note = serializers.CharField(max_length=20000)


class ReopenInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class EmptyInput(serializers.Serializer[Any]):
    pass


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
