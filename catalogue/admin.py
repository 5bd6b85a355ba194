"""Admin for the catalogue: items with their order form, approval steps and fulfilment tasks.

Orders are tickets and change only through the services; they are not edited here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApprovalStep, CatalogueItem, FormField, TaskTemplate


class ChoicesField(forms.Field):
    """A choice field's options, one per line (stored as a JSON list)."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 30})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]


class FormFieldForm(forms.ModelForm):
    choices = ChoicesField(
        label=_("choices"), required=False, help_text=_("One per line; choice fields only.")
    )

    class Meta:
        model = FormField
        fields = ["order", "key", "label", "type", "required", "help_text", "choices"]


class FormFieldInline(admin.TabularInline):
    model = FormField
    form = FormFieldForm
    extra = 0


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 0
    autocomplete_fields = ["service"]


class TaskTemplateInline(admin.TabularInline):
    model = TaskTemplate
    extra = 0
    fields = ["order", "title", "group"]


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "service", "active"]
    list_filter = ["active", "category"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["service"]
    inlines = [FormFieldInline, ApprovalStepInline, TaskTemplateInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CatalogueItem]:
        return super().get_queryset(request).select_related("category", "category__parent", "service")
