"""The run command's preparation, in one process: migrate, collect the static files and load the
demo data once. Each Django start costs seconds on a small machine; three commands in one
process save two of them. Static files are collected before the demo data, so the request
handler the demo uses finds STATIC_ROOT (no "No directory at" warning from WhiteNoise)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, collect static files and load the demo data if the database has no tickets."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0, stdout=self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0, stdout=self.stdout)
        call_command("demo_data", if_empty=True, stdout=self.stdout)
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        broker = settings.CELERY_BROKER_URL.split(":", 1)[0]
        self.stdout.write(f"Database: {engine}   Broker: {broker}")
