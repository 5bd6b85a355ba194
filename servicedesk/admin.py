"""Admin for the shared reference data: trusts, departments, people, groups, services, categories."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AssignmentGroup, Category, Department, HealthTrust, Service, User


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
