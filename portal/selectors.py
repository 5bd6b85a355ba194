"""Reads for the portal: what an end user sees of their tickets, and the service status.

`service_status(now)` is the one place that decides what the status page and the home banner
show, from the service outages (sla.Outage): monitoring, major incidents and changes alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from incidents import selectors as ticket_selectors
from incidents.models import OPEN_STATES, Ticket
from servicedesk.models import Service, User
from sla.models import Clock, ClockState, Metric, Outage

# Planned maintenance shown ahead of time on the status page.
MAINTENANCE_AHEAD = timedelta(days=14)


def my_tickets(user: User, *, open_: bool) -> QuerySet[Ticket]:
    """The user's own tickets (as caller), open or done, newest first; only what the list shows."""
    tickets = ticket_selectors.tickets_visible_to(user).filter(caller=user)
    tickets = tickets.filter(state__in=OPEN_STATES) if open_ else tickets.exclude(state__in=OPEN_STATES)
    return tickets.select_related("service").only(
        "id", "kind", "title", "state", "created_at", "updated_at", "service__name"
    )


def ticket_for_caller(user: User, pk: object) -> Ticket:
    """The user's own ticket (404 for anything else, also for tickets an agent may merely see)."""
    ticket = ticket_selectors.ticket_get_for_user(user, pk)
    if ticket.caller_id != user.pk:
        from django.http import Http404

        raise Http404
    return ticket


def answer_by(ticket: Ticket) -> datetime | None:
    """When we aim to have the ticket resolved: the running resolution clock's due time.

    None while the clock is paused or stopped (the page then says nothing about a time)."""
    return (
        Clock.objects.filter(
            ticket=ticket, metric=Metric.RESOLUTION, group__isnull=True, state=ClockState.RUNNING
        )
        .values_list("due_at", flat=True)
        .first()
    )


def reopen_until(ticket: Ticket) -> datetime | None:
    """Until when the caller may reopen a resolved ticket (it closes by itself after that)."""
    if ticket.resolved_at is None:
        return None
    return ticket.resolved_at + timedelta(days=settings.AUTO_CLOSE_AFTER_DAYS)


def services_for_reporting() -> list[Service]:
    return list(Service.objects.filter(active=True).only("id", "name").order_by("name"))


# --- service status ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusItem:
    kind: str  # "outage" (ongoing, unplanned), "maintenance" (planned)
    service: str
    title: str
    start: datetime
    end: datetime | None

    @property
    def ongoing(self) -> bool:
        return self.kind == "outage"


@dataclass(frozen=True)
class ServiceStatus:
    problems: list[StatusItem]  # known problems now: the banner
    maintenance_now: list[StatusItem]
    maintenance_planned: list[StatusItem]

    @property
    def all_clear(self) -> bool:
        return not (self.problems or self.maintenance_now)


def service_status(now: datetime) -> ServiceStatus:
    """Known problems (ongoing unplanned outages: a major incident, monitoring or a manager's
    record) and planned maintenance (planned outages of scheduled changes), now and in the next
    two weeks. Two queries."""
    ongoing = (
        Outage.objects.filter(planned=False, started_at__lte=now, ended_at__isnull=True)
        .select_related("service")
        .order_by("started_at", "id")[:50]
    )
    # One line per service, since its earliest ongoing outage. No ticket title or note is shown:
    # they may name a patient or a caller; the service says enough.
    first_by_service: dict[str, StatusItem] = {}
    for outage in ongoing:
        first_by_service.setdefault(
            outage.service.name, StatusItem("outage", outage.service.name, "", outage.started_at, None)
        )
    planned = (
        Outage.objects.filter(planned=True, started_at__lt=now + MAINTENANCE_AHEAD)
        .exclude(ended_at__lte=now)
        .select_related("service", "change")
        .order_by("started_at", "id")[:50]
    )
    now_items: list[StatusItem] = []
    later: list[StatusItem] = []
    for outage in planned:
        title = outage.change.title if outage.change else ""
        item = StatusItem("maintenance", outage.service.name, title, outage.started_at, outage.ended_at)
        (now_items if outage.started_at <= now else later).append(item)
    problems = list(first_by_service.values())
    return ServiceStatus(problems=problems, maintenance_now=now_items, maintenance_planned=later)
