"""Admin for SLA data: calendars, policies and targets, OLAs; clocks and alerts to look at.

Clocks are derived from ticket history, so they are read-only here; the "rebuild" action
recomputes them (as does `manage.py rebuild_clocks`).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from incidents.models import Ticket

from . import calendar as cal
from .clock import rebuild_clocks
from .models import (
    Calendar,
    CalendarException,
    Clock,
    ClockAlert,
    ClockSegment,
    KpiTarget,
    OlaTarget,
    Outage,
    OutageEvent,
    SlaPolicy,
    SlaTarget,
    WorkingInterval,
)


class CalendarForm(forms.ModelForm):
    class Meta:
        model = Calendar
        fields = ["name", "timezone", "always_open", "holiday_country"]

    def clean_timezone(self) -> str:
        name: str = self.cleaned_data["timezone"]
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_("Unknown time zone: %(name)s"), params={"name": name}) from None
        return name


class IntervalFormSet(forms.BaseInlineFormSet):
    """Checks the week as a whole: no overlaps within a day, and some working time at all."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        weekly: list[list[cal.Interval]] = [[] for _day in range(7)]
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if not data or data.get("DELETE") or data.get("start") is None or data.get("end") is None:
                continue
            weekly[data["weekday"]].append((data["start"], data["end"]))
        calendar: Calendar = self.instance
        exceptions: list[CalendarException] = list(calendar.exceptions.all()) if calendar.pk else []
        spec = cal.CalendarSpec(
            timezone=calendar.timezone or "Europe/Oslo",
            weekly=tuple(tuple(sorted(day)) for day in weekly),
            always_open=calendar.always_open,
            holiday_country=calendar.holiday_country or None,
            closures=frozenset(e.date for e in exceptions if e.opens is None),
            overrides=tuple(
                sorted((e.date, ((e.opens, e.closes),)) for e in exceptions if e.opens and e.closes)
            ),
        )
        try:
            cal.validate(spec)
        except cal.CalendarError as error:
            raise ValidationError(str(error)) from error


class WorkingIntervalInline(admin.TabularInline):
    model = WorkingInterval
    formset = IntervalFormSet
    extra = 0


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ["name", "timezone", "always_open", "holiday_country"]
    inlines = [WorkingIntervalInline, CalendarExceptionInline]


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "precedence", "active", "kind", "service_tier", "assignment_group"]
    list_editable = ["active"]
    inlines = [SlaTargetInline]


@admin.register(OlaTarget)
class OlaTargetAdmin(admin.ModelAdmin):
    list_display = ["group", "priority", "target_seconds", "calendar"]
    list_select_related = ["group", "calendar"]


class SegmentInline(admin.TabularInline):
    model = ClockSegment
    extra = 0
    can_delete = False
    readonly_fields = ["running", "started_at", "ended_at", "business_seconds", "reason"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description=_("Rebuild the clocks of these tickets from their history"))
def rebuild_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Clock]) -> None:
    tickets = Ticket.objects.filter(pk__in=queryset.values("ticket_id")).order_by("id")
    count = rebuild_clocks(tickets)
    modeladmin.message_user(
        request,
        ngettext("Rebuilt the clocks of %(count)d ticket.", "Rebuilt the clocks of %(count)d tickets.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = [
        "ticket",
        "metric",
        "group",
        "state",
        "target_seconds",
        "elapsed_seconds",
        "due_at",
        "met",
    ]
    list_filter = ["metric", "state", "met"]
    list_select_related = ["ticket", "group"]
    raw_id_fields = ["ticket"]
    inlines = [SegmentInline]
    actions = [rebuild_selected]
    readonly_fields = [f.name for f in Clock._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ClockAlert)
class ClockAlertAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "fraction", "threshold_at", "recorded_at"]
    list_filter = ["kind"]
    list_select_related = ["ticket"]
    readonly_fields = [f.name for f in ClockAlert._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):
    list_display = ["key", "value", "description"]
    list_editable = ["value"]


class OutageEventInline(admin.TabularInline):
    model = OutageEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "actor", "action", "field", "old_value", "new_value", "details")
    fields = readonly_fields
    verbose_name_plural = _("history")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutageEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    """Outages to look at; they are written by sla/outages.py (API, console, changes), which
    keeps their history, so the admin does not edit them."""

    list_display = ["service", "started_at", "ended_at", "planned", "cause", "ticket", "change"]
    list_filter = ["planned", "cause", "service"]
    list_select_related = ["service", "ticket", "change"]
    date_hierarchy = "started_at"
    raw_id_fields = ["ticket", "change"]
    inlines = [OutageEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Outage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Outage | None = None) -> bool:
        return False
