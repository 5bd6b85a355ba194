"""Print (and save) our figures for the imported UCI ServiceNow event log beside the source's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports.reconcile import render
from imports.reconcile_uci import reconcile


class Command(BaseCommand):
    help = "Reconcile the imported UCI ServiceNow event log with the source file's own figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--output", type=Path, default=Path("var/imports/uci-reconciliation.txt"))

    def handle(self, *args: Any, file: Path, output: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        rows = reconcile(file)
        text = render(rows)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")
        self.stdout.write(text)
        self.stdout.write(f"Saved to {output}")
        failed = [r for r in rows if not r.ok and r.tolerance != float("inf")]
        if failed:
            raise CommandError(f"{len(failed)} figures differ beyond their tolerance.")
