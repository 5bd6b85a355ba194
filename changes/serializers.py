"""API input and output shapes for change management. Input serializers only validate (and name
any field they do not know); services write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incidents.models import LEVEL_CHOICES, Kind, Ticket
from incidents.serializers import NamedRef, PersonRef
from servicedesk.models import AGENT_ROLES, AssignmentGroup, Service, User
from sla.models import Outage

from . import selectors
from .models import (
    Approval,
    Change,
    ChangeEvent,
    ChangeType,
    FreezeWindow,
    Outcome,
    Release,
    RiskAnswer,
    RiskQuestion,
    StandardChangeTemplate,
    State,
)


class ChangeStateField(serializers.CharField):
    pass


class ChangeStateFieldSchema(OpenApiSerializerFieldExtension):
    """One named enum component for a change's state wherever it appears: "state" also names the
    ticket's state enum, and drf-spectacular cannot name a choice set shared by several
    components itself."""

    target_class = ChangeStateField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        component = ResolvedComponent(
            name="ChangeStateEnum",
            type=ResolvedComponent.SCHEMA,
            object="ChangeStateEnum",
            schema={"type": "string", "enum": list(State.values)},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class StrictInput(serializers.Serializer[Any]):
    """Input that refuses fields it does not know (a typo is a 400 naming it, not ignored)."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = (
            {name: ["Unknown or read-only field."] for name in data if name not in self.fields}
            if isinstance(data, Mapping)
            else {}
        )
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {}
            raise serializers.ValidationError({**detail, **unknown}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


# --- outputs -----------------------------------------------------------------------------------


class TicketRef(serializers.Serializer[Ticket]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()


class ChangeOutput(serializers.ModelSerializer[Change]):
    number = serializers.CharField(read_only=True)
    state = ChangeStateField(read_only=True)
    services = NamedRef(many=True, read_only=True)
    requester = PersonRef(read_only=True)
    owner = PersonRef(read_only=True, allow_null=True)
    implementer_group = NamedRef(read_only=True, allow_null=True)
    release = NamedRef(read_only=True, allow_null=True)

    class Meta:
        model = Change
        fields = [
            "id",
            "number",
            "change_type",
            "title",
            "state",
            "risk",
            "risk_score",
            "impact",
            "services",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "outcome",
            "requester",
            "owner",
            "implementer_group",
            "release",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields


class ApprovalOutput(serializers.ModelSerializer[Approval]):
    approver = PersonRef(read_only=True, allow_null=True)

    class Meta:
        model = Approval
        fields = ["id", "approver", "decision", "comment", "created_at"]
        read_only_fields = fields


class RiskAnswerOutput(serializers.ModelSerializer[RiskAnswer]):
    question = serializers.CharField(source="question.text", read_only=True)
    weight = serializers.IntegerField(source="question.weight", read_only=True)

    class Meta:
        model = RiskAnswer
        fields = ["question", "weight", "answer"]
        read_only_fields = fields


class ConflictOutput(serializers.Serializer[Any]):
    """Another scheduled change on a shared service in an overlapping window."""

    id = serializers.IntegerField(source="change.id", read_only=True)
    number = serializers.CharField(source="change.number", read_only=True)
    title = serializers.CharField(source="change.title", read_only=True)
    state = ChangeStateField(source="change.state", read_only=True)
    planned_start = serializers.DateTimeField(source="change.planned_start", read_only=True)
    planned_end = serializers.DateTimeField(source="change.planned_end", read_only=True)
    services = NamedRef(many=True, read_only=True, help_text="The services both changes affect")


class PlannedOutageOutput(serializers.ModelSerializer[Outage]):
    service = NamedRef(read_only=True)

    class Meta:
        model = Outage
        fields = ["id", "service", "started_at", "ended_at"]
        read_only_fields = fields


class ChangeDetailOutput(ChangeOutput):
    template = NamedRef(read_only=True, allow_null=True)
    approval_board = NamedRef(read_only=True, allow_null=True)
    approvals = ApprovalOutput(many=True, read_only=True)
    risk_answers = RiskAnswerOutput(many=True, read_only=True)
    fixes = TicketRef(many=True, read_only=True)
    caused_incidents = TicketRef(many=True, read_only=True)
    conflicts = serializers.SerializerMethodField(
        help_text="Warnings: scheduled changes overlapping this one's window on a shared service"
    )
    outages = serializers.SerializerMethodField(
        help_text="The planned outage of each service while the change runs (see /api/outages/)"
    )

    class Meta(ChangeOutput.Meta):
        fields = [
            *ChangeOutput.Meta.fields,
            "template",
            "description",
            "justification",
            "implementation_plan",
            "backout_plan",
            "test_plan",
            "outcome_notes",
            "review_notes",
            "approval_board",
            "required_approvals",
            "approvals",
            "risk_answers",
            "fixes",
            "caused_incidents",
            "conflicts",
            "outages",
        ]
        read_only_fields = fields

    @extend_schema_field(PlannedOutageOutput(many=True))
    def get_outages(self, change: Change) -> Any:
        return PlannedOutageOutput(
            change.outages.select_related("service").order_by("started_at", "id"), many=True
        ).data

    @extend_schema_field(ConflictOutput(many=True))
    def get_conflicts(self, change: Change) -> Any:
        return ConflictOutput(selectors.change_conflicts(change), many=True).data


class ChangeEventOutput(serializers.ModelSerializer[ChangeEvent]):
    actor = PersonRef(read_only=True, allow_null=True)

    class Meta:
        model = ChangeEvent
        fields = ["id", "action", "field", "old_value", "new_value", "details", "actor", "created_at"]
        read_only_fields = fields


class ReleaseOutput(serializers.ModelSerializer[Release]):
    on_plan = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Deployed on or before the planned date; null until deployed",
    )

    class Meta:
        model = Release
        fields = ["id", "name", "planned_date", "deployed_date", "on_plan", "description"]
        read_only_fields = fields


class FreezeWindowOutput(serializers.ModelSerializer[FreezeWindow]):
    services = NamedRef(many=True, read_only=True, help_text="Empty: every service")

    class Meta:
        model = FreezeWindow
        fields = ["id", "name", "start", "end", "services", "reason"]
        read_only_fields = fields


class RiskQuestionOutput(serializers.ModelSerializer[RiskQuestion]):
    class Meta:
        model = RiskQuestion
        fields = ["id", "text", "weight"]
        read_only_fields = fields


# --- inputs ------------------------------------------------------------------------------------


def _agents() -> Any:
    return User.objects.filter(is_active=True, role__in=AGENT_ROLES)


class ChangeUpdateInput(StrictInput):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    justification = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    services = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.filter(active=True), many=True, required=False
    )
    impact = serializers.ChoiceField(choices=LEVEL_CHOICES, required=False)
    implementation_plan = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    backout_plan = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    test_plan = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    planned_start = serializers.DateTimeField(required=False, allow_null=True)
    planned_end = serializers.DateTimeField(required=False, allow_null=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=_agents(), required=False, allow_null=True)
    implementer_group = serializers.PrimaryKeyRelatedField(
        queryset=AssignmentGroup.objects.filter(active=True), required=False, allow_null=True
    )
    release = serializers.PrimaryKeyRelatedField(
        queryset=Release.objects.all(), required=False, allow_null=True
    )
    fixes = serializers.PrimaryKeyRelatedField(queryset=Ticket.objects.all(), many=True, required=False)
    caused_incidents = serializers.PrimaryKeyRelatedField(
        queryset=Ticket.objects.filter(kind=Kind.INCIDENT), many=True, required=False
    )


class ChangeCreateInput(ChangeUpdateInput):
    change_type = serializers.ChoiceField(choices=ChangeType.choices, default=ChangeType.NORMAL)
    template = serializers.PrimaryKeyRelatedField(
        queryset=StandardChangeTemplate.objects.filter(active=True),
        required=False,
        allow_null=True,
        help_text="Required for a standard change, which takes its plans and risk from it",
    )
    title = serializers.CharField(max_length=200)


class EmptyInput(StrictInput):
    pass


class AnswerInput(StrictInput):
    question = serializers.PrimaryKeyRelatedField(queryset=RiskQuestion.objects.filter(active=True))
    answer = serializers.BooleanField()


class AssessInput(StrictInput):
    answers = AnswerInput(many=True, help_text="Every active risk question (/api/risk-questions/), yes or no")
    impact = serializers.ChoiceField(choices=LEVEL_CHOICES, required=False)

    def validate_answers(self, answers: list[dict[str, Any]]) -> dict[int, bool]:
        return {item["question"].pk: item["answer"] for item in answers}


class ApproveInput(StrictInput):
    comment = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class ReasonInput(StrictInput):
    reason = serializers.CharField(max_length=2000)


class ScheduleInput(StrictInput):
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()


class CompleteInput(StrictInput):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    notes = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)


class CloseInput(StrictInput):
    review_notes = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=20000,
        help_text="The post-implementation review; required for emergency changes and unsuccessful ones",
    )
