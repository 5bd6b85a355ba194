"""`manage.py report_demo`: the monthly report's demo history and snapshots (reports/demo.py).

Called by `demo_data` after the tickets and the simulated days; does nothing if snapshots exist.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reports import demo


class Command(BaseCommand):
    help = "Demo contacts, changes, releases and outages of past months, and every month's KPI snapshot."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2019)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        demo.seed(seed=seed, log=self.stdout.write)
