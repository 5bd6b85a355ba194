"""Access-log filters, shared by the auditor's console page, its CSV export and the API."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import parse_number

from .models import AccessChannel, AccessLog


def _ticket_id(value: str) -> int:
    """INC0001234 / REQ0001234 or a bare id."""
    text = value.strip()
    pk = parse_number(text)
    if pk is None and text.isdigit():
        pk = int(text)
    if pk is None:
        raise forms.ValidationError(_("Enter a ticket number such as INC0001234."))
    return pk


class TicketNumberField(forms.CharField):
    def clean(self, value: object) -> int | None:
        text = super().clean(value)
        return _ticket_id(text) if text else None


class TicketNumberFilter(django_filters.Filter):
    field_class = TicketNumberField


class AccessLogFilterForm(forms.Form):
    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        # The log is the largest table there is: it is read by ticket or by person, never whole.
        if not self.errors and not any(data.get(name) for name in ("ticket", "person", "user")):
            raise forms.ValidationError(_("Choose a ticket or a person."), code="required")
        return data


class AccessLogFilter(django_filters.FilterSet):
    ticket = TicketNumberFilter(field_name="ticket_id", label=_("Ticket"), max_length=20)
    person = django_filters.CharFilter(
        field_name="user__username", label=_("Person (user name)"), max_length=150
    )
    user = django_filters.NumberFilter(field_name="user_id", label=_("Person id"))
    channel = django_filters.ChoiceFilter(choices=AccessChannel.choices, label=_("How"))
    since = django_filters.DateFilter(method="filter_since", label=_("From (date)"))
    until = django_filters.DateFilter(method="filter_until", label=_("To (date, inclusive)"))

    class Meta:
        model = AccessLog
        fields: list[str] = []
        form = AccessLogFilterForm

    # Dates are days in the desk's time zone (Europe/Oslo), converted to instants here.
    def filter_since(self, queryset: QuerySet[AccessLog], name: str, value: object) -> QuerySet[AccessLog]:
        return queryset.filter(at__gte=_start_of(value))

    def filter_until(self, queryset: QuerySet[AccessLog], name: str, value: object) -> QuerySet[AccessLog]:
        return queryset.filter(at__lt=_start_of(value + timedelta(days=1)))  # type: ignore[operator]


def _start_of(day: object) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))  # type: ignore[arg-type]
