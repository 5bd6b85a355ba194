# mypy: disallow-untyped-defs, disallow-incomplete-defs
"""The report's tables, built from snapshots (no queries): shown on the dashboard, exported as
CSV and XLSX, printed in the PDF. One definition, so every view shows the same figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import kpis
from .models import MonthlySnapshot
from .months import Month

Cell = str | int | float | None

KPI_LABELS = {
    "average_wait_seconds": gettext_lazy("Average wait (s)"),
    "first_line_resolution": gettext_lazy("First-line resolution (%)"),
    "resolved_within_deadline": gettext_lazy("Resolved within deadline (%)"),
    "availability": gettext_lazy("Availability, tier-1 services (%)"),
    "failed_change_share": gettext_lazy("Failed changes (%)"),
}
# KPIs shown as percentages (their figures are fractions).
PERCENT_KPIS = {"first_line_resolution", "resolved_within_deadline", "availability", "failed_change_share"}


def percent(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value * 100, digits)


def kpi_value(key: str, value: float | None) -> float | None:
    """A KPI's figure as shown: percent for shares (more digits for availability), seconds else."""
    if value is None:
        return None
    if key in PERCENT_KPIS:
        return percent(value, 3 if key == "availability" else 1)
    return round(value, 1)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    # Per row, the ticket-list filter of the tickets behind it (empty: no drill-down).
    filters: list[dict[str, str]] = field(default_factory=list)


def kpi_table(snapshot: MonthlySnapshot) -> Table:
    table = Table("kpis", _("KPIs against targets"), [_("KPI"), _("Value"), _("Target"), _("Result")])
    for row in kpis.judged(snapshot.figures, snapshot.targets):
        result = _("no data") if row["met"] is None else (_("met") if row["met"] else _("missed"))
        comparison = _("at most") if row["comparison"] == "max" else _("at least")
        target = kpi_value(row["key"], row["target"])
        table.rows.append(
            [
                str(KPI_LABELS[row["key"]]),
                kpi_value(row["key"], row["value"]),
                f"{comparison} {target:g}",
                result,
            ]
        )
    return table


def volume_table(snapshot: MonthlySnapshot) -> Table:
    f = snapshot.figures
    table = Table("volumes", _("Volumes"), [_("Figure"), _("Value")])
    inquiries, changes = f["inquiries"], f["changes"]
    waits = f["waits"]
    rows: list[list[Cell]] = [
        [_("Inquiries"), inquiries["total"]],
        *[[_("Inquiries: %(kind)s") % {"kind": kind}, n] for kind, n in sorted(inquiries["by_kind"].items())],
        *[
            [_("Inquiries by channel: %(channel)s") % {"channel": ch}, n]
            for ch, n in sorted(inquiries["by_channel"].items())
        ],
        [_("Access orders"), f["access_orders"]["total"]],
        [_("Contacts offered"), waits["offered"]],
        [_("Contacts answered"), waits["answered"]],
        [_("Contacts abandoned"), waits["abandoned"]],
        [_("Abandon rate (%)"), percent(waits["abandon_rate"])],
        [
            _("Mean time to abandon (s)"),
            None if waits["mean_time_to_abandon"] is None else round(waits["mean_time_to_abandon"], 1),
        ],
        [_("Wait, 90th percentile (s)"), None if waits["p90_wait"] is None else round(waits["p90_wait"], 1)],
        [_("Resolved tickets"), f["first_line_resolution"]["resolved"]],
        [_("Resolved at first line"), f["first_line_resolution"]["at_first_line"]],
        [_("Resolved with a resolution clock"), f["within_deadline"]["with_clock"]],
        [_("Resolution deadline breached"), f["within_deadline"]["breached"]],
        [_("Changes implemented"), changes["implemented"]],
        [_("Changes failed or backed out"), changes["failed"]],
        [_("Emergency changes"), changes["emergency"]],
        [_("Releases deployed"), changes["releases_deployed"]],
        [_("Releases on plan"), changes["releases_on_plan"]],
        [_("Releases on plan (%)"), percent(changes["releases_on_plan_share"])],
    ]
    serious = f.get("serious_incidents")
    if serious is not None:
        rows += [
            [_("Serious incidents"), serious["count"]],
            [_("Weeks without a serious incident"), serious["weeks_without"]],
        ]
    satisfaction = f["satisfaction"]
    rows.append([_("Survey answers"), satisfaction["answers"]])
    rows.append([_("Mean survey score (1–6)"), satisfaction["mean_score"]])
    table.rows = rows
    return table


def breakdown_table(snapshot: MonthlySnapshot, by: str) -> Table:
    """Inquiries, first-line resolution and within deadline per trust, group or service."""
    titles = {"by_trust": _("By health trust"), "by_group": _("By group"), "by_service": _("By service")}
    first = {"by_trust": _("Health trust"), "by_group": _("Group"), "by_service": _("Service")}
    f = snapshot.figures
    table = Table(
        by.removeprefix("by_"),
        str(titles[by]),
        [
            str(first[by]),
            _("Inquiries"),
            _("Resolved"),
            _("First-line resolution (%)"),
            _("With clock"),
            _("Breached"),
            _("Within deadline (%)"),
        ],
    )
    rows: dict[Any, list[Cell]] = {}

    def row(item: dict[str, Any]) -> list[Cell]:
        return rows.setdefault(item["id"], [item["name"] or _("(none)"), 0, 0, None, 0, 0, None])

    for item in f["inquiries"][by]:
        row(item)[1] = item["count"]
    for item in f["first_line_resolution"][by]:
        r = row(item)
        r[2], r[3] = item["resolved"], percent(item["rate"])
    for item in f["within_deadline"][by]:
        r = row(item)
        r[4], r[5], r[6] = item["with_clock"], item["breached"], percent(item["rate"])
    param = {"by_trust": "trust", "by_group": "assignment_group", "by_service": "service"}[by]
    ordered = sorted(rows.items(), key=lambda item: (item[0] is None, str(item[1][0])))
    table.rows = [row for _id, row in ordered]
    table.filters = [{param: str(key)} if key is not None else {} for key, _row in ordered]
    return table


