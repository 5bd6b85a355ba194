"""The live customer-centre figures (one read, a fixed number of queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min

from incidents.kpi import OSLO, FirstLineResolution, WaitStatistics, first_line_resolution, wait_statistics
from incidents.models import Ticket
from servicedesk.models import User
from sla.models import KpiTarget

from .models import Contact, ContactState

# Added to an Oslo-aware midnight this is wall-clock arithmetic: the next Oslo midnight, also on
# the 23 h and 25 h days of the DST changes.
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class LiveFigures:
    now: datetime
    waiting: list[Contact]
    waiting_count: int
    longest_wait_seconds: float | None
    today: WaitStatistics
    first_line: FirstLineResolution
    wait_target_seconds: float
    first_line_target: float
    agents_on_duty: int

    @property
    def average_wait_ok(self) -> bool | None:
        mean = self.today.mean_wait
        return None if mean is None else mean <= self.wait_target_seconds

    @property
    def first_line_ok(self) -> bool | None:
        rate = self.first_line.rate
        return None if rate is None else rate >= self.first_line_target


def start_of_day(now: datetime) -> datetime:
    """Midnight of the Oslo day `now` falls in (the customer centre's "today")."""
    local = now.astimezone(OSLO)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def live_figures(now: datetime, *, waiting_shown: int = 20) -> LiveFigures:
    today_start = start_of_day(now)
    waiting = Contact.objects.filter(state=ContactState.OFFERED)
    oldest = waiting.aggregate(oldest=Min("offered_at"))["oldest"]
    wait_target = KpiTarget.value_of(KpiTarget.AVERAGE_WAIT_SECONDS, 60)
    return LiveFigures(
        now=now,
        waiting=list(waiting.select_related("queue", "caller").order_by("offered_at")[:waiting_shown]),
        waiting_count=waiting.count(),
        longest_wait_seconds=(now - oldest).total_seconds() if oldest else None,
        today=wait_statistics(
            Contact.objects.filter(offered_at__gte=today_start, offered_at__lt=today_start + ONE_DAY),
            target_seconds=wait_target,
        ),
        first_line=first_line_resolution(Ticket.objects.filter(resolved_at__gte=today_start)),
        wait_target_seconds=wait_target,
        first_line_target=KpiTarget.value_of(KpiTarget.FIRST_LINE_RESOLUTION, 0.65),
        agents_on_duty=User.objects.filter(is_active=True, on_duty_since__isnull=False).count(),
    )
