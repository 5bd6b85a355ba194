"""The managers' report pages (/console/reports/): dashboard, drill-downs, exports, recompute.

Managers and admins only; anyone else gets 404 and learns nothing. Every page's query count is
constant: the dashboard reads stored snapshots (one query for 24 months) plus a fixed set of
indexed counts for today's panel.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from contacts.models import Contact, ContactChannel, ContactQueue, ContactState
from incidents.console import render_page
from incidents.models import OPEN_STATES, QUEUED_STATES, Ticket
from servicedesk.db import reads_from_replica
from sla.models import Clock, ClockState, Outage

from . import exports, kpis, selectors, services
from .models import MonthlyReportSubscription, MonthlySnapshot
from .months import OSLO, Month, ReportInputError, current_month, parse_month
from .pdf import monthly_pdf
from .tables import Table, kpi_value, percent, report_tables

PAGE_SIZE = 50
ABOUT_TO_BREACH = timedelta(hours=1)


def _month_or_400(text: str | None) -> Month:
    return current_month() if not text else parse_month(text)


def _bad_input(request: HttpRequest, error: ReportInputError) -> HttpResponse:
    return render_page(request, "reports/bad_input.html", {"message": error.message}, status=400)


def _iso(instant: datetime) -> str:
    return instant.isoformat()


def tickets_link(**filters: Any) -> str:
    return (
        reverse("console:ticket-list") + "?" + urlencode({k: v for k, v in filters.items() if v is not None})
    )


def contacts_link(month: Month, **filters: Any) -> str:
    query = {"month": str(month), **{k: v for k, v in filters.items() if v is not None}}
    return reverse("reports:contacts") + "?" + urlencode(query)


def _snapshot_for(
    month: Month, snapshots: list[MonthlySnapshot], wanted: str | None
) -> MonthlySnapshot | None:
    if wanted is not None and not wanted.isdigit():
        raise ReportInputError(_("Choose a snapshot from the list."), field="snapshot")
    return next((s for s in snapshots if wanted is None or s.pk == int(wanted)), None)


def _kpi_rows(snapshot: MonthlySnapshot, month: Month) -> list[dict[str, Any]]:
    start, end = snapshot.period_start, snapshot.period_end
    resolved = {"resolved_after": _iso(start), "resolved_before": _iso(end)}
    links = {
        "average_wait_seconds": contacts_link(month, state=ContactState.ANSWERED),
        "first_line_resolution": tickets_link(**resolved, first_line="true"),
        "resolved_within_deadline": tickets_link(**resolved, resolution_sla="breached"),
        "availability": reverse("reports:outages") + "?" + urlencode({"month": str(month)}),
        "failed_change_share": reverse("changes:list")
        + "?"
        + urlencode(
            {
                "implemented_after": _iso(start),
                "implemented_before": _iso(end),
                "outcome": ["failed", "backed_out"],
            },
            doseq=True,
        ),
    }
    rows = []
    for row in kpis.judged(snapshot.figures, snapshot.targets):
        rows.append(
            {
                **row,
                "label": _label(row["key"]),
                "shown": kpi_value(row["key"], row["value"]),
                "target_shown": kpi_value(row["key"], row["target"]),
                "link": links[row["key"]],
            }
        )
    return rows


def _label(key: str) -> str:
    from .tables import KPI_LABELS

    return str(KPI_LABELS[key])


def _today_panel(now: datetime) -> dict[str, Any]:
    """Live figures: a fixed number of indexed queries, whatever the volume."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Counts over millions of rows cost enough to switch on JIT, whose compilation
                # takes longer than the index scans themselves (reports_bench).
                cursor.execute("SET LOCAL jit = off")
        return _today_figures(now)


def _today_figures(now: datetime) -> dict[str, Any]:
    open_tickets = Ticket.objects.filter(state__in=OPEN_STATES)
    # COUNT(*), not COUNT(id): an index-only scan of ticket_state_priority_idx can answer it.
    by_priority = dict(open_tickets.values_list("priority").annotate(n=Count("*")).order_by("priority"))
    queued = Ticket.objects.filter(assignee__isnull=True, state__in=QUEUED_STATES).count()
    waiting = Contact.objects.filter(state=ContactState.OFFERED).aggregate(
        n=Count("id"), oldest=Min("offered_at")
    )
    running = Clock.objects.filter(state=ClockState.RUNNING)
    soon = list(
        running.filter(due_at__gt=now, due_at__lte=now + ABOUT_TO_BREACH, breached_at__isnull=True)
        .select_related("ticket")
        .order_by("due_at")[:10]
    )
    soon_count = running.filter(due_at__gt=now, due_at__lte=now + ABOUT_TO_BREACH).count()
    return {
        "open_by_priority": [(p, by_priority.get(p, 0)) for p in (1, 2, 3, 4)],
        "open_total": sum(by_priority.values()),
        "queued": queued,
        "waiting": waiting["n"],
        "longest_wait": (now - waiting["oldest"]).total_seconds() if waiting["oldest"] else None,
        "about_to_breach": soon,
        "about_to_breach_count": soon_count,
        "outages": ongoing_outages(),
    }


