"""Snapshots are shown, never edited (they are immutable); subscriptions may be removed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import MonthlyReportSubscription, MonthlySnapshot


@admin.register(MonthlySnapshot)
class MonthlySnapshotAdmin(admin.ModelAdmin):
    list_display = [
        "month",
        "computed_at",
        "complete",
        "trigger",
        "definitions_version",
        "computation_seconds",
    ]
    list_filter = ["complete", "trigger"]
    date_hierarchy = "month"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MonthlyReportSubscription)
class MonthlyReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
