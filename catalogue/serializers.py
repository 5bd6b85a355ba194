"""API input and output shapes of the catalogue. Input serializers only validate; services write."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from incidents.models import State, Ticket
from incidents.serializers import NamedRef, PersonRef

from .models import (
    Approval,
    ApprovalStep,
    ApproverKind,
    CatalogueItem,
    CatalogueRequest,
    Decision,
    FieldType,
    FormField,
    RequestState,
)


class CatalogueFormFieldOutput(serializers.ModelSerializer[FormField]):
    type = serializers.ChoiceField(
        choices=FieldType.choices,
        read_only=True,
        help_text="text: a string; choice: one of `choices`; user: an active user's id; "
        "date: YYYY-MM-DD; yes_no: true or false",
    )
    choices = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = FormField
        fields = ["key", "label", "type", "required", "help_text", "choices", "order"]
        read_only_fields = fields


class CatalogueApprovalStepOutput(serializers.ModelSerializer[ApprovalStep]):
    approver_role = serializers.ChoiceField(source="approver", choices=ApproverKind.choices, read_only=True)
    service = NamedRef(read_only=True, allow_null=True, help_text="Whose owner approves")

    class Meta:
        model = ApprovalStep
        fields = ["order", "approver_role", "service"]
        read_only_fields = fields


class CatalogueItemOutput(serializers.ModelSerializer[CatalogueItem]):
    category = NamedRef(read_only=True)
    form = CatalogueFormFieldOutput(source="fields", many=True, read_only=True, help_text="The order form")
    approval_steps = CatalogueApprovalStepOutput(many=True, read_only=True, help_text="Decided in order")

    class Meta:
        model = CatalogueItem
        fields = ["id", "name", "description", "category", "form", "approval_steps"]
        read_only_fields = fields


class CatalogueOrderInput(serializers.Serializer[Any]):
    item = serializers.PrimaryKeyRelatedField(queryset=CatalogueItem.objects.filter(active=True))
    answers = serializers.DictField(
        default=dict,
        help_text="One value per form field key, typed as the field's `type` says; "
        "optional fields may be left out",
    )


class CatalogueTaskOutput(serializers.ModelSerializer[Ticket]):
    number = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=State.choices, read_only=True)
    assignment_group = NamedRef(read_only=True, allow_null=True)

    class Meta:
        model = Ticket
        fields = ["id", "number", "title", "state", "assignment_group", "resolved_at"]
        read_only_fields = fields


class CatalogueApprovalOutput(serializers.ModelSerializer[Approval]):
    request = serializers.IntegerField(source="request_id", read_only=True, help_text="The order's id")
    approver_role = serializers.ChoiceField(
        source="kind", choices=ApproverKind.choices, read_only=True, help_text="Why this person approves"
    )
    approver = PersonRef(read_only=True)
    decision = serializers.ChoiceField(choices=Decision.choices, read_only=True)

    class Meta:
        model = Approval
        fields = ["id", "request", "order", "approver_role", "approver", "decision", "decided_at", "comment"]
        read_only_fields = fields


class CatalogueRequestOutput(serializers.ModelSerializer[CatalogueRequest]):
    id = serializers.IntegerField(source="pk", read_only=True, help_text="The request ticket's id too")
    number = serializers.CharField(source="ticket.number", read_only=True)
    item = NamedRef(read_only=True)
    requester = PersonRef(source="ticket.caller", read_only=True)
    state = serializers.ChoiceField(choices=RequestState.choices, read_only=True)
    ticket_state = serializers.ChoiceField(source="ticket.state", choices=State.choices, read_only=True)
    answers = serializers.DictField(read_only=True)
    created_at = serializers.DateTimeField(source="ticket.created_at", read_only=True)
    resolved_at = serializers.DateTimeField(source="ticket.resolved_at", read_only=True, allow_null=True)
    approvals = CatalogueApprovalOutput(
        many=True,
        read_only=True,
        help_text="In step order; while the order awaits approval, the first pending one is next",
    )
    tasks = CatalogueTaskOutput(
        source="ticket.tasks", many=True, read_only=True, help_text="Fulfilment tasks"
    )

    class Meta:
        model = CatalogueRequest
        fields = [
            "id",
            "number",
            "item",
            "requester",
            "state",
            "ticket_state",
            "answers",
            "rejection_reason",
            "created_at",
            "resolved_at",
            "approvals",
            "tasks",
        ]
        read_only_fields = fields


class CatalogueApproveInput(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class CatalogueRejectInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, help_text="Told to the requester")
