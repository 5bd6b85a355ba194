"""The access log in the admin: read only (rows are written by audit.services and removed only
by the retention task)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "ticket_id", "channel", "resource", "address"]
    list_filter = ["channel", "resource"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    date_hierarchy = "at"
    raw_id_fields = ["user", "ticket"]
    readonly_fields = ["at", "user", "ticket", "channel", "resource", "address"]
    # Counting a table of this size for "x of y" is slow; the paginator counts anyway.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
