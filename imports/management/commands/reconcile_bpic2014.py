"""Print (and save) our figures for the imported BPI Challenge 2014 export beside the source's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports.reconcile import reconcile, render


class Command(BaseCommand):
    help = "Reconcile the imported BPI Challenge 2014 data with the source files' own figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--output", type=Path, default=Path("var/imports/bpic2014-reconciliation.txt"))

    def handle(self, *args: Any, directory: Path, output: Path, **options: Any) -> None:
        rows = reconcile(directory)
        text = render(rows)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")
        self.stdout.write(text)
        self.stdout.write(f"Saved to {output}")
        failed = [r for r in rows if not r.ok and r.tolerance != float("inf")]
        if failed:
            raise CommandError(f"{len(failed)} figures differ beyond their tolerance.")