def ongoing_outages(limit: int = 20) -> list[Outage]:
    """The outages going on now (the partial index on open outages), planned ones included."""
    return list(
        Outage.objects.filter(ended_at__isnull=True).select_related("service").order_by("started_at")[:limit]
    )


def _chart_data(month: Month, snapshot: MonthlySnapshot, tables: dict[str, Table]) -> dict[str, Any]:
    """What the charts draw; the same figures as the tables beside them."""
    yoy = tables["inquiries_by_month"]
    trend = tables["trend_24"]
    waits = tables["waits_by_hour"]
    availability = tables.get("availability")
    return {
        "yoy": {
            "labels": [r[0] for r in yoy.rows],
            "series": [
                {"label": yoy.columns[1], "data": [r[1] for r in yoy.rows]},
                {"label": yoy.columns[2], "data": [r[2] for r in yoy.rows]},
            ],
        },
        "trend": {
            "labels": [r[0] for r in trend.rows],
            "series": [
                {"label": trend.columns[i], "data": [r[i] for r in trend.rows]}
                for i in range(1, len(trend.columns))
            ],
            "targets": [None, *[kpi_value(k, snapshot.targets.get(k)) for k, *_r in kpis.TARGETS]],
        },
        "waits": {
            "labels": [r[0] for r in waits.rows],
            "series": [
                {"label": waits.columns[4], "data": [r[4] for r in waits.rows]},
                {"label": waits.columns[1], "data": [r[1] for r in waits.rows]},
            ],
        },
        "availability": None
        if availability is None
        else {
            "labels": [r[0] for r in availability.rows],
            "series": [{"label": availability.columns[1], "data": [r[1] for r in availability.rows]}],
        },
    }


@login_required
@require_GET
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    """This month (month to date) or any past month: KPIs against targets, the annual report's
    year-over-year chart, 12- and 24-month trends, availability, waits by hour, the worst
    groups, and today's panel. Queries: constant (see the module docstring)."""
    user = selectors.require_reports(request.user)
    try:
        month = _month_or_400(request.GET.get("month"))
        snapshots = list(selectors.snapshots_of(month))
        snapshot = _snapshot_for(month, snapshots, request.GET.get("snapshot"))
    except ReportInputError as error:
        return _bad_input(request, error)
    now = timezone.now()
    context: dict[str, Any] = {
        "month": month,
        "current": current_month(now),
        "previous": month.shift(-1),
        "next": month.shift(1) if month < current_month(now) else None,
        "snapshots": snapshots,
        "snapshot": snapshot,
        "subscribed": MonthlyReportSubscription.objects.filter(user=user).exists(),
        "today": _today_panel(now),
        "today_links": {
            "queued": tickets_link(assignee="none", state=["new", "assigned"]),
            "open": tickets_link(open="true"),
            "waiting": reverse("console:customer-centre"),
        },
    }
    if snapshot is not None:
        history = selectors.latest_snapshots(month.shift(-23), month)
        history[month] = snapshot
        tables = {t.key: t for t in report_tables(snapshot, history)}
        start, end = snapshot.period_start, snapshot.period_end
        created = {"created_after": _iso(start), "created_before": _iso(end)}
        context.update(
            {
                "kpis": _kpi_rows(snapshot, month),
                "tables": tables,
                "chart_data": _chart_data(month, snapshot, tables),
                "links": {
                    "inquiries": tickets_link(**created),
                    "access_orders": tickets_link(**created, access_order="true", kind="request"),
                    "contacts": contacts_link(month),
                    "abandoned": contacts_link(month, state=ContactState.ABANDONED),
                    "resolved": tickets_link(resolved_after=_iso(start), resolved_before=_iso(end)),
                    "created": created,
                    "resolved_range": {"resolved_after": _iso(start), "resolved_before": _iso(end)},
                },
                "worst_groups": _worst_groups(snapshot),
            }
        )
    return render_page(request, "reports/dashboard.html", context)


