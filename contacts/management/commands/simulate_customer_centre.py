"""Replay a simulated day of the customer centre through the public contacts API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django.utils import timezone

from contacts.models import Contact, ContactQueue
from contacts.simulator import OSLO, SimulatedEvent, simulate_day
from incidents.kpi import wait_statistics
from incidents.services import first_line_group
from servicedesk.errors import DomainError
from servicedesk.models import Role, User
from servicedesk.tokens import token_issue, token_revoke

INTEGRATION_USERNAME = "telephony"


class Command(BaseCommand):
    help = "Simulate a day of calls (Poisson arrivals, agents, abandons) and post them to /api/contacts/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", dest="day", type=date.fromisoformat, help="The day (default: today, up to now)."
        )
        parser.add_argument("--calls", type=int, default=450, help="Expected calls that day.")
        parser.add_argument("--agents", type=int, default=5, help="Agents answering.")
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument("--queue", default="main", help="Queue code.")
        parser.add_argument(
            "--waiting", type=int, default=0, help="Also leave this many callers waiting now (today only)."
        )

    def handle(
        self,
        *args: Any,
        day: date | None,
        calls: int,
        agents: int,
        seed: int,
        queue: str,
        waiting: int,
        **options: Any,
    ) -> None:
        now = timezone.now()
        day = day or now.astimezone(OSLO).date()
        if day > now.astimezone(OSLO).date():
            raise CommandError(
                "The day cannot be in the future: the API refuses events that have not happened."
            )
        try:
            group = first_line_group()
        except DomainError as error:
            raise CommandError(error.message) from error
        contact_queue, _ = ContactQueue.objects.get_or_create(
            code=queue, defaults={"name": "Kundesenteret – hovednummer", "group": group}
        )
        answering = list(
            User.objects.filter(role=Role.FIRST_LINE, is_active=True)
            .order_by("id")
            .values_list("username", flat=True)[:agents]
        )
        if not answering:
            raise CommandError("No first-line agents to answer the calls.")
        callers = list(
            User.objects.filter(role=Role.END_USER, is_active=True)
            .exclude(phone="")
            .values_list("phone", flat=True)[:500]
        )
        events = [
            e
            for e in simulate_day(day, calls=calls, agents=answering, callers=callers, seed=seed)
            if e.at <= now
        ]

        if waiting and day == now.astimezone(OSLO).date():
            # Callers who rang in the last minutes and are still in the queue.
            events += [
                SimulatedEvent(
                    f"sim-{day.isoformat()}-w{n}",
                    "offered",
                    now - timedelta(seconds=20 + 35 * n),
                    caller_number=callers[n % len(callers)] if callers else "",
                )
                for n in range(waiting)
            ]
        # A token for this run only, revoked when it is done.
        token, key = token_issue(user=_integration_account(), name="simulator", lifetime=timedelta(hours=1))
        client = Client(HTTP_AUTHORIZATION=f"Token {key}", HTTP_HOST=_host())
        refused = 0
        try:
            for event in events:
                response = client.post(
                    "/api/contacts/", event.as_api_body(contact_queue.code), content_type="application/json"
                )
                if response.status_code >= 400:
                    refused += 1
                    self.stderr.write(
                        f"{event.contact_id} {event.event}: {response.status_code} {response.content[:200]!r}"
                    )
        finally:
            token_revoke(token=token)
        stats = wait_statistics(
            Contact.objects.filter(queue=contact_queue, external_id__startswith=f"sim-{day.isoformat()}-")
        )
        self.stdout.write(
            f"{day}: {len(events)} events posted ({refused} refused); {stats.offered} calls, "
            f"{stats.answered} answered, {stats.abandoned} abandoned, average wait "
            f"{stats.mean_wait or 0:.0f} s, within 60 s {stats.within_target_share or 0:.0%}."
        )


def _integration_account() -> User:
    account, created = User.objects.get_or_create(
        username=INTEGRATION_USERNAME, defaults={"role": Role.INTEGRATION, "first_name": "Telephony"}
    )
    if created:
        account.set_unusable_password()
        account.save(update_fields=["password"])
    return account


def _host() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")]
    return hosts[0] if hosts else "localhost"
