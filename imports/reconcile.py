"""Reconciliation: our figures for an imported BPI Challenge 2014 export beside the source's own.

The source's figures are computed here straight from the files (an independent pass with the
csv module, local times as written), ours from the database as the desk computes them for native
tickets (times in UTC, converted to Dutch local time for months). Each row carries its
tolerance; docs/imports.md explains every difference that is allowed.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connection

from .bpic2014 import SOURCE, ZONE, source_files
from .reading import open_binary


@dataclass
class Row:
    figure: str
    key: str
    source: float | None
    ours: float | None
    tolerance: float  # absolute, in the figure's unit

    @property
    def ok(self) -> bool:
        if self.source is None or self.ours is None:
            return self.source == self.ours
        return abs(self.source - self.ours) <= self.tolerance + 1e-9


def _rows(path: Path, delimiter: str) -> list[dict[str, str]]:
    with open_binary(path) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        return [
            r
            for r in csv.DictReader(text, delimiter=delimiter)
            if any(v and v.strip() for v in r.values() if isinstance(v, str))
        ]


def _month(text: str, fmt: str) -> str:
    return datetime.strptime(text.strip(), fmt).strftime("%Y-%m")  # noqa: DTZ007 (a naive source month)


def source_figures(directory: Path) -> dict[str, Any]:
    files = source_files(directory)
    if files["incident"] is None:
        raise FileNotFoundError(f"no detail_incident.csv(.gz) in {directory}")
    incidents = _rows(files["incident"], ";")
    counts: Counter[str] = Counter()
    hours: dict[str, list[float]] = defaultdict(list)
    never = reopened = 0
    fmt = "%d/%m/%Y %H:%M:%S"
    for r in incidents:
        try:
            opened = datetime.strptime(r["Open Time"].strip(), fmt)  # noqa: DTZ007
            priority = str(int(r["Priority"]))
        except (ValueError, KeyError):
            continue
        counts[f"{opened:%Y-%m} P{priority}"] += 1
        if r["Resolved Time"].strip():
            resolved = datetime.strptime(r["Resolved Time"].strip(), fmt)  # noqa: DTZ007
            hours[f"P{priority}"].append((resolved - opened).total_seconds() / 3600)
        never += r["# Reassignments"].strip() in ("", "0")
        reopened += bool(r["Reopen Time"].strip())
    fcr: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    if files["interaction"] is not None:
        for r in _rows(files["interaction"], ";"):
            if not r["Close Time"].strip():
                continue
            month = _month(r["Close Time"], "%d-%m-%Y %H:%M")
            fcr[month][0] += r["First Call Resolution"] == "Y"
            fcr[month][1] += 1
    return {
        "tickets": len(incidents),
        "counts": dict(counts),
        "median_hours": {k: statistics.median(v) for k, v in hours.items()},
        "never_reassigned": never / len(incidents) if incidents else None,
        "reopened": reopened / len(incidents) if incidents else None,
        "fcr": {k: v[0] / v[1] for k, v in fcr.items()},
    }


def per_key(
    figure: str,
    source: dict[str, Any],
    ours: dict[str, Any],
    tolerance: float,
    *,
    keys: Iterable[str] | None = None,
    missing: float | None = None,
) -> list[Row]:
    """One row per key of either side (or of `keys`): the source's value beside ours."""
    keys = sorted(set(source) | set(ours)) if keys is None else keys
    return [Row(figure, key, source.get(key, missing), ours.get(key, missing), tolerance) for key in keys]


