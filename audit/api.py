"""REST API of the access log: the whole log for auditors and admins, and one ticket's log for
its caller (reads by others) as well."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import generics, permissions, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from incidents.models import format_number
from servicedesk.api_support import PageNumberPagination, request_user

from . import selectors
from .filters import AccessLogFilter
from .models import AccessLog


class ReadsAccessLog(permissions.BasePermission):
    message = "Only auditors and administrators may read the access log."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.reads_access_log)


class PersonOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="__str__")


class TicketRefOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.SerializerMethodField()

    def get_number(self, ticket: Any) -> str:
        return format_number(ticket.kind, ticket.pk)


class AccessLogOutput(serializers.ModelSerializer[AccessLog]):
    """A read: who, when, which ticket, how, what, and from which address (the address only for
    auditors and admins; null for the caller reading their own ticket's log)."""

    user = PersonOutput(allow_null=True)
    ticket = TicketRefOutput(allow_null=True)

    class Meta:
        model = AccessLog
        fields = ["id", "at", "user", "ticket", "channel", "resource", "address"]
        read_only_fields = fields

    def to_representation(self, instance: AccessLog) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not self.context.get("full", True):
            data["address"] = None
        return data


class AccessLogList(generics.ListAPIView[AccessLog]):
    """Every read of a ticket (auditors and admins only), newest first. Filter by ticket
    (`INC0001234` or id), person (`person=<user name>` or `user=<id>`), channel, since/until
    (dates, Oslo time)."""

    serializer_class = AccessLogOutput
    permission_classes = [ReadsAccessLog]
    filterset_class = AccessLogFilter
    ordering_fields = ["at", "id"]
    ordering = ["-at", "-id"]
    pagination_class = PageNumberPagination

    def get_queryset(self) -> QuerySet[AccessLog]:
        return selectors.access_log_for(request_user(self.request))


class TicketAccessLogList(generics.ListAPIView[AccessLog]):
    """Who has read this ticket, newest first. Auditors and admins: every read, with addresses.
    The caller: reads by others. Anyone else: 403 (or 404 for a ticket they may not see)."""

    serializer_class = AccessLogOutput
    filter_backends: list[Any] = []
    pagination_class = PageNumberPagination

    def _ticket(self) -> tuple[Any, bool]:
        if not hasattr(self, "_resolved"):
            self._resolved = selectors.ticket_for_access_log(request_user(self.request), self.kwargs["pk"])
        return self._resolved

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["full"] = self._ticket()[1]
        return context

    def get_queryset(self) -> QuerySet[AccessLog]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no ticket
            return AccessLog.objects.none()
        ticket, full = self._ticket()
        return selectors.ticket_access_log(request_user(self.request), ticket, full=full)
