"""A day of the customer centre, simulated: Poisson arrivals by hour, agents, impatient callers.

`simulate_day` is pure (a seeded random generator, no database): it returns the telephony
events of the day in time order. The management command `simulate_customer_centre` posts them
through the public API, as the telephony system would.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")

# Share of the day's calls arriving in each hour (Oslo time): a morning peak, a lunch dip.
HOURLY_PROFILE = {7: 4, 8: 12, 9: 14, 10: 13, 11: 11, 12: 8, 13: 11, 14: 10, 15: 7}


@dataclass(frozen=True)
class SimulatedEvent:
    contact_id: str
    event: str  # offered | answered | abandoned
    at: datetime
    agent: str = ""
    caller_number: str = ""

    def as_api_body(self, queue: str) -> dict[str, Any]:
        body: dict[str, Any] = {"contact_id": self.contact_id, "event": self.event, "at": self.at.isoformat()}
        if self.event == "offered":
            body.update(queue=queue, channel="phone", caller_number=self.caller_number)
        if self.agent:
            body["agent"] = self.agent
        return body


def simulate_day(
    day: date,
    *,
    calls: int,
    agents: list[str],
    callers: list[str],
    seed: int,
    mean_handling_seconds: float = 240,
    mean_patience_seconds: float = 150,
) -> list[SimulatedEvent]:
    """The offered / answered / abandoned events of one day, in time order.

    Arrivals: a Poisson process per hour with rate calls × the hour's share. Callers wait in one
    queue, first come first served, for the first free agent; a caller whose wait would exceed
    their (exponential) patience hangs up. Handling times are exponential too.
    """
    if not agents:
        raise ValueError("At least one agent is needed to answer calls.")
    rng = random.Random(f"{seed}-{day.isoformat()}")
    total = sum(HOURLY_PROFILE.values())
    arrivals: list[datetime] = []
    for hour, share in HOURLY_PROFILE.items():
        rate_per_second = calls * share / total / 3600
        start = datetime.combine(day, time(hour), tzinfo=OSLO)
        offset = rng.expovariate(rate_per_second)
        while offset < 3600:
            arrivals.append(start + timedelta(seconds=round(offset)))
            offset += rng.expovariate(rate_per_second)
    free_at = [
        (arrivals[0] if arrivals else datetime.combine(day, time(7), tzinfo=OSLO), name) for name in agents
    ]
    heapq.heapify(free_at)
    events: list[SimulatedEvent] = []
    for n, arrived in enumerate(sorted(arrivals)):
        contact_id = f"sim-{day.isoformat()}-{n:04d}"
        number = rng.choice(callers) if callers and rng.random() < 0.8 else f"+479{rng.randrange(10**7):07d}"
        events.append(SimulatedEvent(contact_id, "offered", arrived, caller_number=number))
        agent_free, agent = free_at[0]
        starts = max(arrived, agent_free)
        patience = timedelta(seconds=round(rng.expovariate(1 / mean_patience_seconds)))
        if starts - arrived > patience:
            events.append(SimulatedEvent(contact_id, "abandoned", arrived + patience))
            continue
        heapq.heapreplace(
            free_at, (starts + timedelta(seconds=round(rng.expovariate(1 / mean_handling_seconds))), agent)
        )
        events.append(SimulatedEvent(contact_id, "answered", starts, agent=agent))
    return sorted(events, key=lambda e: (e.at, e.event != "offered"))