def _worst_groups(snapshot: MonthlySnapshot) -> list[dict[str, Any]]:
    items = [i for i in snapshot.figures["within_deadline"]["by_group"] if i["breached"]]
    items.sort(key=lambda i: (-i["breached"], i["rate"] if i["rate"] is not None else 1, str(i["name"])))
    start, end = snapshot.period_start, snapshot.period_end
    return [
        {
            **i,
            "percent": percent(i["rate"]),
            "link": tickets_link(
                resolved_after=_iso(start),
                resolved_before=_iso(end),
                resolution_sla="breached",
                resolved_by_group=i["id"],
            ),
        }
        for i in items[:5]
    ]


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    user = selectors.require_reports(request.user)
    try:
        month = parse_month(request.POST.get("month", ""))
    except ReportInputError as error:
        return _bad_input(request, error)
    services.recompute_request(month=month, user=user)
    messages.success(
        request, _("Recomputing %(month)s; the new snapshot appears in a moment.") % {"month": month}
    )
    return redirect(reverse("reports:dashboard") + f"?month={month}")


@login_required
@require_POST
def subscription(request: HttpRequest) -> HttpResponse:
    user = selectors.require_reports(request.user)
    subscribed = request.POST.get("subscribed") == "1"
    services.subscription_set(user=user, subscribed=subscribed)
    messages.success(
        request,
        _("You will get the monthly report by e-mail.")
        if subscribed
        else _("You will no longer get the monthly report by e-mail."),
    )
    return redirect(reverse("reports:dashboard"))


def _snapshot_or_404(
    request: HttpRequest, month_text: str
) -> tuple[Month, MonthlySnapshot, dict[Month, MonthlySnapshot]]:
    month = parse_month(month_text)
    snapshot = _snapshot_for(month, list(selectors.snapshots_of(month)), request.GET.get("snapshot"))
    if snapshot is None:
        raise Http404
    history = selectors.latest_snapshots(month.shift(-23), month)
    history[month] = snapshot
    return month, snapshot, history


@login_required
@require_GET
@reads_from_replica
def export_table(request: HttpRequest, month: str, table: str, fmt: str) -> HttpResponseBase:
    """One report table (or "all": every table, one sheet each in XLSX) as CSV or XLSX."""
    selectors.require_reports(request.user)
    try:
        value, snapshot, history = _snapshot_or_404(request, month)
    except ReportInputError as error:
        return _bad_input(request, error)
    tables = report_tables(snapshot, history)
    chosen = tables if table == "all" else [t for t in tables if t.key == table]
    if not chosen or (fmt == "csv" and table == "all"):
        raise Http404
    name = f"report-{value}-{table}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(name, chosen[0].columns, chosen[0].rows)
    return exports.xlsx_response(name, [(t.title, t.columns, t.rows) for t in chosen])


