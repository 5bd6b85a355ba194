from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Contact, ContactQueue


@admin.register(ContactQueue)
class ContactQueueAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group"]
    list_select_related = ["group"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Contacts as the telephony system reported them: read only (events come through the API)."""

    list_display = ["external_id", "queue", "state", "offered_at", "wait_seconds", "agent"]
    list_filter = ["state", "queue", "channel"]
    list_select_related = ["queue", "agent"]
    search_fields = ["external_id", "caller_number"]
    date_hierarchy = "offered_at"
    readonly_fields = [f.name for f in Contact._meta.fields] + ["tickets"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Contact | None = None) -> bool:
        return False
