from __future__ import annotations

from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from incidents.signals import ticket_resolved

        from . import notifications  # noqa: F401 (registers the outbox renderer)
        from .services import on_ticket_resolved

        ticket_resolved.connect(on_ticket_resolved, dispatch_uid="catalogue.on_ticket_resolved")
