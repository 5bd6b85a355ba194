"""REST API for tickets and queues. Thin: validate input, call a service, shape the output."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OrderBy, QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from servicedesk.api_support import StrictOrderingFilter, request_user, validated
from servicedesk.models import AssignmentGroup
from sla import selectors as sla_selectors

from . import selectors, services
from .downloads import attachment_response
from .filters import TicketFilter
from .models import PostIncidentReview, Ticket
from .serializers import (
    AssignInput,
    AttachmentInput,
    AttachmentOutput,
    ClockReportOutput,
    CommentInput,
    CommentOutput,
    DeclareMajorInput,
    EmptyInput,
    EndMajorInput,
    EndUserTicketCreateInput,
    EscalateInput,
    EventOutput,
    LinkInput,
    PendInput,
    ReopenInput,
    ResolveInput,
    ReviewInput,
    ReviewOutput,
    TicketCreateInput,
    TicketOutput,
    TicketUpdateInput,
)

# Orderings on a value that may be missing: tickets without it come last, either way round.
NULLS_LAST_ORDERING = {"sla_due"}


class TicketOrderingFilter(StrictOrderingFilter):
    """The allow-listed orderings; `sla_due` (least time left first) puts tickets without a
    running resolution clock last."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(*(_order_term(term) for term in ordering))


def _order_term(term: str) -> str | OrderBy:
    name = term.lstrip("-")
    if name not in NULLS_LAST_ORDERING:
        return term
    return F(name).desc(nulls_last=True) if term.startswith("-") else F(name).asc(nulls_last=True)


