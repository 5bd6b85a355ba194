# mypy: disallow-untyped-defs, disallow-incomplete-defs
"""Every KPI of DESIGN.md's table for one period, computed in the database.

`month_figures(month, until=…)` returns a JSON-able dict: each KPI with its figures, and broken
down by health trust, group and service where that makes sense. Each part is one aggregate (or
grouped) query; nothing loops over tickets or contacts in Python. A figure that has nothing to
count is None ("no data"), never 0 %.

The definitions are versioned: change DEFINITIONS_VERSION whenever a definition below changes,
so that snapshots computed under the old one can be told apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from changes.figures import change_figures, release_figures
from contacts.models import Contact
from incidents.kpi import (
    access_order_q,
    first_line_resolution,
    first_line_resolution_by,
    wait_statistics,
    wait_statistics_by,
)
from incidents.major import iso_weeks_inside, serious_incident_count, weeks_without_serious_incident
from incidents.models import State, Ticket
from portal import survey
from servicedesk.models import AssignmentGroup
from sla.availability import availability_by_service, tier1_availability
from sla.models import Clock, KpiTarget, Metric

from .months import Month

DEFINITIONS_VERSION = 2  # 2: satisfaction from the portal's survey answers
RESOLVED_STATES = (State.RESOLVED, State.CLOSED)

# The KPIs with a target: key (as in sla.KpiTarget), the figure it applies to, the comparison,
# and the default used only if the target row was deleted.
TARGETS: tuple[tuple[str, str, str, float], ...] = (
    ("average_wait_seconds", "waits.mean_wait", "max", 60.0),
    ("first_line_resolution", "first_line_resolution.rate", "min", 0.65),
    ("resolved_within_deadline", "within_deadline.rate", "min", 0.90),
    ("availability", "availability.overall", "min", 0.999),
    ("failed_change_share", "changes.failed_share", "max", 0.01),
)


def targets_in_force() -> dict[str, float]:
    """The targets as they are now (one query), to be stored with the figures they judge."""
    stored = dict(KpiTarget.objects.filter(key__in=[t[0] for t in TARGETS]).values_list("key", "value"))
    return {key: float(stored.get(key, default)) for key, _path, _cmp, default in TARGETS}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _rows(rows: Iterable[Any], id_key: str, name_key: str, values: dict[str, str]) -> list[dict[str, Any]]:
    """Grouped rows as [{"id", "name", value…}], the empty group (no trust, no service) last."""
    result = [
        {"id": row[id_key], "name": row[name_key], **{out: row[src] for out, src in values.items()}}
        for row in rows
    ]
    return sorted(result, key=lambda r: (r["id"] is None, str(r["name"] or "")))


# Breakdowns: (output name, id field, name field) of a ticket.
TICKET_BREAKDOWNS = (
    ("by_trust", "caller__trust_id", "caller__trust__name"),
    ("by_group", "assignment_group_id", "assignment_group__name"),
    ("by_service", "service_id", "service__name"),
)
RESOLVED_BREAKDOWNS = (
    ("by_trust", "caller__trust_id", "caller__trust__name"),
    ("by_group", "resolved_by_group_id", "resolved_by_group__name"),
    ("by_service", "service_id", "service__name"),
)


def created_in(start: datetime, end: datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(created_at__gte=start, created_at__lt=end)


def resolved_in(start: datetime, end: datetime) -> QuerySet[Ticket]:
    """Tickets resolved (or since closed) whose last resolution falls in the period."""
    return Ticket.objects.filter(state__in=RESOLVED_STATES, resolved_at__gte=start, resolved_at__lt=end)


def inquiries(start: datetime, end: datetime) -> dict[str, Any]:
    """Tickets created, by kind and channel (one query) and by trust, group and service."""
    tickets = created_in(start, end)
    by_kind: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    total = 0
    for row in tickets.values("kind", "channel").annotate(n=Count("id")).order_by():
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["n"]
        by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + row["n"]
        total += row["n"]
    figures: dict[str, Any] = {"total": total, "by_kind": by_kind, "by_channel": by_channel}
    for name, id_field, name_field in TICKET_BREAKDOWNS:
        rows = tickets.values(id_field, name_field).annotate(n=Count("id")).order_by()
        figures[name] = _rows(rows, id_field, name_field, {"count": "n"})
    return figures


def access_orders(start: datetime, end: datetime) -> dict[str, Any]:
    rows = (
        created_in(start, end)
        .filter(access_order_q())
        .values("caller__trust_id", "caller__trust__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_trust = _rows(rows, "caller__trust_id", "caller__trust__name", {"count": "n"})
    return {"total": sum(r["count"] for r in by_trust), "by_trust": by_trust}


def _wait_dict(stats: Any) -> dict[str, Any]:
    return {
        "offered": stats.offered,
        "answered": stats.answered,
        "abandoned": stats.abandoned,
        "mean_wait": stats.mean_wait,
        "p50_wait": stats.p50_wait,
        "p90_wait": stats.p90_wait,
        "answered_within_target": stats.answered_within_target,
        "within_target_share": stats.within_target_share,
        "abandon_rate": stats.abandon_rate,
        "mean_time_to_abandon": stats.mean_time_to_abandon,
    }


def waits(start: datetime, end: datetime, target_seconds: float) -> dict[str, Any]:
    """Customer-centre contacts offered in the period (incidents.kpi): overall, per queue, per
    Oslo hour of day."""
    contacts = Contact.objects.filter(offered_at__gte=start, offered_at__lt=end)
    figures = _wait_dict(wait_statistics(contacts, target_seconds=target_seconds))
    figures["by_queue"] = [
        {"name": name, **_wait_dict(stats)}
        for name, stats in wait_statistics_by(contacts, "queue", target_seconds=target_seconds).items()
    ]
    figures["by_hour"] = [
        {"hour": hour, **_wait_dict(stats)}
        for hour, stats in wait_statistics_by(contacts, "hour", target_seconds=target_seconds).items()
    ]
    return figures


def first_line(start: datetime, end: datetime) -> dict[str, Any]:
    tickets = resolved_in(start, end)
    total = first_line_resolution(tickets)
    figures: dict[str, Any] = {
        "resolved": total.resolved,
        "at_first_line": total.at_first_line,
        "rate": total.rate,
    }
    for name, id_field, name_field in RESOLVED_BREAKDOWNS:
        grouped = first_line_resolution_by(tickets, id_field, name_field)
        figures[name] = _rows(
            (
                {
                    "id": key[0],
                    "name": key[1],
                    "resolved": v.resolved,
                    "at_first_line": v.at_first_line,
                    "rate": v.rate,
                }
                for key, v in grouped.items()
            ),
            "id",
            "name",
            {"resolved": "resolved", "at_first_line": "at_first_line", "rate": "rate"},
        )
    return figures


def within_deadline(start: datetime, end: datetime) -> dict[str, Any]:
    """Resolved tickets whose resolution clock was met ÷ resolved tickets with a resolution clock.

    The ticket's customer-facing resolution clock (metric resolution, no group); it is stopped
    when the ticket is resolved, so `met` is final.
    """
    clocks = Clock.objects.filter(
        metric=Metric.RESOLUTION,
        group__isnull=True,
        met__isnull=False,
        ticket__state__in=RESOLVED_STATES,
        ticket__resolved_at__gte=start,
        ticket__resolved_at__lt=end,
    )
    counts = {"with_clock": Count("id"), "met": Count("id", filter=Q(met=True))}
    total = clocks.aggregate(**counts)
    figures: dict[str, Any] = {
        "with_clock": total["with_clock"],
        "met": total["met"],
        "breached": total["with_clock"] - total["met"],
        "rate": _share(total["met"], total["with_clock"]),
    }
    for name, id_field, name_field in RESOLVED_BREAKDOWNS:
        rows = clocks.values(f"ticket__{id_field}", f"ticket__{name_field}").annotate(**counts).order_by()
        figures[name] = [
            {**row, "breached": row["with_clock"] - row["met"], "rate": _share(row["met"], row["with_clock"])}
            for row in _rows(
                rows,
                f"ticket__{id_field}",
                f"ticket__{name_field}",
                {"with_clock": "with_clock", "met": "met"},
            )
        ]
    return figures


def changes(start: datetime, end: datetime) -> dict[str, Any]:
    figures = change_figures(start, end)
    releases = release_figures(start, end)
    return {
        "implemented": figures.implemented,
        "failed": figures.failed,
        "failed_share": figures.failed_share,
        "emergency": figures.emergency,
        "emergency_share": figures.emergency_share,
        "caused_incidents": figures.caused_incidents,
        "releases_deployed": releases.deployed,
        "releases_on_plan": releases.on_plan,
        "releases_on_plan_share": releases.on_plan_share,
    }


def availability(start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """Per tier-1 service and overall (sla/availability.py: unplanned outage seconds merged per
    service ÷ the seconds of the period; overall = mean over the tier-1 services)."""
    services = availability_by_service(start=start, end=end, now=now, tier=1)
    return {
        "overall": tier1_availability(start=start, end=end, now=now),
        "services": [asdict(row) for row in services],
        "unplanned_seconds": sum(row.unplanned_seconds for row in services),
        "planned_seconds": sum(row.planned_seconds for row in services),
    }


def serious(start: datetime, end: datetime) -> dict[str, Any]:
    """Serious (major) incidents placed in the period and ISO weeks wholly inside it without one
    (incidents/major.py)."""
    return {
        "count": serious_incident_count(start=start, end=end),
        "weeks_without": weeks_without_serious_incident(start=start, end=end),
        "weeks": len(iso_weeks_inside(start, end)),
    }


def satisfaction(start: datetime, end: datetime) -> dict[str, Any]:
    """The 1–6 survey (portal/survey.py): mean score and answer count of the answers given in
    the period, and per resolving group. No answers: no data (None), never a zero. Two queries
    and one for the groups' names."""
    mean, answers = survey.satisfaction(start=start, end=end)
    per_group = survey.satisfaction_by_group(start=start, end=end)
    groups = AssignmentGroup.objects.filter(pk__in=[pk for pk in per_group if pk])
    names = dict(groups.values_list("pk", "name"))
    by_group = [
        {"group": names.get(pk, "—") if pk else "—", "mean_score": round(score, 2), "answers": count}
        for pk, (score, count) in per_group.items()
    ]
    return {
        "answers": answers,
        "mean_score": round(mean, 2) if mean is not None else None,
        "available": answers > 0,
        "by_group": sorted(by_group, key=lambda row: (-row["answers"], row["group"])),
    }


