from __future__ import annotations

from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "servicedesk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .db import read_choices_in_one_query

        read_choices_in_one_query()
