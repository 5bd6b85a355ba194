"""Apply the retention rules now, or (--dry-run) show what they would remove first."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from audit import retention, services
from audit.models import AccessLog


class Command(BaseCommand):
    help = (
        "Anonymise closed tickets older than RETENTION_TICKET_DAYS and delete access-log rows older "
        "than RETENTION_ACCESS_LOG_DAYS (the daily beat tasks do the same). --dry-run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go first; change nothing."
        )
        parser.add_argument("--limit", type=int, default=50, help="How many tickets the dry run lists.")

    def handle(self, *args: Any, dry_run: bool, limit: int, **options: Any) -> None:
        now = timezone.now()
        ticket_cutoff = retention.ticket_cutoff(now)
        log_cutoff = services.access_log_cutoff(now)
        if dry_run:
            count, first = retention.tickets_due_preview(now, max(limit, 0))
            self.stdout.write(
                f"Tickets closed before {ticket_cutoff:%Y-%m-%d %H:%M} UTC "
                f"(RETENTION_TICKET_DAYS={settings.RETENTION_TICKET_DAYS}): {count} would be anonymised."
            )
            if first:
                self.stdout.write("First to go (closed longest ago):")
                for due in first:
                    self.stdout.write(
                        f"  {due.number}  closed {due.closed_at:%Y-%m-%d}  "
                        f"{due.comments} comment(s), {due.attachments} file(s)"
                    )
            rows = AccessLog.objects.filter(at__lt=log_cutoff).count()
            self.stdout.write(
                f"Access-log rows before {log_cutoff:%Y-%m-%d %H:%M} UTC "
                f"(RETENTION_ACCESS_LOG_DAYS={settings.RETENTION_ACCESS_LOG_DAYS}): {rows} would be deleted."
            )
            self.stdout.write("Dry run: nothing was changed.")
            return
        tickets = retention.anonymise_due_tickets(now=now)
        rows = services.access_log_purge(now=now)
        self.stdout.write(f"Anonymised {tickets} ticket(s); deleted {rows} access-log row(s).")
