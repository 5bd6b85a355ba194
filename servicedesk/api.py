"""Reference data and people look-up for integrations and the console."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import F, Func, Q, QuerySet, TextField
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.views import APIView

from .models import AssignmentGroup, Service, User


class IsAgent(permissions.BasePermission):
    message = "Only service-desk staff may look people up."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_agent)


class ServiceSerializer(serializers.ModelSerializer[Service]):
    class Meta:
        model = Service
        fields = ["id", "name", "tier", "owner_group", "description"]


class GroupSerializer(serializers.ModelSerializer[AssignmentGroup]):
    class Meta:
        model = AssignmentGroup
        fields = ["id", "name", "level", "email"]


class UserSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="__str__", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True, default=None)
    trust = serializers.CharField(source="trust.name", read_only=True, default=None)

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "phone", "department", "trust", "role"]


class ServiceViewSet(viewsets.ReadOnlyModelViewSet[Service]):
    queryset = Service.objects.filter(active=True).order_by("tier", "name")
    serializer_class = ServiceSerializer
    filterset_fields = ["tier", "owner_group"]
    ordering_fields = ["name", "tier", "id"]


class GroupViewSet(viewsets.ReadOnlyModelViewSet[AssignmentGroup]):
    queryset = AssignmentGroup.objects.filter(active=True).order_by("level", "name")
    serializer_class = GroupSerializer
    filterset_fields = ["level"]
    ordering_fields = ["name", "level", "id"]


class PersonSearchText(Func):
    """UPPER(first_name || ' ' || last_name || ' ' || username || ' ' || email || ' ' || phone): what
    the caller look-up searches, as the trigram index of servicedesk migration 0009 holds it (the
    same expression, so `LIKE '%WORD%'` on it is an index scan, not a scan of every person)."""

    function = "UPPER"
    arg_joiner = " || ' ' || "
    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(*(F(name) for name in SEARCHED_PERSON_FIELDS))


SEARCHED_PERSON_FIELDS = ("first_name", "last_name", "username", "email", "phone")


def people_matching(people: QuerySet[User], text: str) -> QuerySet[User]:
    """People whose name, user name, e-mail or phone matches every word: the caller look-up.

    A word never holds a space, so it matches within one of the fields, as when each field was
    searched on its own; a phone number matches also written with a leading + ."""
    people = people.alias(search_text=PersonSearchText())
    for word in text.split()[:4]:
        match = Q(search_text__contains=word.upper())
        digits = word.lstrip("+")
        if digits != word and digits.isdigit():
            match |= Q(search_text__contains=digits)
        people = people.filter(match)
    return people


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=100, label="Name, e-mail or phone")
    role = django_filters.CharFilter()

    class Meta:
        model = User
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return people_matching(queryset, value)


class UserViewSet(viewsets.ReadOnlyModelViewSet[User]):
    """People look-up (agents only): `?q=` matches name, user name, e-mail or phone."""

    serializer_class = UserSerializer
    permission_classes = [IsAgent]
    filterset_class = UserFilter
    ordering_fields = ["last_name", "first_name", "username", "id"]

    def get_queryset(self) -> Any:
        return (
            User.objects.filter(is_active=True)
            .select_related("department", "trust")
            .order_by("last_name", "first_name", "id")
        )
