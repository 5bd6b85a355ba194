"""Admin for the portal's records: read-only (answers and deflections are what users did)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Deflection, SurveyAnswer


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(ReadOnly):
    list_display = ["ticket", "score", "group", "channel", "created_at"]
    list_filter = ["score", "channel", "group"]
    date_hierarchy = "created_at"
    raw_id_fields = ["ticket", "caller"]


@admin.register(Deflection)
class DeflectionAdmin(ReadOnly):
    list_display = ["article", "query", "created_at"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user", "article"]
