from __future__ import annotations

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    """The customer centre: contacts (calls, chats, walk-ins) waiting in queues, and their figures."""

    name = "contacts"
    default_auto_field = "django.db.models.BigAutoField"
