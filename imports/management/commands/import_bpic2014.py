"""Import the BPI Challenge 2014 export (Rabobank ICT): incidents, activities, calls, changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports import bpic2014, core
from imports.models import Source
from imports.reading import Rejects


class Command(BaseCommand):
    help = (
        "Import BPI Challenge 2014 from a directory holding detail_incident, detail_interaction, "
        "detail_change and incident_activity(_eventlog) as .csv or .csv.gz. Idempotent and resumable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--rejects", type=Path, help="Rejects file (default: var/imports/bpic2014-rejects.csv)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")
        parser.add_argument("--restart", action="store_true", help="Stage the files again even if staged.")
        parser.add_argument("--summary-json", type=Path, help="Also write the summary here as JSON.")
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=core.BUILD_BATCH,
            help=f"Tickets written per transaction (default {core.BUILD_BATCH}).",
        )

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        rejects_path = options["rejects"] or Path("var/imports/bpic2014-rejects.csv")
        if not core.lock_source(Source.BPIC2014):
            raise CommandError("Another BPI Challenge 2014 import is running.")
        rejects = Rejects(rejects_path)
        ctx = core.ImportContext(Source.BPIC2014, rejects, progress=not options["no_progress"])
        ctx.batch_size = options["batch_size"]
        try:
            summary = bpic2014.run_import(directory, ctx, restart=options["restart"])
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        finally:
            rejects.close()
            core.unlock_source(Source.BPIC2014)
        write_summary(self, summary)
        if options["summary_json"]:
            options["summary_json"].write_text(json.dumps(summary, indent=2))


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def write_summary(command: BaseCommand, summary: dict[str, Any]) -> None:
    out = command.stdout
    out.write(
        f"{summary['source']}: {summary['rows_read']:,} rows read in {summary['seconds']} s "
        f"({summary['rows_per_second']:,} rows/s), peak memory {summary['peak_memory_mib']} MiB"
    )
    database = summary.get("database_cpu_seconds")
    out.write(
        f"CPU time: importer {summary.get('cpu_seconds')} s"
        + (f", PostgreSQL backend {database} s" if database is not None else "")
    )
    out.write(f"{'kind':<12} {'read':>9} {'imported':>9} {'already':>9} {'rejected':>9} {'blank':>6}")
    for kind, row in summary["kinds"].items():
        out.write(
            f"{kind:<12} {row['read']:>9,} {row['imported']:>9,} {row['already_imported']:>9,} "
            f"{row['rejected']:>9,} {row['blank_lines']:>6,}"
        )
        for reason, count in sorted(row["rejected_by_reason"].items()):
            out.write(f"{'':<12}   rejected {count:,}: {reason}")
    if summary.get("rejects_file"):
        out.write(f"Rejects: {summary['rejects_file']}")
