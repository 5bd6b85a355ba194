"""REST API for the service catalogue (registered on the project's router).

Thin: validate input, call a service, shape the output. Orders share their id with the request
ticket (order 123 is REQ0000123, /api/tickets/123/).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from audit.models import AccessChannel
from audit.services import record_ticket_read
from incidents.models import Channel
from servicedesk.api_support import request_user, validated

from . import selectors, services
from .answers import AnswersInvalid
from .models import Approval, CatalogueItem, CatalogueRequest, RequestState
from .serializers import (
    CatalogueApprovalOutput,
    CatalogueApproveInput,
    CatalogueItemOutput,
    CatalogueOrderInput,
    CatalogueRejectInput,
    CatalogueRequestOutput,
)


class CatalogueItemViewSet(viewsets.ReadOnlyModelViewSet[CatalogueItem]):
    """Items that can be ordered, each with its order form and approval steps."""

    serializer_class = CatalogueItemOutput
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[CatalogueItem]:
        return selectors.orderable_items().prefetch_related("fields", "approval_steps__service")


class CatalogueRequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=RequestState.choices)
    item = django_filters.NumberFilter(field_name="item_id")
    requester = django_filters.CharFilter(method="filter_requester", max_length=20, label="me, or a user id")

    class Meta:
        model = CatalogueRequest
        fields: list[str] = []

    def filter_requester(
        self, queryset: QuerySet[CatalogueRequest], name: str, value: str
    ) -> QuerySet[CatalogueRequest]:
        if value == "me":
            return queryset.filter(ticket__caller=self.request.user)
        if not value.isdigit():
            raise serializers.ValidationError({"requester": ["Give me or a user id."]})
        return queryset.filter(ticket__caller_id=int(value))


# The order's primary key is its ticket (one-to-one), which drf-spectacular cannot type by itself.
ORDER_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The order's id")


@extend_schema_view(retrieve=extend_schema(parameters=[ORDER_ID]))
class CatalogueRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[CatalogueRequest]
):
    """Orders: the requester sees their own, agents those whose ticket they may see, approvers
    those they are asked to approve. POST orders an item for yourself."""

    serializer_class = CatalogueRequestOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = CatalogueRequestFilter

    def get_queryset(self) -> QuerySet[CatalogueRequest]:
        return selectors.request_list_for(request_user(self.request))

    def get_object(self) -> CatalogueRequest:
        return selectors.request_get_for_user(request_user(self.request), self.kwargs["pk"])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        order = self.get_object()
        # An order is its request ticket: the requester and the answers are the ticket's content.
        record_ticket_read(request, order.ticket_id, channel=AccessChannel.API)
        return Response(self.get_serializer(order).data)

    @extend_schema(request=CatalogueOrderInput, responses={201: CatalogueRequestOutput})
    def create(self, request: Request) -> Response:
        user = request_user(request)
        data = validated(CatalogueOrderInput, request)
        try:
            order = services.request_submit(
                item=data["item"], requester=user, answers=data["answers"], channel=Channel.API
            )
        except AnswersInvalid as error:
            # Like any DRF field error, by field: {"answers": {"start_date": ["…"]}}.
            raise serializers.ValidationError(
                {"answers": {key: [message] for key, message in error.errors.items()}}
            ) from None
        order = selectors.request_get_for_user(user, order.pk)
        return Response(CatalogueRequestOutput(order).data, status=status.HTTP_201_CREATED)


class CatalogueApprovalFilter(django_filters.FilterSet):
    pending = django_filters.BooleanFilter(
        method="filter_pending", label="true: only those waiting for your decision now"
    )

    class Meta:
        model = Approval
        fields: list[str] = []

    def filter_pending(self, queryset: QuerySet[Approval], name: str, value: bool) -> QuerySet[Approval]:
        return selectors.only_actionable(queryset) if value else queryset


class CatalogueApprovalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Approval]
):
    """Approvals asked of you (`?pending=true`: those waiting for your decision now). Approve or
    reject as POST actions; steps are decided in order, each once, only by its approver."""

    serializer_class = CatalogueApprovalOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = CatalogueApprovalFilter

    def get_queryset(self) -> QuerySet[Approval]:
        return selectors.approvals_for(request_user(self.request))

    def get_object(self) -> Approval:
        return selectors.approval_get_for_user(request_user(self.request), self.kwargs["pk"])

    def _out(self, approval: Approval) -> Response:
        approval = selectors.approval_get_for_user(request_user(self.request), approval.pk)
        return Response(CatalogueApprovalOutput(approval).data)

    @extend_schema(request=CatalogueApproveInput, responses={200: CatalogueApprovalOutput})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        data = validated(CatalogueApproveInput, request)
        approval = services.approval_approve(approval=self.get_object(), actor=request_user(request), **data)
        return self._out(approval)

    @extend_schema(request=CatalogueRejectInput, responses={200: CatalogueApprovalOutput})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = validated(CatalogueRejectInput, request)
        approval = services.approval_reject(approval=self.get_object(), actor=request_user(request), **data)
        return self._out(approval)


def register(router: BaseRouter) -> None:
    """Add the catalogue endpoints to the API router."""
    router.register("catalogue/items", CatalogueItemViewSet, basename="catalogue-item")
    router.register("catalogue/requests", CatalogueRequestViewSet, basename="catalogue-request")
    router.register("catalogue/approvals", CatalogueApprovalViewSet, basename="catalogue-approval")
