"""`/api/outages/`: service outages. Monitoring posts down/up; managers record and correct them;
staff read them. Thin: validate, call sla/outages.py, shape the output."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from servicedesk.api_support import request_user, validated
from servicedesk.models import Service, User

from . import outages
from .models import Outage, OutageCause, OutageEvent


class OutageAccess(permissions.BasePermission):
    """Staff and the monitoring integration read; writes are checked per kind in the view."""

    message = "Only service-desk staff and the monitoring integration may see outages."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        user = cast(User, user)
        return user.is_agent or outages.can_report_monitoring(user)


class OutageFilter(django_filters.FilterSet):
    service = django_filters.ModelChoiceFilter(queryset=Service.objects.all())
    planned = django_filters.BooleanFilter()
    cause = django_filters.ChoiceFilter(choices=OutageCause.choices)
    open = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label="Still ongoing")
    ticket = django_filters.NumberFilter(field_name="ticket_id", label="Major incident (ticket id)")
    change = django_filters.NumberFilter(field_name="change_id", label="Change id")
    period_start = django_filters.IsoDateTimeFilter(
        method="filter_period_start", label="Outages still going on at or after this instant"
    )
    period_end = django_filters.IsoDateTimeFilter(
        method="filter_period_end", label="Outages that started before this instant"
    )

    class Meta:
        model = Outage
        fields: list[str] = []

    def filter_period_start(self, queryset: QuerySet[Outage], name: str, value: Any) -> QuerySet[Outage]:
        return queryset.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=value))

    def filter_period_end(self, queryset: QuerySet[Outage], name: str, value: Any) -> QuerySet[Outage]:
        return queryset.filter(started_at__lt=value)


class OutageOutput(serializers.ModelSerializer[Outage]):
    service_name = serializers.CharField(source="service.name", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Outage
        fields = [
            "id",
            "service",
            "service_name",
            "started_at",
            "ended_at",
            "is_open",
            "planned",
            "cause",
            "ticket",
            "change",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OutageEventOutput(serializers.ModelSerializer[OutageEvent]):
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = OutageEvent
        fields = ["id", "action", "field", "old_value", "new_value", "details", "actor", "created_at"]
        read_only_fields = fields


class OutageInput(serializers.Serializer[Any]):
    """Either a monitoring event (`event` + `at`) or, from a manager, an outage by hand
    (`started_at`, optional `ended_at`, `planned`)."""

    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.filter(active=True))
    event = serializers.ChoiceField(
        choices=[("down", "down"), ("up", "up")],
        required=False,
        help_text="Monitoring: the service went down / up",
    )
    at = serializers.DateTimeField(required=False, help_text="Monitoring: when (ISO 8601 with offset)")
    started_at = serializers.DateTimeField(required=False, help_text="By hand: start")
    ended_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="By hand: end (empty: ongoing)"
    )
    planned = serializers.BooleanField(default=False, help_text="By hand: a planned outage")
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "event" in attrs:
            if "at" not in attrs:
                raise serializers.ValidationError({"at": ["A monitoring event needs its time."]})
            stray = {"started_at", "ended_at"} & set(attrs)
            if stray:
                raise serializers.ValidationError(
                    {name: ["Not part of a monitoring event."] for name in sorted(stray)}
                )
        elif "started_at" not in attrs:
            raise serializers.ValidationError(
                {"started_at": ["Give the start (or an event: down/up with its time)."]}
            )
        return attrs


class OutageUpdateInput(serializers.Serializer[Any]):
    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Empty: still ongoing")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        fixed = {"service", "planned", "cause", "ticket", "change"}
        sent = set(self.initial_data) & fixed if isinstance(self.initial_data, dict) else set()
        if sent:
            raise serializers.ValidationError({name: ["This cannot be changed."] for name in sorted(sent)})
        return attrs


class OutageViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet[Outage]
):
    """Service outages. POST with `event` (down/up) is monitoring's report, idempotent: a repeat
    returns 200 and changes nothing, "up" for a service not down is 409. POST without `event`
    and PATCH are for managers."""

    serializer_class = OutageOutput
    permission_classes = [OutageAccess]
    filterset_class = OutageFilter
    ordering_fields = ["started_at", "ended_at", "id"]
    ordering = ["-started_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return Outage.objects.select_related("service")

    @extend_schema(request=OutageInput, responses={201: OutageOutput, 200: OutageOutput})
    def create(self, request: Request) -> Response:
        user = request_user(request)
        data = validated(OutageInput, request)
        created = True
        if "event" in data:
            if not outages.can_report_monitoring(user):
                raise PermissionDenied("Only the monitoring integration may report down/up events.")
            if data["event"] == "down":
                outage, created = outages.monitoring_down(
                    actor=user, service=data["service"], at=data["at"], note=data["note"]
                )
            else:
                outage = outages.monitoring_up(actor=user, service=data["service"], at=data["at"])
                created = False
        else:
            outage = outages.outage_record(
                actor=user,
                service=data["service"],
                started_at=data["started_at"],
                ended_at=data.get("ended_at"),
                planned=data["planned"],
                note=data["note"],
            )
        outage = self.get_queryset().get(pk=outage.pk)
        return Response(
            OutageOutput(outage).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=OutageUpdateInput, responses={200: OutageOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Correct the start, end or note (managers)."""
        user = request_user(request)
        outage = self.get_object()
        if not outages.can_manage_outages(user):
            raise PermissionDenied("Only service-desk managers may edit outages.")
        serializer = OutageUpdateInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        outage = outages.outage_update(outage=outage, actor=user, **serializer.validated_data)
        return Response(OutageOutput(self.get_queryset().get(pk=outage.pk)).data)

    @extend_schema(responses={200: OutageEventOutput(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request: Request, pk: str) -> Response:
        """The outage's history: who changed what, when."""
        outage = self.get_object()
        return Response(OutageEventOutput(outage.events.select_related("actor"), many=True).data)


def register(router: BaseRouter) -> None:
    """Add the outage endpoints to the API router."""
    router.register("outages", OutageViewSet, basename="outage")
