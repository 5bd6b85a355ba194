from __future__ import annotations

from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import notifications  # noqa: F401 (registers the outbox renderers)
