"""Admin for tickets (view only) and the priority matrix.

Tickets change state only through incidents.services (one function per transition, each writing
its history), so the admin shows tickets but never writes them: no add, change or delete.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from audit.models import AccessChannel
from audit.services import record_ticket_read

from .models import CallTemplate, Comment, PriorityRule, Ticket, TicketEvent, parse_number


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    """The impact × urgency → priority matrix, edited in place in the list."""

    list_display = ["__str__", "impact", "urgency", "priority"]
    list_display_links = ["__str__"]
    list_editable = ["priority"]
    list_filter = ["impact", "urgency"]

    def get_readonly_fields(self, request: HttpRequest, obj: PriorityRule | None = None) -> Any:
        # A cell keeps its coordinates: moving it would leave a hole in the matrix.
        return ["impact", "urgency"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: PriorityRule | None = None) -> bool:
        # Every impact × urgency pair needs a cell, or tickets with that pair cannot be logged.
        return False


@admin.register(CallTemplate)
class CallTemplateAdmin(admin.ModelAdmin):
    """The common calls offered beside the log-a-call form, in the order of `position`."""

    list_display = ["name", "title", "service", "category", "impact", "urgency", "position", "active"]
    list_editable = ["position", "active"]
    list_select_related = ["service", "category", "category__parent"]
    search_fields = ["name", "title"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CommentInline(ReadOnlyInline):
    model = Comment
    readonly_fields = ("created_at", "author", "internal", "body")
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request).select_related("author")


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    readonly_fields = (
        "created_at",
        "actor",
        "action",
        "field",
        "old_value",
        "new_value",
        "details",
        "internal",
    )
    fields = readonly_fields
    verbose_name_plural = _("history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "state", "priority", "assignment_group", "assignee", "created_at"]
    list_display_links = ["number", "title"]
    list_filter = ["state", "kind", "priority", "channel", "major_incident", "assignment_group"]
    list_select_related = ["assignment_group", "assignee"]
    search_fields = ["title"]
    ordering = ["-created_at", "-id"]
    raw_id_fields = ["caller", "created_by", "assignee", "parent"]
    readonly_fields = ["number", "state", "assignee", "assignment_group", "priority"]
    inlines = [CommentInline, TicketEventInline]
    # Counting every ticket for "x of y" is slow at millions of rows; the paginator counts anyway.
    show_full_result_count = False

    @admin.display(description=_("number"), ordering="id")
    def number(self, obj: Ticket) -> str:
        return obj.number

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Ticket], search_term: str
    ) -> tuple[QuerySet[Ticket], bool]:
        # "INC0001234" finds that ticket; anything else searches the title.
        pk = parse_number(search_term)
        if pk is not None:
            return queryset.filter(pk=pk), False
        return super().get_search_results(request, queryset, search_term)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        # Only a page that showed the ticket is a read (not a redirect for a missing one).
        context = getattr(response, "context_data", None) or {}
        ticket = context.get("original") if response.status_code == 200 else None
        if isinstance(ticket, Ticket):
            record_ticket_read(request, ticket, channel=AccessChannel.ADMIN)
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False
