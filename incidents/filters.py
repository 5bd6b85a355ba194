"""Ticket filters, shared by the console's queue views and the API."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.models import AssignmentGroup, HealthTrust, Service, User
from sla.models import Clock, ClockState, Metric

from .kpi import AT_FIRST_LINE, access_order_q, with_first_line_flags
from .models import OPEN_STATES, PRIORITY_CHOICES, Channel, Kind, State, Ticket, parse_number
from .selectors import user_group_ids

# "About to breach": a running resolution clock that runs out within this window.
AT_RISK_WINDOW = timedelta(hours=4)


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"), max_length=200)
    state = django_filters.MultipleChoiceFilter(choices=State.choices, label=_("State"))
    priority = django_filters.MultipleChoiceFilter(choices=PRIORITY_CHOICES, label=_("Priority"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    assignment_group = django_filters.ModelChoiceFilter(
        queryset=AssignmentGroup.objects.filter(active=True), label=_("Group")
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.filter(active=True), label=_("Service")
    )
    assignee = django_filters.CharFilter(
        method="filter_assignee",
        label=_("Assignee"),
        help_text=_("'me', 'none' or a user id"),
        max_length=20,
        validators=[
            RegexValidator(r"^\s*(me|none|\d+)\s*$", _("Use 'me', 'none' or a user id."), flags=re.I)
        ],
    )
    caller = django_filters.NumberFilter(field_name="caller_id", label=_("Caller id"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Parent ticket id"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open only"))
    major_incident = django_filters.BooleanFilter(label=_("Major incident"))
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    # The monthly report's drill-downs: the tickets behind each figure.
    resolved_after = django_filters.IsoDateTimeFilter(field_name="resolved_at", lookup_expr="gte")
    resolved_before = django_filters.IsoDateTimeFilter(field_name="resolved_at", lookup_expr="lt")
    trust = django_filters.ModelChoiceFilter(
        field_name="caller__trust", queryset=HealthTrust.objects.all(), label=_("Caller's health trust")
    )
    resolved_by_group = django_filters.ModelChoiceFilter(
        queryset=AssignmentGroup.objects.all(), label=_("Resolved by group")
    )
    resolution_sla = django_filters.ChoiceFilter(
        method="filter_resolution_sla",
        choices=[("met", _("Met")), ("breached", _("Breached")), ("at_risk", _("About to breach"))],
        label=_("Resolution deadline"),
    )
    my_groups = django_filters.BooleanFilter(method="filter_my_groups", label=_("My groups only"))
    first_line = django_filters.BooleanFilter(method="filter_first_line", label=_("Resolved at first line"))
    access_order = django_filters.BooleanFilter(method="filter_access_order", label=_("Access order"))

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = value.strip()
        if not value:
            return queryset
        ticket_id = parse_number(value)
        if ticket_id is not None:
            return queryset.filter(pk=ticket_id)
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_assignee(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = value.strip().lower()
        if value == "me":
            return queryset.filter(assignee=self.request.user if self.request else None)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=int(value))

    def filter_my_groups(self, queryset: QuerySet[Ticket], name: str, value: Any) -> QuerySet[Ticket]:
        if not value or self.request is None or not isinstance(self.request.user, User):
            return queryset
        return queryset.filter(assignment_group__in=user_group_ids(self.request.user))

    def filter_resolution_sla(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        if not value:
            return queryset
        if value == "at_risk":
            # Running, not yet overdue, due within the window (the partial index on due_at).
            now = timezone.now()
            running = Clock.objects.filter(
                ticket=OuterRef("pk"),
                metric=Metric.RESOLUTION,
                group__isnull=True,
                state=ClockState.RUNNING,
                due_at__gt=now,
                due_at__lte=now + AT_RISK_WINDOW,
            )
            return queryset.filter(Exists(running))
        clock = Clock.objects.filter(
            ticket=OuterRef("pk"), metric=Metric.RESOLUTION, group__isnull=True, met=(value == "met")
        )
        return queryset.filter(Exists(clock))

    def filter_first_line(self, queryset: QuerySet[Ticket], name: str, value: Any) -> QuerySet[Ticket]:
        if value is None:
            return queryset
        flagged = with_first_line_flags(queryset)
        return flagged.filter(AT_FIRST_LINE) if value else flagged.exclude(AT_FIRST_LINE)

    def filter_access_order(self, queryset: QuerySet[Ticket], name: str, value: Any) -> QuerySet[Ticket]:
        if value is None:
            return queryset
        return queryset.filter(access_order_q()) if value else queryset.exclude(access_order_q())

    def filter_open(self, queryset: QuerySet[Ticket], name: str, value: Any) -> QuerySet[Ticket]:
        if value is None:
            return queryset
        closed = [State.RESOLVED, State.CLOSED]
        # IN the open states, not NOT IN the closed ones: the (group, state) and state indexes
        # serve IN; NOT IN reads every ticket to find the few open ones.
        return queryset.filter(state__in=sorted(OPEN_STATES)) if value else queryset.filter(state__in=closed)
