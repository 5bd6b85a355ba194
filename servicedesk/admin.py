"""Admin for the shared reference data: trusts, departments, people, groups, services, categories."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, AssignmentGroup, Category, Department, HealthTrust, Service, User
from .tokens import token_issue


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


@admin.register(HealthTrust)
class HealthTrustAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [DepartmentInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "trust"]
    list_filter = ["trust"]
    list_select_related = ["trust"]
    search_fields = ["name", "trust__name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Service desk"),
            {"fields": ("role", "trust", "department", "phone", "line_manager", "preferred_language")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Service desk"), {"fields": ("first_name", "last_name", "email", "role", "trust", "department")}),
    )
    list_display = ["username", "first_name", "last_name", "email", "phone", "role", "trust", "is_active"]
    list_filter = ["role", "trust", "preferred_language", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["trust"]
    search_fields = ["username", "first_name", "last_name", "email", "phone"]
    autocomplete_fields = ["trust", "department", "line_manager"]


@admin.register(AssignmentGroup)
class AssignmentGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "email", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name", "email"]
    filter_horizontal = ["members"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "owner_group", "active"]
    list_filter = ["tier", "active", "owner_group"]
    list_select_related = ["owner_group"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["owner_group"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "active"]
    list_filter = ["active", ("parent", admin.EmptyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["name", "parent__name"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["services"]


class ApiTokenAddForm(forms.ModelForm):
    valid_days = forms.IntegerField(
        label=_("Valid for days"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Empty: until revoked (an integration account's token)."),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: list, revoke (delete) and issue named tokens for integration accounts. Only a
    digest is stored: a new token is shown once, in the message after saving."""

    list_display = ["__str__", "user", "prefix", "created_at", "expires_at"]
    list_filter = ["user__role"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "prefix"]
    autocomplete_fields = ["user"]
    actions = ["delete_selected"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["user", "name", "prefix", "created_at", "expires_at"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # tokens are not edited: revoke and issue a new one
        days = form.cleaned_data.get("valid_days")
        token, key = token_issue(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            lifetime=timedelta(days=days) if days else None,
        )
        obj.pk = token.pk
        self.message_user(
            request,
            _("The new token is %(key)s — copy it now: it is not shown again.") % {"key": key},
            messages.WARNING,
        )