def query(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def our_figures() -> dict[str, Any]:
    zone = str(ZONE)
    counts = {
        f"{month} P{priority}": n
        for month, priority, n in query(
            """SELECT to_char(t.created_at AT TIME ZONE %s, 'YYYY-MM'), i.source_priority, count(*)
               FROM incidents_ticket t JOIN imports_importedticket i ON i.ticket_id = t.id
               WHERE i.source = %s GROUP BY 1, 2""",
            [zone, SOURCE],
        )
    }
    medians = {
        f"P{priority}": value
        for priority, value in query(
            """SELECT i.source_priority,
                      percentile_cont(0.5) WITHIN GROUP (
                          ORDER BY extract(epoch FROM t.resolved_at - t.created_at) / 3600)
               FROM incidents_ticket t JOIN imports_importedticket i ON i.ticket_id = t.id
               WHERE i.source = %s AND t.resolved_at IS NOT NULL GROUP BY 1""",
            [SOURCE],
        )
    }
    total, native_never, never, reopened = query(
        """SELECT count(*),
                  count(*) FILTER (WHERE t.reassignment_count = 0),
                  count(*) FILTER (WHERE NOT EXISTS (
                      SELECT 1 FROM incidents_ticketevent e WHERE e.ticket_id = t.id
                      AND e.details->>'activity' = 'Reassignment')),
                  count(*) FILTER (WHERE t.reopen_count > 0)
           FROM incidents_ticket t JOIN imports_importedticket i ON i.ticket_id = t.id WHERE i.source = %s""",
        [SOURCE],
    )[0]
    fcr = dict(
        query(
            """SELECT to_char(closed_at AT TIME ZONE %s, 'YYYY-MM'), avg(first_call_resolution::int)
               FROM imports_importedcontact WHERE source = %s AND closed_at IS NOT NULL GROUP BY 1""",
            [zone, SOURCE],
        )
    )
    return {
        "tickets": total,
        "counts": counts,
        "median_hours": medians,
        "never_reassigned": never / total if total else None,
        "never_reassigned_native": native_never / total if total else None,
        "reopened": reopened / total if total else None,
        "fcr": {k: float(v) for k, v in fcr.items()},
    }


# Tolerances (docs/imports.md): counts exact; medians within 1 h (a ticket open across a DST
# change is an hour longer or shorter in UTC than in naive local time); shares within 1 point.
MEDIAN_TOLERANCE_HOURS = 1.0
SHARE_TOLERANCE = 0.01
# 963 incidents count more reassignments (# Reassignments) than their logged Reassignment
# activities (the EventLog derivative lacks 77 rows of the original log): 1.5 points.
REASSIGNED_TOLERANCE = 0.015


def reconcile(directory: Path) -> list[Row]:
    source, ours = source_figures(directory), our_figures()
    rows = [Row("tickets", "all", source["tickets"], ours["tickets"], 0)]
    rows += per_key("tickets opened per month and priority", source["counts"], ours["counts"], 0, missing=0)
    rows += per_key(
        "median open → resolved (h)", source["median_hours"], ours["median_hours"], MEDIAN_TOLERANCE_HOURS
    )
    rows.append(
        Row(
            "share never reassigned (no Reassignment activity)",
            "all",
            source["never_reassigned"],
            ours["never_reassigned"],
            REASSIGNED_TOLERANCE,
        )
    )
    rows.append(Row("share reopened", "all", source["reopened"], ours["reopened"], SHARE_TOLERANCE))
    rows += per_key("first-call resolution (calls' flag) by month closed", source["fcr"], ours["fcr"], 0)
    rows.append(
        Row(
            "share never moved to another group (ours, as native tickets; not in the source)",
            "all",
            None,
            ours["never_reassigned_native"],
            float("inf"),
        )
    )
    return rows


def render(rows: list[Row]) -> str:
    lines = [f"{'figure':<58} {'key':<12} {'source':>12} {'ours':>12} {'tolerance':>10}  ok"]
    for r in rows:

        def fmt(v: float | None) -> str:
            if v is None:
                return "—"
            return f"{v:,.0f}" if float(v).is_integer() and abs(v) >= 1 else f"{v:.4f}"

        tol = "—" if r.tolerance == float("inf") else fmt(r.tolerance) if r.tolerance else "exact"
        ok = "n/a" if r.tolerance == float("inf") else ("yes" if r.ok else "NO")
        lines.append(f"{r.figure[:58]:<58} {r.key:<12} {fmt(r.source):>12} {fmt(r.ours):>12} {tol:>10}  {ok}")
    return "\n".join(lines)
