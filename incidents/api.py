"""REST API for tickets and queues. Thin: validate input, call a service, shape the output."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OrderBy, QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from audit.models import AccessChannel, AccessResource
from audit.services import record_ticket_read
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
    EndUserAttachmentOutput,
    EndUserCommentOutput,
    EndUserEventOutput,
    EndUserTicketCreateInput,
    EndUserTicketOutput,
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
        if list(ordering) == ["sla_due", "-id"]:  # (get_ordering adds the id as the last key)
            # Least time left first, ties as the console's "time left" sort breaks them (priority,
            # then newest): two index-served reads a page, not a sort of every matching ticket.
            return sla_selectors.TimeLeftOrder(queryset)  # type: ignore[return-value]
        if any(term.lstrip("-") == "sla_due" for term in ordering):
            # Joined only when asked for: the page's count then stays a plain count.
            queryset = sla_selectors.with_resolution_due(queryset)
        return queryset.order_by(*(_order_term(term) for term in ordering))


def _order_term(term: str) -> str | OrderBy:
    name = term.lstrip("-")
    if name not in NULLS_LAST_ORDERING:
        return term
    return F(name).desc(nulls_last=True) if term.startswith("-") else F(name).asc(nulls_last=True)


# End users (callers) read their tickets without any agent-only field: each answer's shape is
# chosen by role, and the schema documents both shapes.
TICKET_ANSWER = PolymorphicProxySerializer(
    component_name="TicketAnswer",
    serializers=[TicketOutput, EndUserTicketOutput],
    resource_type_field_name=None,
)
TICKET_LIST_ANSWER = PolymorphicProxySerializer(
    component_name="TicketAnswer",
    serializers=[TicketOutput, EndUserTicketOutput],
    resource_type_field_name=None,
    many=True,
)
COMMENT_ANSWER = PolymorphicProxySerializer(
    component_name="CommentAnswer",
    serializers=[CommentOutput, EndUserCommentOutput],
    resource_type_field_name=None,
)
ATTACHMENT_ANSWER = PolymorphicProxySerializer(
    component_name="AttachmentAnswer",
    serializers=[AttachmentOutput, EndUserAttachmentOutput],
    resource_type_field_name=None,
)
EVENT_ANSWER = PolymorphicProxySerializer(
    component_name="EventAnswer",
    serializers=[EventOutput, EndUserEventOutput],
    resource_type_field_name=None,
    many=True,
)


# Filters and orderings on agent-only fields: an end user could read those fields through them.
AGENT_ONLY_FILTERS = (
    "priority",
    "assignment_group",
    "assignee",
    "major_incident",
    "resolved_by_group",
    "resolution_sla",
    "first_line",
)
AGENT_ONLY_ORDERINGS = {"priority", "queue_entered_at", "sla_due"}


def _refuse_agent_only_queries(request: Request) -> None:
    params = request.query_params
    refused = _("Only service-desk staff may filter on this.")
    errors = {name: [refused] for name in AGENT_ONLY_FILTERS if name in params}
    ordering = {term.strip().lstrip("-") for term in params.get("ordering", "").split(",")}
    if ordering & AGENT_ONLY_ORDERINGS:
        errors["ordering"] = [_("Only service-desk staff may order on this.")]
    if errors:
        raise ValidationError(errors)


def _for_role(user: Any, agent_shape: type[Any], end_user_shape: type[Any]) -> type[Any]:
    return agent_shape if selectors.is_staff_viewer(user) else end_user_shape


def _ticket_out(request: Request, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
    """One ticket with the clocks the requester may see, in the requester's shape."""
    user = request_user(request)
    prefetch_related_objects([ticket], sla_selectors.clocks_prefetch(user))
    output = _for_role(user, TicketOutput, EndUserTicketOutput)
    return Response(output(ticket, context={"request": request}).data, status=code)


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
        # sla_due (when the resolution clock runs out) is added by TicketOrderingFilter when asked for.
        user = request_user(self.request)
        return selectors.ticket_list_for(user).prefetch_related(sla_selectors.clocks_prefetch(user))

    def get_object(self) -> Ticket:
        return selectors.ticket_get_for_user(request_user(self.request), self.kwargs["pk"])

    def get_serializer_class(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema documents both shapes
            return TicketOutput
        return _for_role(request_user(self.request), TicketOutput, EndUserTicketOutput)

    @extend_schema(responses={200: TICKET_LIST_ANSWER})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not selectors.is_staff_viewer(request_user(request)):
            _refuse_agent_only_queries(request)
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: TICKET_ANSWER})
    def retrieve(self, request: Request, pk: str) -> Response:
        ticket = self.get_object()
        record_ticket_read(request, ticket, channel=AccessChannel.API)
        return _ticket_out(request, ticket)

    def _out(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        ticket = selectors.ticket_get_for_user(request_user(self.request), ticket.pk)
        return _ticket_out(self.request, ticket, code)

    @extend_schema(request=TicketCreateInput, responses={201: TICKET_ANSWER})
    def create(self, request: Request) -> Response:
        user = request_user(request)
        if user.is_agent:
            data = validated(TicketCreateInput, request)
        else:
            data = validated(EndUserTicketCreateInput, request)
            data["caller"] = user
            data["channel"] = "api"
        ticket = services.ticket_create(actor=user, **data)
        # Answered from the ticket just written, not re-read: its creator always sees it (as caller
        # or as the one who logged it), and its caller, service and group are the objects given.
        return _ticket_out(request, ticket, status.HTTP_201_CREATED)

    @extend_schema(request=TicketUpdateInput, responses={200: TICKET_ANSWER})
    def partial_update(self, request: Request, pk: str) -> Response:
        ticket = self.get_object()
        user = request_user(request)
        if not user.is_agent:
            raise PermissionDenied("Only service-desk staff may edit tickets.")
        data = validated(TicketUpdateInput, request, partial=True)
        ticket = services.ticket_update(ticket=ticket, actor=user, **data)
        return self._out(ticket)

    # --- transitions ---

    @extend_schema(request=AssignInput, responses={200: TICKET_ANSWER})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        data = validated(AssignInput, request)
        ticket = services.ticket_assign(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EscalateInput, responses={200: TICKET_ANSWER})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str) -> Response:
        data = validated(EscalateInput, request)
        ticket = services.ticket_escalate(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EmptyInput, responses={200: TICKET_ANSWER})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        ticket = services.ticket_claim(ticket=self.get_object(), actor=request_user(request))
        return self._out(ticket)

    @extend_schema(request=EmptyInput, responses={200: TICKET_ANSWER})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        ticket = services.ticket_start(ticket=self.get_object(), actor=request_user(request))
        return self._out(ticket)

    @extend_schema(request=PendInput, responses={200: TICKET_ANSWER})
    @action(detail=True, methods=["post"])
    def pend(self, request: Request, pk: str) -> Response:
        data = validated(PendInput, request)
        ticket = services.ticket_pend(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=ResolveInput, responses={200: TICKET_ANSWER})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        data = validated(ResolveInput, request)
        ticket = services.ticket_resolve(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=ReopenInput, responses={200: TICKET_ANSWER})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        data = validated(ReopenInput, request)
        ticket = services.ticket_reopen(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EmptyInput, responses={200: TICKET_ANSWER})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        ticket = services.ticket_close(ticket=self.get_object(), actor=request_user(request))
        return self._out(ticket)

    # --- major incidents ---

    @extend_schema(request=DeclareMajorInput, responses={200: TICKET_ANSWER})
    @action(detail=True, methods=["post"], url_path="declare-major", url_name="declare-major")
    def declare_major(self, request: Request, pk: str) -> Response:
        """Declare a major incident (managers): the affected services' outages start."""
        data = validated(DeclareMajorInput, request)
        ticket = services.ticket_declare_major(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=EndMajorInput, responses={200: TICKET_ANSWER})
    @action(detail=True, methods=["post"], url_path="end-major", url_name="end-major")
    def end_major(self, request: Request, pk: str) -> Response:
        """End a major incident (managers): service restored, its outages end."""
        data = validated(EndMajorInput, request)
        ticket = services.ticket_end_major(ticket=self.get_object(), actor=request_user(request), **data)
        return self._out(ticket)

    @extend_schema(request=LinkInput, responses={200: TICKET_ANSWER})
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

    @extend_schema(
        methods=["get"],
        responses={
            200: PolymorphicProxySerializer(
                component_name="CommentAnswer",
                serializers=[CommentOutput, EndUserCommentOutput],
                resource_type_field_name=None,
                many=True,
            )
        },
    )
    @extend_schema(methods=["post"], request=CommentInput, responses={201: COMMENT_ANSWER})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        ticket = self.get_object()
        output = _for_role(user, CommentOutput, EndUserCommentOutput)
        if request.method == "POST":
            data = validated(CommentInput, request)
            comment = services.comment_add(ticket=ticket, actor=user, **data)
            return Response(output(comment).data, status=status.HTTP_201_CREATED)
        record_ticket_read(request, ticket, channel=AccessChannel.API, resource=AccessResource.COMMENTS)
        return Response(output(selectors.comments_for(user, ticket), many=True).data)

    @extend_schema(
        methods=["get"],
        responses={
            200: PolymorphicProxySerializer(
                component_name="AttachmentAnswer",
                serializers=[AttachmentOutput, EndUserAttachmentOutput],
                resource_type_field_name=None,
                many=True,
            )
        },
    )
    @extend_schema(methods=["post"], request=AttachmentInput, responses={201: ATTACHMENT_ANSWER})
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
        output = _for_role(user, AttachmentOutput, EndUserAttachmentOutput)
        if request.method == "POST":
            data = validated(AttachmentInput, request)
            attachment = services.attachment_add(
                ticket=ticket, actor=user, upload=data["file"], internal=data["internal"]
            )
            return Response(output(attachment).data, status=status.HTTP_201_CREATED)
        record_ticket_read(request, ticket, channel=AccessChannel.API, resource=AccessResource.ATTACHMENTS)
        return Response(output(selectors.attachments_for(user, ticket), many=True).data)

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
        record_ticket_read(
            request, attachment.ticket_id, channel=AccessChannel.API, resource=AccessResource.FILE
        )
        return attachment_response(attachment)

    @extend_schema(
        responses={200: ClockReportOutput(many=True), 404: OpenApiResponse(description="End users")}
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def sla(self, request: Request, pk: str) -> Response:
        """The ticket's SLA clocks with their stretches (running / paused, business time each
        counted): why a clock is overdue or breached. Service-desk staff only: an end user reads
        `answer_by` on the ticket instead (404 here)."""
        user = request_user(request)
        ticket = self.get_object()
        if not selectors.is_staff_viewer(user):
            raise Http404
        reports = sla_selectors.clock_reports_for(user, ticket, timezone.now())
        return Response(ClockReportOutput(reports, many=True).data)

    @extend_schema(responses={200: EVENT_ANSWER})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request: Request, pk: str) -> Response:
        user = request_user(request)
        ticket = self.get_object()
        record_ticket_read(request, ticket, channel=AccessChannel.API, resource=AccessResource.HISTORY)
        output = _for_role(user, EventOutput, EndUserEventOutput)
        return Response(output(selectors.events_for(user, ticket), many=True).data)


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
        responses={200: TICKET_ANSWER, 204: OpenApiResponse(description="The queue is empty.")},
    )
    @action(detail=True, methods=["post"], url_path="claim-next", url_name="claim-next")
    def claim_next(self, request: Request, pk: str) -> Response:
        group = self.get_object()
        ticket = services.queue_claim_next(group=group, actor=request_user(request))
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        ticket = selectors.ticket_get_for_user(request_user(request), ticket.pk)
        return _ticket_out(request, ticket)