def worst_groups_table(snapshot: MonthlySnapshot, limit: int = 5) -> Table:
    table = Table(
        "worst_groups",
        _("Groups with the most breached deadlines"),
        [_("Group"), _("Breached"), _("With clock"), _("Within deadline (%)")],
    )
    items = [i for i in snapshot.figures["within_deadline"]["by_group"] if i["breached"]]
    items.sort(key=lambda i: (-i["breached"], i["rate"] if i["rate"] is not None else 1, str(i["name"])))
    table.rows = [
        [i["name"] or _("(none)"), i["breached"], i["with_clock"], percent(i["rate"])] for i in items[:limit]
    ]
    return table


def waits_by_hour_table(snapshot: MonthlySnapshot) -> Table:
    table = Table(
        "waits_by_hour",
        _("Waits by hour of day"),
        [
            _("Hour"),
            _("Offered"),
            _("Answered"),
            _("Abandoned"),
            _("Mean wait (s)"),
            _("90th percentile (s)"),
        ],
    )
    for item in snapshot.figures["waits"]["by_hour"]:
        table.rows.append(
            [
                f"{item['hour']:02d}",
                item["offered"],
                item["answered"],
                item["abandoned"],
                None if item["mean_wait"] is None else round(item["mean_wait"], 1),
                None if item["p90_wait"] is None else round(item["p90_wait"], 1),
            ]
        )
    return table


def availability_table(snapshot: MonthlySnapshot) -> Table | None:
    availability = snapshot.figures.get("availability")
    if availability is None:
        return None
    table = Table(
        "availability",
        _("Availability of tier-1 services"),
        [_("Service"), _("Availability (%)"), _("Unplanned downtime (min)"), _("Planned downtime (min)")],
    )
    for item in availability["services"]:
        table.rows.append(
            [
                item["service_name"],
                percent(item["availability"], 3),
                round(item["unplanned_seconds"] / 60, 1),
                round(item["planned_seconds"] / 60, 1),
            ]
        )
    return table


def inquiries_by_month_table(month: Month, history: dict[Month, MonthlySnapshot]) -> Table:
    """The annual report's chart: inquiries per month of the month's year against the year before."""
    table = Table(
        "inquiries_by_month",
        _("Inquiries per month, this year against last year"),
        [_("Month"), str(month.year), str(month.year - 1)],
    )
    for number in range(1, 13):
        this, last = history.get(Month(month.year, number)), history.get(Month(month.year - 1, number))
        start, end = Month(month.year, number).bounds()
        # The row drills down to this year's tickets of that month.
        table.filters.append(
            {"created_after": start.isoformat(), "created_before": end.isoformat()} if this else {}
        )
        table.rows.append(
            [
                f"{number:02d}",
                this.figures["inquiries"]["total"] if this else None,
                last.figures["inquiries"]["total"] if last else None,
            ]
        )
    return table


def trend_table(month: Month, history: dict[Month, MonthlySnapshot], months: int) -> Table:
    """Each KPI with a target, per month, for the `months` months up to `month`."""
    table = Table(
        f"trend_{months}",
        _("Trend over %(months)s months") % {"months": months},
        [_("Month"), _("Inquiries"), *[str(KPI_LABELS[key]) for key, *_rest in kpis.TARGETS]],
    )
    for offset in range(months - 1, -1, -1):
        m = month.shift(-offset)
        snapshot = history.get(m)
        if snapshot is None:
            table.rows.append([str(m), None, *[None for _t in kpis.TARGETS]])
            continue
        values = {row["key"]: row["value"] for row in kpis.judged(snapshot.figures, snapshot.targets)}
        table.rows.append(
            [
                str(m),
                snapshot.figures["inquiries"]["total"],
                *[kpi_value(key, values[key]) for key, *_rest in kpis.TARGETS],
            ]
        )
    return table


def report_tables(snapshot: MonthlySnapshot, history: dict[Month, MonthlySnapshot]) -> list[Table]:
    """Every table of a month's report, in the order the PDF prints them."""
    month = Month.from_date(snapshot.month)
    tables = [kpi_table(snapshot), volume_table(snapshot)]
    availability = availability_table(snapshot)
    if availability is not None:
        tables.append(availability)
    tables += [
        inquiries_by_month_table(month, history),
        worst_groups_table(snapshot),
        waits_by_hour_table(snapshot),
        breakdown_table(snapshot, "by_trust"),
        breakdown_table(snapshot, "by_group"),
        breakdown_table(snapshot, "by_service"),
        trend_table(month, history, 12),
        trend_table(month, history, 24),
    ]
    return tables
