"""`manage.py demo_data [--tickets N] [--users N] [--seed N] [--if-empty]`: fill a demo database.

A thin wrapper over servicedesk.demo, which does the work.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from incidents.models import Ticket
from servicedesk import demo


class Command(BaseCommand):
    help = "Create demo trusts, groups, services, people and months of ticket history. Never in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=3000, help="tickets to create (default 3000)")
        parser.add_argument("--users", type=int, default=300, help="people besides the demo logins")
        parser.add_argument("--seed", type=int, default=2019, help="random seed for reproducible data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any ticket exists")
        parser.add_argument(
            "--calls", type=int, default=450, help="customer-centre calls a day to simulate (0: none)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Ticket.objects.exists():
            self.stdout.write("Tickets exist already; no demo data created (--if-empty).")
            return
        tickets, users, seed = max(0, options["tickets"]), max(0, options["users"]), options["seed"]
        self.stdout.write(f"Creating demo data: {tickets} tickets, about {users} people, seed {seed}.")
        summary = demo.generate(tickets=tickets, users=users, seed=seed, log=self.stdout.write)

        if options["calls"] > 0:
            # Today so far, through the contacts API (the live view). Earlier days come from the
            # report history below, in bulk: posting a whole extra day event by event through
            # the API took half a minute of the first start.
            call_command(
                "simulate_customer_centre",
                day=timezone.localdate(),
                calls=options["calls"],
                waiting=3,
                stdout=self.stdout,
            )

        # The monthly report's history and snapshots (the reports app reads the others; it is
        # called by name, never imported by the project's core).
        call_command("report_demo", seed=seed, stdout=self.stdout)

        self.stdout.write("")
        for name, count in summary.counts.items():
            self.stdout.write(f"  {name:<18} {count:>7}")
        states = ", ".join(f"{state} {count}" for state, count in summary.tickets_by_state.items())
        self.stdout.write(f"  tickets by state: {states}")
        self.stdout.write(f"  first-line resolution: {summary.first_line_resolution:.0%}")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password '{demo.DEMO_PASSWORD}'):")
        for login in summary.logins:
            self.stdout.write(f"  {login.username:<10} {login.role:<15} {login.group or login.trust or '-'}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
