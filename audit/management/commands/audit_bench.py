"""What the access log costs a ticket page: the console's ticket page timed with and without it.

Creates a caller, an agent and a ticket with some history (committed, so that the page runs as in
production: outside any transaction, the log's insert in autocommit), requests the page in
alternating rounds with the log on and off, prints both figures, and removes what it created.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from audit import services as audit_services
from audit.models import AccessLog
from incidents import services
from incidents.models import Ticket
from servicedesk.models import AssignmentGroup, GroupLevel, Role, User


class Command(BaseCommand):
    help = "Time the console's ticket page with and without the access log (a few seconds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=60, help="Page loads per variant.")
        parser.add_argument("--rounds", type=int, default=6, help="Alternating rounds (drift cancels).")

    def handle(self, *args: Any, requests: int, rounds: int, **options: Any) -> None:
        group = AssignmentGroup.objects.filter(level=GroupLevel.FIRST_LINE, active=True).first()
        created_group = group is None
        if group is None:
            group = AssignmentGroup.objects.create(name="bench-first-line", level=GroupLevel.FIRST_LINE)
        agent = User.objects.create(username="bench-audit-agent", role=Role.FIRST_LINE)
        caller = User.objects.create(username="bench-audit-caller", role=Role.END_USER)
        ticket: Ticket | None = None
        try:
            ticket = services.ticket_create(
                actor=agent, caller=caller, title="Bench: EPR login fails", assignment_group=group
            )
            for i in range(10):
                services.comment_add(ticket=ticket, actor=agent, body=f"Bench comment {i}")
            with override_settings(ALLOWED_HOSTS=["testserver"]):
                self._bench(agent, ticket, requests, rounds)
        finally:
            if ticket is not None:
                AccessLog.objects.filter(ticket_id=ticket.pk).delete()
                ticket.delete()
            AccessLog.objects.filter(user_id__in=[agent.pk, caller.pk]).delete()
            agent.delete()
            caller.delete()
            if created_group:
                group.delete()

    def _bench(self, agent: User, ticket: Ticket, requests: int, rounds: int) -> None:
        client = Client()
        client.force_login(agent)
        url = reverse("console:ticket", kwargs={"pk": ticket.pk})
        per_round = max(requests // rounds, 1)

        def timed(n: int) -> list[float]:
            times = []
            for _ in range(n):
                started = time.perf_counter()
                response = client.get(url)  # the test client also runs the after-response insert
                times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise CommandError(f"The ticket page answered {response.status_code}.")
            return times

        timed(20)  # warm-up: templates, translations, connection
        with_log: list[float] = []
        without_log: list[float] = []
        rows_before = AccessLog.objects.filter(ticket_id=ticket.pk).count()
        for _ in range(rounds):
            with_log += timed(per_round)
            with override_settings(ACCESS_LOG_ENABLED=False):
                without_log += timed(per_round)
        rows = AccessLog.objects.filter(ticket_id=ticket.pk).count() - rows_before

        def line(name: str, times: list[float]) -> str:
            return (
                f"{name}: median {statistics.median(times) * 1000:.2f} ms, "
                f"mean {statistics.fmean(times) * 1000:.2f} ms over {len(times)} loads"
            )

        self.stdout.write("ticket page (console, agent, 10 comments):")
        self.stdout.write("  " + line("without the access log", without_log))
        self.stdout.write("  " + line("with the access log   ", with_log))
        difference = statistics.median(with_log) - statistics.median(without_log)
        share = difference / statistics.median(without_log)
        self.stdout.write(
            f"  difference {difference * 1000:+.2f} ms per page ({share:+.1%}); "
            f"{rows} rows written for {len(with_log)} loads with the log"
        )
        # The write alone, as the response's closer runs it (after the page has been sent).
        writes = []
        for _ in range(200):
            pending = audit_services.PendingReads(
                rows=[
                    AccessLog(
                        at=timezone.now(), user_id=agent.pk, ticket_id=ticket.pk, channel="console",
                        resource="detail", address="10.0.0.1",
                    )
                ]
            )  # fmt: skip
            started = time.perf_counter()
            audit_services.write_pending(pending)
            writes.append(time.perf_counter() - started)
        self.stdout.write(
            f"  the log's write alone (after the response is sent): median "
            f"{statistics.median(writes) * 1000:.2f} ms over {len(writes)} writes"
        )
