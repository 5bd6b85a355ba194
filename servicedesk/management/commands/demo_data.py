"""`manage.py demo_data [--tickets N] [--users N] [--seed N] [--if-empty]`: fill a demo database.

Each app owns its demo data (a demo.py beside its models); `generate` only calls them in order,
in one transaction: servicedesk's organisation and people first, since the others draw on them.
The customer centre's day and the report history follow, through their own commands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from catalogue.demo import seed_catalogue
from changes.demo import seed_changes
from incidents import demo as incidents_demo
from incidents.kpi import first_line_resolution
from incidents.models import Comment, Ticket, TicketEvent
from knowledge.demo import seed_articles
from portal.demo import OWN_CASE_COUNT, seed_own_cases, seed_survey_answers
from servicedesk import demo
from servicedesk.models import AssignmentGroup, Category, Department, HealthTrust, Service, User
from sla import demo as sla_demo


@dataclass
class DemoSummary:
    created_users: int = 0
    created_tickets: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    tickets_by_state: dict[str, int] = field(default_factory=dict)
    first_line_resolution: float = 0.0
    logins: list[demo.DemoLogin] = field(default_factory=list)


def generate(
    *,
    tickets: int = 3000,
    users: int = 300,
    seed: int = 2019,
    now: datetime | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> DemoSummary:
    """Create the demo organisation, people, ticket history and the rest in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        org = demo.seed_organisation(users=users, seed=seed, log=log)
        incidents_demo.seed_call_options(org)
        sla_demo.seed_ola_targets(org.groups.values())
        # The end users' own portal cases (made last, through the services) count among the tickets.
        created_tickets = incidents_demo.seed_ticket_history(
            org, max(tickets - OWN_CASE_COUNT, 0), now=now, log=log
        )
        # SLA clocks, derived from the history just written, as the live path would have.
        clocks = sla_demo.seed_clocks(latest=created_tickets)
        log(f"SLA clocks for {created_tickets} tickets: {clocks}.")
        seed_changes(now, log)
        demo.assign_approvers()
        log(f"Catalogue: {seed_catalogue()} items.")
        # Self-service portal: the knowledge base and survey answers on resolved tickets.
        log(f"Knowledge base: {seed_articles(now)} articles.")
        log(f"Survey answers: {seed_survey_answers()}.")
        own_cases = seed_own_cases()
        log(f"End users' own portal cases: {own_cases}.")
    return summarize(created_users=org.created_people, created_tickets=created_tickets + own_cases)


def summarize(*, created_users: int = 0, created_tickets: int = 0) -> DemoSummary:
    """Counts of what is in the database now (not only what this run added)."""
    by_state = dict(Ticket.objects.values_list("state").annotate(n=Count("id")).order_by("state"))
    flr = first_line_resolution(Ticket.objects.all())
    first_line, total_resolved = flr.at_first_line, flr.resolved
    return DemoSummary(
        created_users=created_users,
        created_tickets=created_tickets,
        counts={
            "health trusts": HealthTrust.objects.count(),
            "departments": Department.objects.count(),
            "assignment groups": AssignmentGroup.objects.count(),
            "services": Service.objects.count(),
            "categories": Category.objects.count(),
            "users": User.objects.count(),
            "tickets": Ticket.objects.count(),
            "comments": Comment.objects.count(),
            "ticket events": TicketEvent.objects.count(),
        },
        tickets_by_state=by_state,
        first_line_resolution=first_line / total_resolved if total_resolved else 0.0,
        logins=demo.DEMO_LOGINS,
    )


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
        summary = generate(tickets=tickets, users=users, seed=seed, log=self.stdout.write)

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
