"""REST API for change management (registered on the project's router). Thin: validate input,
call a service, shape the output. Change management is for IT staff: anyone else gets 403."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from servicedesk.api_support import StrictOrderingFilter, request_user, validated

from . import selectors, services
from .filters import ChangeFilter
from .models import Change, FreezeWindow, Release, RiskQuestion
from .serializers import (
    ApproveInput,
    AssessInput,
    ChangeCreateInput,
    ChangeDetailOutput,
    ChangeEventOutput,
    ChangeOutput,
    ChangeUpdateInput,
    CloseInput,
    CompleteInput,
    EmptyInput,
    FreezeWindowOutput,
    ReasonInput,
    ReleaseOutput,
    RiskQuestionOutput,
    ScheduleInput,
)


class IsAgent(permissions.BasePermission):
    message = "Change management is for service-desk staff."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_agent)


class ChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Change]):
    """Change requests; the workflow's steps are POST actions. The detail carries approvals, risk
    answers and conflict warnings."""

    permission_classes = [IsAgent]
    serializer_class = ChangeOutput
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = ChangeFilter
    ordering_fields = ["id", "created_at", "updated_at", "planned_start", "state"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Change]:
        return selectors.change_list_for(request_user(self.request))

    def get_object(self) -> Change:
        return selectors.change_get_for_user(request_user(self.request), self.kwargs["pk"])

    def _out(self, change: Change, code: int = status.HTTP_200_OK) -> Response:
        change = selectors.change_get_for_user(request_user(self.request), change.pk)
        return Response(ChangeDetailOutput(change).data, status=code)

    @extend_schema(responses={200: ChangeDetailOutput})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._out(self.get_object())

    @extend_schema(request=ChangeCreateInput, responses={201: ChangeDetailOutput})
    def create(self, request: Request) -> Response:
        change = services.change_create(actor=request_user(request), **validated(ChangeCreateInput, request))
        return self._out(change, status.HTTP_201_CREATED)

    @extend_schema(request=ChangeUpdateInput, responses={200: ChangeDetailOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        change = self.get_object()
        data = validated(ChangeUpdateInput, request)
        return self._out(services.change_update(change=change, actor=request_user(request), **data))

    # --- transitions ---

    @extend_schema(request=EmptyInput, responses={200: ChangeDetailOutput})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        validated(EmptyInput, request)
        return self._out(services.change_submit(change=self.get_object(), actor=request_user(request)))

    @extend_schema(request=AssessInput, responses={200: ChangeDetailOutput})
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: str) -> Response:
        data = validated(AssessInput, request)
        return self._out(
            services.change_assess(change=self.get_object(), actor=request_user(request), **data)
        )

    @extend_schema(request=EmptyInput, responses={200: ChangeDetailOutput})
    @action(detail=True, methods=["post"], url_path="request-approval", url_name="request-approval")
    def request_approval(self, request: Request, pk: str) -> Response:
        validated(EmptyInput, request)
        return self._out(
            services.change_request_approval(change=self.get_object(), actor=request_user(request))
        )

    @extend_schema(request=ApproveInput, responses={200: ChangeDetailOutput})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve as a member of the board; approving again changes nothing."""
        data = validated(ApproveInput, request)
        change = self.get_object()
        services.change_approve(change=change, actor=request_user(request), **data)
        return self._out(change)

    @extend_schema(request=ReasonInput, responses={200: ChangeDetailOutput})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = validated(ReasonInput, request)
        change = self.get_object()
        services.change_reject(change=change, actor=request_user(request), **data)
        return self._out(change)

    @extend_schema(request=ScheduleInput, responses={200: ChangeDetailOutput})
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: str) -> Response:
        """Schedule or reschedule; refused in a freeze window unless the change is an emergency."""
        data = validated(ScheduleInput, request)
        return self._out(
            services.change_schedule(change=self.get_object(), actor=request_user(request), **data)
        )

    @extend_schema(request=EmptyInput, responses={200: ChangeDetailOutput})
    @action(detail=True, methods=["post"])
    def implement(self, request: Request, pk: str) -> Response:
        validated(EmptyInput, request)
        return self._out(services.change_implement(change=self.get_object(), actor=request_user(request)))

    @extend_schema(request=CompleteInput, responses={200: ChangeDetailOutput})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        data = validated(CompleteInput, request)
        return self._out(
            services.change_complete(change=self.get_object(), actor=request_user(request), **data)
        )

    @extend_schema(request=CloseInput, responses={200: ChangeDetailOutput})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        data = validated(CloseInput, request)
        return self._out(services.change_close(change=self.get_object(), actor=request_user(request), **data))

    @extend_schema(request=ReasonInput, responses={200: ChangeDetailOutput})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        data = validated(ReasonInput, request)
        return self._out(
            services.change_cancel(change=self.get_object(), actor=request_user(request), **data)
        )

    @extend_schema(responses={200: ChangeEventOutput(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request: Request, pk: str) -> Response:
        change = self.get_object()
        return Response(ChangeEventOutput(selectors.events_for(change), many=True).data)


class ReleaseViewSet(viewsets.ReadOnlyModelViewSet[Release]):
    """Releases and whether each was deployed on plan (edited in the admin)."""

    permission_classes = [IsAgent]
    queryset = Release.objects.order_by("-planned_date", "id")
    serializer_class = ReleaseOutput
    filter_backends: list[Any] = []


class FreezeWindowViewSet(viewsets.ReadOnlyModelViewSet[FreezeWindow]):
    """Periods in which only emergency changes may be scheduled (edited in the admin)."""

    permission_classes = [IsAgent]
    queryset = FreezeWindow.objects.prefetch_related("services").order_by("start", "id")
    serializer_class = FreezeWindowOutput
    filter_backends: list[Any] = []


class RiskQuestionViewSet(viewsets.ReadOnlyModelViewSet[RiskQuestion]):
    """The active questions of the risk assessment, answered when a change is assessed."""

    permission_classes = [IsAgent]
    queryset = RiskQuestion.objects.filter(active=True).order_by("position", "id")
    serializer_class = RiskQuestionOutput
    filter_backends: list[Any] = []
    pagination_class = None


def register(router: BaseRouter) -> None:
    """Add the change management endpoints to the API router."""
    router.register("changes", ChangeViewSet, basename="change")
    router.register("releases", ReleaseViewSet, basename="release")
    router.register("freeze-windows", FreezeWindowViewSet, basename="freeze-window")
    router.register("risk-questions", RiskQuestionViewSet, basename="risk-question")
