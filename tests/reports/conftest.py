"""A hand-made month of service-desk work (March 2026, the month Oslo moves to summer time on the
29th) whose every KPI is computed by hand in tests/reports/test_kpis.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from catalogue.models import CatalogueRequest, RequestState
from changes.models import Outcome
from changes.models import State as ChangeState
from contacts.models import Contact, ContactQueue, ContactState
from incidents.models import Channel, EventAction, Kind, State, Ticket, TicketEvent
from servicedesk.models import AssignmentGroup, Category, GroupLevel, HealthTrust, Role, Service, User
from sla.models import Calendar, Clock, ClockState, Metric, OutageCause
from tests.catalogue.factories import CatalogueItemFactory
from tests.changes.factories import ChangeFactory, ReleaseFactory
from tests.factories import (
    AssignmentGroupFactory,
    HealthTrustFactory,
    OutageFactory,
    ServiceFactory,
    TicketFactory,
    UserFactory,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class Scene:
    centre: AssignmentGroup
    network: AssignmentGroup
    bergen: HealthTrust
    stavanger: HealthTrust
    epr: Service
    email: Service
    tickets: dict[str, Ticket]
    manager: User


def resolution_clock(ticket: Ticket, *, met: bool) -> Clock:
    return Clock.objects.create(
        ticket=ticket,
        metric=Metric.RESOLUTION,
        calendar=Calendar.objects.get(name="24/7"),
        target_seconds=4 * 3600,
        state=ClockState.STOPPED,
        started_at=ticket.created_at,
        elapsed_seconds=3600 if met else 5 * 3600,
        stopped_at=ticket.resolved_at,
        breached_at=None if met else ticket.created_at + timedelta(hours=4),
        met=met,
    )


def contact(
    queue: ContactQueue,
    name: str,
    offered: datetime,
    *,
    answered: float | None = None,
    abandoned: float | None = None,
) -> Contact:
    return Contact.objects.create(
        external_id=name,
        queue=queue,
        offered_at=offered,
        state=ContactState.ANSWERED if answered is not None else ContactState.ABANDONED,
        answered_at=offered + timedelta(seconds=answered) if answered is not None else None,
        abandoned_at=offered + timedelta(seconds=abandoned) if abandoned is not None else None,
        wait_seconds=answered if answered is not None else abandoned,
    )


@pytest.fixture
def march(db: None) -> Scene:
    centre = AssignmentGroupFactory(name="Customer centre", level=GroupLevel.FIRST_LINE)
    network = AssignmentGroupFactory(name="Network", level=GroupLevel.SECOND_LINE)
    bergen = HealthTrustFactory(name="Helse Bergen", code="hb")
    stavanger = HealthTrustFactory(name="Helse Stavanger", code="hs")
    epr = ServiceFactory(name="EPR", tier=1, owner_group=network)
    email = ServiceFactory(name="E-mail", tier=2, owner_group=network)
    in_bergen = UserFactory(trust=bergen)
    in_stavanger = UserFactory(trust=stavanger)
    manager = UserFactory(username="boss", role=Role.MANAGER)

    def ticket(
        name: str, created: datetime, caller: User, group: AssignmentGroup, **values: object
    ) -> Ticket:
        return TicketFactory(
            title=name,
            created_at=created,
            caller=caller,
            assignment_group=group,
            updated_at=created,
            **values,
        )

    tickets = {
        # Resolved at first line, resolution clock met.
        "T1": ticket(
            "T1",
            utc(2026, 3, 2, 8),
            in_bergen,
            centre,
            service=epr,
            channel=Channel.PHONE,
            state=State.CLOSED,
            resolved_at=utc(2026, 3, 2, 9),
            resolved_by_group=centre,
        ),
        # Escalated to second line, resolved there, clock breached.
        "T2": ticket(
            "T2",
            utc(2026, 3, 10, 10),
            in_stavanger,
            network,
            service=email,
            channel=Channel.EMAIL,
            state=State.RESOLVED,
            resolved_at=utc(2026, 3, 12, 10),
            resolved_by_group=network,
            reassignment_count=1,
        ),
        # 23:30 UTC on 31 March is 00:30 on 1 April in Oslo (CEST): an April ticket.
        "T3": ticket("T3", utc(2026, 3, 31, 22, 30), in_bergen, centre, channel=Channel.PHONE),
        # 23:30 UTC on 28 February is 00:30 on 1 March in Oslo (CET): a March ticket. An access
        # order, resolved at first line but reopened within 7 days: not first-line resolution.
        "T4": ticket(
            "T4",
            utc(2026, 2, 28, 23, 30),
            in_bergen,
            centre,
            kind=Kind.REQUEST,
            channel=Channel.PORTAL,
            state=State.CLOSED,
            resolved_at=utc(2026, 3, 5, 9),
            resolved_by_group=centre,
            reopen_count=1,
        ),
        # Still open.
        # Still open; P1 on a tier-1 service: a serious incident (week of Monday 9 March).
        "T5": ticket(
            "T5",
            utc(2026, 3, 15, 9),
            in_bergen,
            centre,
            service=epr,
            channel=Channel.PHONE,
            state=State.IN_PROGRESS,
            priority=1,
            impact=1,
            urgency=1,
        ),
        # Resolved at first line after the DST change (still March), with no resolution clock.
        "T6": ticket(
            "T6",
            utc(2026, 3, 20, 9),
            in_stavanger,
            centre,
            channel=Channel.PHONE,
            state=State.CLOSED,
            resolved_at=utc(2026, 3, 29, 1, 30),
            resolved_by_group=centre,
        ),
        # Created in February, resolved 22:15 UTC on 31 March = 00:15 on 1 April Oslo: April.
        "T7": ticket(
            "T7",
            utc(2026, 2, 10, 9),
            in_stavanger,
            centre,
            channel=Channel.PHONE,
            state=State.CLOSED,
            resolved_at=utc(2026, 3, 31, 22, 15),
            resolved_by_group=centre,
        ),
    }
    resolution_clock(tickets["T1"], met=True)
    resolution_clock(tickets["T2"], met=False)
    resolution_clock(tickets["T4"], met=True)
    resolution_clock(tickets["T7"], met=False)
    TicketEvent.objects.create(
        ticket=tickets["T4"],
        action=EventAction.REOPENED,
        field="state",
        old_value=State.RESOLVED,
        new_value=State.IN_PROGRESS,
        details={"seconds_since_resolved": 3600},
        created_at=utc(2026, 3, 3, 10),
    )
    access = Category.objects.create(name="Tilgang")
    new_access = Category.objects.create(name="Ny tilgang", parent=access)
    CatalogueRequest.objects.create(
        ticket=tickets["T4"], item=CatalogueItemFactory(category=new_access), state=RequestState.FULFILLED
    )

    queue = ContactQueue.objects.create(code="main", name="Main number", group=centre)
    contact(queue, "C1", utc(2026, 3, 5, 8), answered=30)  # 09:00 Oslo
    contact(queue, "C2", utc(2026, 3, 5, 8, 10), answered=90)  # 09:10 Oslo
    contact(queue, "C3", utc(2026, 3, 6, 13), abandoned=20)  # 14:00 Oslo
    contact(queue, "C4", utc(2026, 3, 31, 22, 30), answered=10)  # 1 April, 00:30 Oslo
    contact(queue, "C5", utc(2026, 2, 28, 23, 10), answered=60)  # 1 March, 00:10 Oslo

    for name, end, outcome in [
        ("CH1", utc(2026, 3, 10, 20), Outcome.SUCCESSFUL),
        ("CH2", utc(2026, 3, 30, 20), Outcome.FAILED),
        ("CH3", utc(2026, 3, 31, 22, 30), Outcome.BACKED_OUT),  # 1 April in Oslo
    ]:
        ChangeFactory(
            title=name,
            state=ChangeState.CLOSED,
            outcome=outcome,
            actual_start=end - timedelta(hours=1),
            actual_end=end,
        )
    ReleaseFactory(name="R1", planned_date=date(2026, 3, 10), deployed_date=date(2026, 3, 9))
    ReleaseFactory(name="R2", planned_date=date(2026, 3, 10), deployed_date=date(2026, 3, 20))
    ReleaseFactory(name="R3", planned_date=date(2026, 4, 1), deployed_date=date(2026, 4, 1))
    # EPR down 10:00-10:30 (major incident) and 10:15-10:45 (monitoring): 45 min merged; a
    # planned 2 h window; an unplanned outage starting in February counts from 1 March 00:00 Oslo.
    OutageFactory(service=epr, started_at=utc(2026, 3, 10, 10), ended_at=utc(2026, 3, 10, 10, 30))
    OutageFactory(
        service=epr,
        started_at=utc(2026, 3, 10, 10, 15),
        ended_at=utc(2026, 3, 10, 10, 45),
        cause=OutageCause.MONITORING,
    )
    OutageFactory(service=epr, started_at=utc(2026, 3, 20, 18), ended_at=utc(2026, 3, 20, 20), planned=True)
    OutageFactory(service=epr, started_at=utc(2026, 2, 28, 22, 50), ended_at=utc(2026, 2, 28, 23, 5))
    return Scene(centre, network, bergen, stavanger, epr, email, tickets, manager)
