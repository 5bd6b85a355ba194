"""`manage.py health [--only dispatch sweep]`: the health checks as JSON; exit code 1 when failing.

For cron, systemd timers and container health checks (compose.yaml uses it for beat).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicedesk import health


class Command(BaseCommand):
    help = "Check the database, the broker and the periodic jobs' heartbeats; exit 1 when one fails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only", nargs="+", metavar="CHECK", help="only these checks (database broker dispatch sweep)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = health.checks()
        if options["only"]:
            unknown = set(options["only"]) - {check.name for check in results}
            if unknown:
                raise CommandError(f"Unknown check: {', '.join(sorted(unknown))}")
            results = [check for check in results if check.name in options["only"]]
        self.stdout.write(json.dumps({check.name: {"ok": check.ok, **check.detail} for check in results}))
        if not health.healthy(results):
            raise CommandError("Unhealthy: " + ", ".join(check.name for check in results if not check.ok))
