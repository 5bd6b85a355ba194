"""Admin for change management data: boards, approval rules, the risk questionnaire, standard
change templates, freeze windows and releases. Changes are view-only here: they move only
through changes.services (one function per transition, each writing its history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import (
    AdvisoryBoard,
    Approval,
    ApprovalRule,
    Change,
    ChangeEvent,
    FreezeWindow,
    Release,
    RiskQuestion,
    StandardChangeTemplate,
)


@admin.register(AdvisoryBoard)
class AdvisoryBoardAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    filter_horizontal = ["members"]


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "change_type", "risk", "board", "required_approvals"]
    list_display_links = ["__str__"]
    list_editable = ["board", "required_approvals"]
    list_filter = ["change_type", "risk", "board"]
    list_select_related = ["board"]


@admin.register(RiskQuestion)
class RiskQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "weight", "position", "active"]
    list_editable = ["weight", "position", "active"]
    list_filter = ["active"]


@admin.register(StandardChangeTemplate)
class StandardChangeTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "risk", "active"]
    list_filter = ["risk", "active"]
    search_fields = ["name", "description"]


@admin.register(FreezeWindow)
class FreezeWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end"]
    date_hierarchy = "start"
    filter_horizontal = ["services"]
    search_fields = ["name"]


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["name", "planned_date", "deployed_date", "on_plan"]
    date_hierarchy = "planned_date"
    search_fields = ["name"]

    @admin.display(boolean=True, description=_("on plan"))
    def on_plan(self, release: Release) -> bool | None:
        return release.on_plan


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApprovalInline(ReadOnlyInline):
    model = Approval
    readonly_fields = fields = ("created_at", "approver", "decision", "comment")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Approval]:
        return super().get_queryset(request).select_related("approver")


class ChangeEventInline(ReadOnlyInline):
    model = ChangeEvent
    readonly_fields = fields = ("created_at", "actor", "action", "field", "old_value", "new_value", "details")
    verbose_name_plural = _("history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ChangeEvent]:
        return super().get_queryset(request).select_related("actor")


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Change)
class ChangeAdmin(ViewOnlyAdmin):
    list_display = ["number", "title", "change_type", "risk", "state", "planned_start", "requester"]
    list_filter = ["state", "change_type", "risk"]
    list_select_related = ["requester"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    inlines = [ApprovalInline, ChangeEventInline]
