"""REST API for tickets and queues. Thin: validate input, call a service, shape the output."""

from __future__ import annotations

from typing import Any, cast

from django.http import FileResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from servicedesk.api_support import StrictOrderingFilter
from servicedesk.models import AssignmentGroup, User

from . import selectors, services
from .downloads import attachment_response
from .filters import TicketFilter
from .models import Ticket
from .serializers import (
    AssignInput,
    AttachmentInput,
    AttachmentOutput,
    CommentInput,
    CommentOutput,
    EmptyInput,
    EndUserTicketCreateInput,
    EscalateInput,
    EventOutput,
    PendInput,
    ReopenInput,
    ResolveInput,
    TicketCreateInput,
    TicketOutput,
    TicketUpdateInput,
)


def _user(request: Request) -> User:
    # IsAuthenticated (the default permission) has run: this is a real user.
    return cast(User, request.user)


def _valid(serializer_class: type[BaseSerializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Ticket]):
    """Tickets visible to the caller of the API; transitions are POST actions."""

    serializer_class = TicketOutput
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = TicketFilter
    ordering_fields = [
        "id",
        "created_at",
        "updated_at",
        "priority",
        "state",
        "resolved_at",
        "queue_entered_at",
    ]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.ticket_list_for(_user(self.request))

    def get_object(self) -> Ticket:
        return selectors.ticket_get_for_user(_user(self.request), self.kwargs["pk"])

    def _out(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        ticket = selectors.ticket_get_for_user(_user(self.request), ticket.pk)
        return Response(TicketOutput(ticket).data, status=code)

    @extend_schema(request=TicketCreateInput, responses={201: TicketOutput})
    def create(self, request: Request) -> Response:
        user = _user(request)
        if user.is_agent:
            data = _valid(TicketCreateInput, request)
        else:
            data = _valid(EndUserTicketCreateInput, request)
            data["caller"] = user
            data["channel"] = "api"
        ticket = services.ticket_create(actor=user, **data)
        return self._out(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=TicketUpdateInput, responses={200: TicketOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        ticket = self.get_object()
        user = _user(request)
        if not user.is_agent:
            raise PermissionDenied("Only service-desk staff may edit tickets.")
        serializer = TicketUpdateInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_update(ticket=ticket, actor=user, **serializer.validated_data)
        return self._out(ticket)

    # --- transitions ---

    @extend_schema(request=AssignInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        data = _valid(AssignInput, request)
        ticket = services.ticket_assign(ticket=self.get_object(), actor=_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EscalateInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str) -> Response:
        data = _valid(EscalateInput, request)
        ticket = services.ticket_escalate(ticket=self.get_object(), actor=_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EmptyInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        ticket = services.ticket_claim(ticket=self.get_object(), actor=_user(request))
        return self._out(ticket)

    @extend_schema(request=EmptyInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        ticket = services.ticket_start(ticket=self.get_object(), actor=_user(request))
        return self._out(ticket)

    @extend_schema(request=PendInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def pend(self, request: Request, pk: str) -> Response:
        data = _valid(PendInput, request)
        ticket = services.ticket_pend(ticket=self.get_object(), actor=_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=ResolveInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        data = _valid(ResolveInput, request)
        ticket = services.ticket_resolve(ticket=self.get_object(), actor=_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=ReopenInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        data = _valid(ReopenInput, request)
        ticket = services.ticket_reopen(ticket=self.get_object(), actor=_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EmptyInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        ticket = services.ticket_close(ticket=self.get_object(), actor=_user(request))
        return self._out(ticket)

    # --- conversation, files, history ---

    @extend_schema(methods=["get"], responses={200: CommentOutput(many=True)})
    @extend_schema(methods=["post"], request=CommentInput, responses={201: CommentOutput})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        user = _user(request)
        ticket = self.get_object()
        if request.method == "POST":
            data = _valid(CommentInput, request)
            comment = services.comment_add(ticket=ticket, actor=user, **data)
            return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)
        return Response(CommentOutput(selectors.comments_for(user, ticket), many=True).data)

    @extend_schema(methods=["get"], responses={200: AttachmentOutput(many=True)})
    @extend_schema(methods=["post"], request=AttachmentInput, responses={201: AttachmentOutput})
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        filter_backends=[],
        pagination_class=None,
    )
    def attachments(self, request: Request, pk: str) -> Response:
        user = _user(request)
        ticket = self.get_object()
        if request.method == "POST":
            data = _valid(AttachmentInput, request)
            attachment = services.attachment_add(
                ticket=ticket, actor=user, upload=data["file"], internal=data["internal"]
            )
            return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)
        return Response(AttachmentOutput(selectors.attachments_for(user, ticket), many=True).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The file")})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>\d+)/content",
        url_name="attachment-content",
        filter_backends=[],
        pagination_class=None,
    )
    def attachment_content(self, request: Request, pk: str, attachment_id: str) -> FileResponse:
        attachment = selectors.attachment_get_for_user(_user(request), attachment_id, ticket_pk=pk)
        return attachment_response(attachment)

    @extend_schema(responses={200: EventOutput(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request: Request, pk: str) -> Response:
        user = _user(request)
        ticket = self.get_object()
        return Response(EventOutput(selectors.events_for(user, ticket), many=True).data)


class QueueSerializer(serializers.ModelSerializer[AssignmentGroup]):
    waiting = serializers.IntegerField(read_only=True, help_text="Unclaimed tickets in the queue")

    class Meta:
        model = AssignmentGroup
        fields = ["id", "name", "level", "waiting"]
        read_only_fields = fields


class QueueViewSet(viewsets.ReadOnlyModelViewSet[AssignmentGroup]):
    """Each assignment group's queue of unclaimed tickets; claim-next hands out the next one."""

    serializer_class = QueueSerializer
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.queues_for(_user(self.request))

    @extend_schema(
        request=EmptyInput,
        responses={200: TicketOutput, 204: OpenApiResponse(description="The queue is empty.")},
    )
    @action(detail=True, methods=["post"], url_path="claim-next", url_name="claim-next")
    def claim_next(self, request: Request, pk: str) -> Response:
        group = self.get_object()
        ticket = services.queue_claim_next(group=group, actor=_user(request))
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        ticket = selectors.ticket_get_for_user(_user(request), ticket.pk)
        return Response(TicketOutput(ticket).data)
