"""Import the UCI ServiceNow incident event log (audit events → ticket history)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports import core, uci
from imports.management.commands.import_bpic2014 import positive_int, write_summary
from imports.models import Source
from imports.reading import Rejects


class Command(BaseCommand):
    help = "Import the UCI ServiceNow incident event log (.csv or .csv.gz). Idempotent and resumable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--rejects", type=Path, help="Rejects file (default: var/imports/uci-rejects.csv)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")
        parser.add_argument("--restart", action="store_true", help="Stage the file again even if staged.")
        parser.add_argument("--summary-json", type=Path, help="Also write the summary here as JSON.")
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=core.BUILD_BATCH,
            help=f"Tickets written per transaction (default {core.BUILD_BATCH}).",
        )

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not core.lock_source(Source.UCI_SERVICENOW):
            raise CommandError("Another UCI ServiceNow import is running.")
        rejects = Rejects(options["rejects"] or Path("var/imports/uci-rejects.csv"))
        ctx = core.ImportContext(Source.UCI_SERVICENOW, rejects, progress=not options["no_progress"])
        ctx.batch_size = options["batch_size"]
        try:
            summary = uci.run_import(file, ctx, restart=options["restart"])
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        finally:
            rejects.close()
            core.unlock_source(Source.UCI_SERVICENOW)
        write_summary(self, summary)
        if options["summary_json"]:
            options["summary_json"].write_text(json.dumps(summary, indent=2))