def _ticket_out(request: Request, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
    """One ticket with the clocks the requester may see."""
    prefetch_related_objects([ticket], sla_selectors.clocks_prefetch(request_user(request)))
    return Response(TicketOutput(ticket, context={"request": request}).data, status=code)


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Ticket]):
    """Tickets visible to the caller of the API; transitions are POST actions."""

    serializer_class = TicketOutput
    filter_backends = [DjangoFilterBackend, TicketOrderingFilter]
    filterset_class = TicketFilter
    ordering_fields = [
        "id",
        "created_at",
        "updated_at",
        "priority",
        "state",
        "resolved_at",
        "queue_entered_at",
        "sla_due",
    ]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        # sla_due: when the resolution clock runs out, for ?ordering=sla_due (time left).
        user = request_user(self.request)
        tickets = selectors.ticket_list_for(user).prefetch_related(sla_selectors.clocks_prefetch(user))
        return sla_selectors.with_resolution_due(tickets)

    def get_object(self) -> Ticket:
        return selectors.ticket_get_for_user(request_user(self.request), self.kwargs["pk"])

    def retrieve(self, request: Request, pk: str) -> Response:
        return _ticket_out(request, self.get_object())

    def _out(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        ticket = selectors.ticket_get_for_user(request_user(self.request), ticket.pk)
        return _ticket_out(self.request, ticket, code)

    @extend_schema(request=TicketCreateInput, responses={201: TicketOutput})
    def create(self, request: Request) -> Response:
        user = request_user(request)
        if user.is_agent:
            data = validated(TicketCreateInput, request)
        else:
            data = validated(EndUserTicketCreateInput, request)
            data["caller"] = user
            data["channel"] = "api"
        ticket = services.ticket_create(actor=user, **data)
        return self._out(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=TicketUpdateInput, responses={200: TicketOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        ticket = self.get_object()
        user = request_user(request)
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
        data = validated(AssignInput, request)
        ticket = services.ticket_assign(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EscalateInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str) -> Response:
        data = validated(EscalateInput, request)
        ticket = services.ticket_escalate(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EmptyInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        ticket = services.ticket_claim(ticket=self.get_object(), actor=request_user(request))
        return self._out(ticket)

    @extend_schema(request=EmptyInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        ticket = services.ticket_start(ticket=self.get_object(), actor=request_user(request))
        return self._out(ticket)

    @extend_schema(request=PendInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def pend(self, request: Request, pk: str) -> Response:
        data = validated(PendInput, request)
        ticket = services.ticket_pend(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=ResolveInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        data = validated(ResolveInput, request)
        ticket = services.ticket_resolve(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=ReopenInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        data = validated(ReopenInput, request)
        ticket = services.ticket_reopen(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EmptyInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        ticket = services.ticket_close(ticket=self.get_object(), actor=request_user(request))
        return self._out(ticket)

    # --- major incidents ---

    @extend_schema(request=DeclareMajorInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"], url_path="declare-major", url_name="declare-major")
    def declare_major(self, request: Request, pk: str) -> Response:
        """Declare a major incident (managers): the affected services' outages start."""
        data = validated(DeclareMajorInput, request)
        ticket = services.ticket_declare_major(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EndMajorInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"], url_path="end-major", url_name="end-major")
    def end_major(self, request: Request, pk: str) -> Response:
        """End a major incident (managers): service restored, its outages end."""
        data = validated(EndMajorInput, request)
        ticket = services.ticket_end_major(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=LinkInput, responses={200: TicketOutput})
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str) -> Response:
        """Link a related ticket to this major incident; returns the related ticket."""
        data = validated(LinkInput, request)
        user = request_user(request)
        major = self.get_object()
        related = selectors.ticket_get_for_user(user, data["ticket"])
        related = services.ticket_link_major(ticket=major, actor=user, related=related)
        return self._out(related)

    @extend_schema(methods=["get"], responses={200: ReviewOutput})
    @extend_schema(methods=["post"], request=ReviewInput, responses={200: ReviewOutput})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def review(self, request: Request, pk: str) -> Response:
        """The post-incident review of a major incident (written by managers; 404 until then)."""
        user = request_user(request)
        ticket = self.get_object()
        if request.method == "POST":
            data = validated(ReviewInput, request)
            review = services.ticket_review_major(ticket=ticket, actor=user, **data)
            return Response(ReviewOutput(review).data)
        if not user.is_agent:
            raise Http404
        return Response(ReviewOutput(get_object_or_404(PostIncidentReview, ticket=ticket)).data)

    # --- conversation, files, history ---

    @extend_schema(methods=["get"], responses={200: CommentOutput(many=True)})
    @extend_schema(methods=["post"], request=CommentInput, responses={201: CommentOutput})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        ticket = self.get_object()
        if request.method == "POST":
            data = validated(CommentInput, request)
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
        user = request_user(request)
        ticket = self.get_object()
        if request.method == "POST":
            data = validated(AttachmentInput, request)
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
        attachment = selectors.attachment_get_for_user(request_user(request), attachment_id, ticket_pk=pk)
        return attachment_response(attachment)

    @extend_schema(responses={200: ClockReportOutput(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def sla(self, request: Request, pk: str) -> Response:
        """The ticket's SLA clocks with their stretches (running / paused, business time each
        counted): why a clock is overdue or breached."""
        user = request_user(request)
        ticket = self.get_object()
        reports = sla_selectors.clock_reports_for(user, ticket, timezone.now())
        return Response(ClockReportOutput(reports, many=True).data)

    @extend_schema(responses={200: EventOutput(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request: Request, pk: str) -> Response:
        user = request_user(request)
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
        return selectors.queues_for(request_user(self.request))

    @extend_schema(
        request=EmptyInput,
        responses={200: TicketOutput, 204: OpenApiResponse(description="The queue is empty.")},
    )
    @action(detail=True, methods=["post"], url_path="claim-next", url_name="claim-next")
    def claim_next(self, request: Request, pk: str) -> Response:
        group = self.get_object()
        ticket = services.queue_claim_next(group=group, actor=request_user(request))
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        ticket = selectors.ticket_get_for_user(request_user(request), ticket.pk)
        return _ticket_out(request, ticket)
