"""Recompute SLA clocks from ticket history, e.g. after a calendar or policy was corrected."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.models import OPEN_STATES, Ticket
from sla.clock import rebuild_clocks


class Command(BaseCommand):
    help = "Rebuild SLA clocks from the tickets' history (all tickets, open ones, or given ids)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ticket_ids", nargs="*", type=int, help="Only these tickets.")
        parser.add_argument("--open", action="store_true", help="Only tickets that are still open.")

    def handle(self, *args: Any, ticket_ids: list[int], open: bool, **options: Any) -> None:
        tickets = Ticket.objects.order_by("id")
        if ticket_ids:
            tickets = tickets.filter(pk__in=ticket_ids)
            missing = set(ticket_ids) - set(tickets.values_list("id", flat=True))
            if missing:
                raise CommandError(f"No such ticket: {', '.join(map(str, sorted(missing)))}")
        if open:
            tickets = tickets.filter(state__in=OPEN_STATES)
        total = tickets.count()
        self.stdout.write(f"Rebuilding the clocks of {total} tickets …")
        done = rebuild_clocks(
            tickets.only("id").iterator(chunk_size=1000),
            progress=lambda n: self.stdout.write(f"  {n} / {total}"),
        )
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the clocks of {done} tickets."))
