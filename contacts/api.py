"""`/api/contacts/`: the telephony or chat system reports contacts; agents read them."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents.models import Ticket
from servicedesk import dates
from servicedesk.api_support import validated
from servicedesk.models import Role, User

from . import services as contacts
from .models import Contact, ContactChannel, ContactQueue, ContactState


class ReportsContacts(permissions.BasePermission):
    """Integration accounts (and admins) report events; service-desk staff may read."""

    message = "Only the telephony/chat integration may report contact events."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        user = cast(User, user)
        reporter = user.is_superuser or user.role == Role.INTEGRATION
        if request.method in permissions.SAFE_METHODS:
            return reporter or user.is_agent
        return reporter


class ContactEventInput(serializers.Serializer[Any]):
    contact_id = serializers.CharField(max_length=100, help_text="The telephony system's id of the contact")
    event = serializers.ChoiceField(choices=ContactState.choices)
    at = dates.DateTimeField(help_text="When it happened (ISO 8601 with offset)")
    queue = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ContactQueue.objects.all(),
        required=False,
        help_text="Queue code (offered)",
    )
    channel = serializers.ChoiceField(choices=ContactChannel.choices, default=ContactChannel.PHONE)
    caller_number = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    agent = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="User name of the answering agent (answered)",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["event"] == ContactState.OFFERED and "queue" not in attrs:
            raise serializers.ValidationError({"queue": ["An offered contact needs its queue."]})
        return attrs


class ContactOutput(serializers.ModelSerializer[Contact]):
    contact_id = serializers.CharField(source="external_id")
    queue: serializers.SlugRelatedField[ContactQueue] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    agent: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    tickets: serializers.PrimaryKeyRelatedField[Ticket] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Contact
        fields = [
            "contact_id",
            "queue",
            "channel",
            "caller_number",
            "caller",
            "state",
            "offered_at",
            "answered_at",
            "abandoned_at",
            "wait_seconds",
            "agent",
            "tickets",
        ]
        read_only_fields = fields


class ContactViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Contact]):
    """Contacts of the customer centre. POST reports one event of one contact (idempotent)."""

    serializer_class = ContactOutput
    permission_classes = [ReportsContacts]
    filterset_fields = ["state", "queue", "channel"]
    ordering_fields = ["offered_at", "wait_seconds"]
    ordering = ["-offered_at", "-id"]

    def get_queryset(self) -> Any:
        return Contact.objects.select_related("queue", "agent").prefetch_related("tickets")

    @extend_schema(
        request=ContactEventInput,
        responses={201: ContactOutput, 200: ContactOutput},
        description="Report offered, answered or abandoned. A repeat returns 200 and changes nothing.",
    )
    def create(self, request: Request) -> Response:
        data = validated(ContactEventInput, request)
        created = False
        if data["event"] == ContactState.OFFERED:
            contact, created = contacts.contact_offered(
                external_id=data["contact_id"],
                queue=data["queue"],
                at=data["at"],
                channel=data["channel"],
                caller_number=data["caller_number"],
            )
        elif data["event"] == ContactState.ANSWERED:
            contact = contacts.contact_answered(
                external_id=data["contact_id"], at=data["at"], agent=data.get("agent")
            )
        else:
            contact = contacts.contact_abandoned(external_id=data["contact_id"], at=data["at"])
        contact = self.get_queryset().get(pk=contact.pk)
        return Response(
            ContactOutput(contact).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
