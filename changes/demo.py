"""Demo change management: board members and a few changes in different states.

Everything goes through changes.services, as a change manager would in the console.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from servicedesk.errors import DomainError
from servicedesk.models import AssignmentGroup, Role, Service, User

from . import services
from .models import AdvisoryBoard, BoardKind, Change, RiskQuestion, State

OSLO = ZoneInfo("Europe/Oslo")


def _evening(now: datetime, days_ahead: int) -> tuple[datetime, datetime]:
    day = (now.astimezone(OSLO) + timedelta(days=days_ahead)).date()
    start = datetime.combine(day, time(18), tzinfo=OSLO)
    return start, start + timedelta(hours=2)


def seed_changes(now: datetime, log: Callable[[str], None] = lambda line: None) -> int:
    """Put cab1, manager1 and some resolvers on the boards; raise a few changes. Idempotent."""
    cab = User.objects.filter(username="cab1").first()
    manager = User.objects.filter(username="manager1").first()
    if cab is None or manager is None or Change.objects.exists():
        return 0
    resolvers = list(User.objects.filter(role=Role.RESOLVER, is_active=True).order_by("id")[:4])
    for board in AdvisoryBoard.objects.all():
        board.members.add(cab, manager, *(resolvers if board.kind == BoardKind.CAB else resolvers[:1]))
    requester = resolvers[0] if resolvers else manager
    group = AssignmentGroup.objects.filter(name="EPJ").first()
    no_risk = {q.pk: False for q in RiskQuestion.objects.all()}

    def raise_change(title: str, service_name: str, **values: Any) -> Change:
        service = Service.objects.filter(name__icontains=service_name).first()
        return services.change_create(
            actor=requester,
            title=title,
            description=f"{title}.",
            justification="Anbefalt av leverandøren; retter kjente feil.",
            implementation_plan="Følg leverandørens driftsprosedyre.",
            backout_plan="Gjenopprett øyeblikksbildet som ble tatt før endringen.",
            test_plan="Røyktest med kliniske superbrukere.",
            services=[service] if service else [],
            implementer_group=group,
            **values,
        )

    created = 0
    try:
        raise_change("Oppgradere PACS-visningen til 12.4", "PACS")
        created += 1
        waiting = raise_change("Bytte kjernesvitsj i bygg B", "nettverk")
        services.change_submit(change=waiting, actor=requester)
        services.change_assess(change=waiting, actor=cab, answers=no_risk)
        services.change_request_approval(change=waiting, actor=cab)
        created += 1
        start, end = _evening(now, 6)
        scheduled = raise_change(
            "Installere sikkerhetsoppdatering i EPJ", "EPJ", planned_start=start, planned_end=end
        )
        services.change_submit(change=scheduled, actor=requester)
        services.change_assess(change=scheduled, actor=cab, answers=no_risk)
        services.change_request_approval(change=scheduled, actor=cab)
        for member in (cab, manager):
            if scheduled.state != State.APPROVED:
                services.change_approve(change=scheduled, actor=member)
                scheduled.refresh_from_db()
        services.change_schedule(change=scheduled, actor=cab, planned_start=start, planned_end=end)
        created += 1
    except DomainError as error:  # demo data must not stop the demo; say what was skipped
        log(f"Changes: stopped early ({error.message}).")
    log(f"Changes: {created} demo changes; boards have {cab} and {manager} as members.")
    return created