def month_figures(
    month: Month, *, until: datetime | None = None, targets: dict[str, float] | None = None
) -> dict[str, Any]:
    """Every KPI for the Oslo month, counting events before `until` (month to date) if given."""
    start, end = month.bounds()
    if until is not None and until < end:
        end = max(start, until)
    targets = targets if targets is not None else targets_in_force()
    figures: dict[str, Any] = {
        "month": str(month),
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "inquiries": inquiries(start, end),
        "access_orders": access_orders(start, end),
        "waits": waits(start, end, targets["average_wait_seconds"]),
        "first_line_resolution": first_line(start, end),
        "within_deadline": within_deadline(start, end),
        "availability": availability(start, end, now=end),
        "serious_incidents": serious(start, end),
        "changes": changes(start, end),
        "satisfaction": satisfaction(start, end),
    }
    return figures


def figure_at(figures: dict[str, Any], path: str) -> Any:
    """The value at a dotted path ("waits.mean_wait"), or None if any part is missing."""
    value: Any = figures
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def judged(figures: dict[str, Any], targets: dict[str, float]) -> list[dict[str, Any]]:
    """Each KPI with a target: its value, the target and met / missed (None: no data)."""
    result = []
    for key, path, comparison, default in TARGETS:
        value = figure_at(figures, path)
        target = targets.get(key, default)
        met = None if value is None else (value <= target if comparison == "max" else value >= target)
        result.append(
            {"key": key, "path": path, "value": value, "target": target, "comparison": comparison, "met": met}
        )
    return result