@login_required
@require_GET
@reads_from_replica
def export_pdf(request: HttpRequest, month: str) -> HttpResponseBase:
    selectors.require_reports(request.user)
    try:
        value, snapshot, history = _snapshot_or_404(request, month)
    except ReportInputError as error:
        return _bad_input(request, error)
    response = HttpResponse(monthly_pdf(snapshot, history), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="service-desk-report-{value}.pdf"'
    return response


# --- drill-down: contacts --------------------------------------------------------------------

CONTACT_COLUMNS = (
    "contact id",
    "queue",
    "channel",
    "state",
    "offered",
    "answered",
    "abandoned",
    "wait (s)",
    "agent",
)


def _contacts(request: HttpRequest) -> tuple[Month, QuerySet[Contact], dict[str, str]]:
    month = parse_month(request.GET.get("month", ""))
    start, end = month.bounds()
    contacts = Contact.objects.filter(offered_at__gte=start, offered_at__lt=end)
    shown: dict[str, str] = {"month": str(month)}
    state = request.GET.get("state")
    if state:
        if state not in ContactState.values:
            raise ReportInputError(_("Unknown contact state."), field="state")
        contacts = contacts.filter(state=state)
        shown["state"] = state
    hour = request.GET.get("hour")
    if hour:
        if not hour.isdigit() or int(hour) > 23:
            raise ReportInputError(_("The hour must be 0 to 23."), field="hour")
        from django.db.models.functions import ExtractHour

        contacts = contacts.annotate(local_hour=ExtractHour("offered_at", tzinfo=OSLO)).filter(
            local_hour=int(hour)
        )
        shown["hour"] = hour
    queue = request.GET.get("queue")
    if queue:
        contacts = contacts.filter(queue__code=queue)
        shown["queue"] = queue
    return month, contacts.select_related("queue", "agent").order_by("offered_at", "id"), shown


CONTACT_FIELDS = (
    "external_id", "queue__name", "channel", "state", "offered_at", "answered_at", "abandoned_at",
    "wait_seconds", "agent__first_name", "agent__last_name",
)  # fmt: skip


def _contact_rows(contacts: QuerySet[Contact]) -> Iterator[list[exports.Value]]:
    """Plain tuples from a server-side cursor (no model instances): flat memory, fast."""
    channels, states = dict(ContactChannel.choices), dict(ContactState.choices)
    for row in contacts.values_list(*CONTACT_FIELDS).iterator(chunk_size=5000):
        (external_id, queue, channel, state, offered, answered, abandoned, wait, first, last) = row
        agent = f"{first} {last}".strip() if first is not None else ""
        yield [
            external_id,
            queue,
            str(channels.get(channel, channel)),
            str(states.get(state, state)),
            offered,
            answered,
            abandoned,
            wait,
            agent,
        ]


@login_required
@require_GET
@reads_from_replica
def contacts(request: HttpRequest) -> HttpResponse:
    """The contacts behind the wait figures: month, and optionally state, Oslo hour, queue."""
    selectors.require_reports(request.user)
    try:
        month, rows, shown = _contacts(request)
    except ReportInputError as error:
        return _bad_input(request, error)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "reports/contacts.html",
        {
            "month": month,
            "page_obj": page,
            "contacts": list(page.object_list),
            "query": urlencode(shown),
            "queues": ContactQueue.objects.order_by("name"),
        },
    )


@login_required
@require_GET
@reads_from_replica
def contacts_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    selectors.require_reports(request.user)
    try:
        month, rows, _shown = _contacts(request)
    except ReportInputError as error:
        return _bad_input(request, error)
    header = [_(name) for name in CONTACT_COLUMNS]
    data = _contact_rows(rows)
    if fmt == "csv":
        return exports.csv_response(f"contacts-{month}.csv", header, data)
    return exports.xlsx_response(f"contacts-{month}.xlsx", [(_("Contacts"), header, data)])


def _outages(request: HttpRequest) -> tuple[Month, QuerySet[Outage]]:
    """The outages overlapping the month (all services), oldest first."""
    month = parse_month(request.GET.get("month", ""))
    start, end = month.bounds()
    rows = (
        Outage.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start), started_at__lt=end)
        .select_related("service", "ticket")
        .order_by("started_at", "id")
    )
    return month, rows


OUTAGE_COLUMNS = (
    gettext_noop("service"), gettext_noop("started"), gettext_noop("ended"), gettext_noop("planned"),
    gettext_noop("cause"), gettext_noop("ticket"), gettext_noop("note"),
)  # fmt: skip


def _outage_rows(rows: QuerySet[Outage]) -> Iterator[list[exports.Value]]:
    for outage in rows.iterator(chunk_size=2000):
        yield [
            outage.service.name,
            outage.started_at,
            outage.ended_at,
            outage.planned,
            outage.get_cause_display(),
            outage.ticket.number if outage.ticket else "",
            outage.note,
        ]


@login_required
@require_GET
@reads_from_replica
def outages(request: HttpRequest) -> HttpResponse:
    """The outages behind the availability figures: those overlapping the month (all services)."""
    selectors.require_reports(request.user)
    try:
        month, rows = _outages(request)
    except ReportInputError as error:
        return _bad_input(request, error)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "reports/outages.html",
        {
            "month": month,
            "page_obj": page,
            "outages": list(page.object_list),
            "query": urlencode({"month": month}),
        },
    )


@login_required
@require_GET
@reads_from_replica
def outages_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    selectors.require_reports(request.user)
    try:
        month, rows = _outages(request)
    except ReportInputError as error:
        return _bad_input(request, error)
    header = [_(name) for name in OUTAGE_COLUMNS]
    data = _outage_rows(rows)
    if fmt == "csv":
        return exports.csv_response(f"outages-{month}.csv", header, data)
    return exports.xlsx_response(f"outages-{month}.xlsx", [(_("Outages"), header, data)])
