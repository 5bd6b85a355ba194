from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Monthly KPI snapshots, the managers' dashboard and exports. Reads from the other apps;
    none of them imports it (DESIGN.md)."""

    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import notifications  # noqa: F401 (registers the outbox renderer)
