"""Change filters, shared by the console's change list and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from servicedesk.models import Service

from .models import Change, ChangeType, Outcome, Release, Risk, State, parse_change_number


class ChangeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"), max_length=200)
    state = django_filters.MultipleChoiceFilter(choices=State.choices, label=_("State"))
    change_type = django_filters.ChoiceFilter(choices=ChangeType.choices, label=_("Type"))
    risk = django_filters.ChoiceFilter(choices=Risk.choices, label=_("Risk"))
    service = django_filters.ModelChoiceFilter(
        field_name="services", queryset=Service.objects.filter(active=True), label=_("Service")
    )
    release = django_filters.ModelChoiceFilter(queryset=Release.objects.all(), label=_("Release"))
    planned_after = django_filters.IsoDateTimeFilter(field_name="planned_end", lookup_expr="gt")
    planned_before = django_filters.IsoDateTimeFilter(field_name="planned_start", lookup_expr="lt")
    # The monthly report's drill-down: changes implemented (with an outcome) in a period.
    implemented_after = django_filters.IsoDateTimeFilter(field_name="actual_end", lookup_expr="gte")
    implemented_before = django_filters.IsoDateTimeFilter(field_name="actual_end", lookup_expr="lt")
    outcome = django_filters.MultipleChoiceFilter(choices=Outcome.choices, label=_("Outcome"))

    class Meta:
        model = Change
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet[Change], name: str, value: str) -> QuerySet[Change]:
        value = value.strip()
        if not value:
            return queryset
        change_id = parse_change_number(value)
        if change_id is not None:
            return queryset.filter(pk=change_id)
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))
