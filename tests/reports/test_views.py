"""The managers' report pages, API and exports: who may see them, bad input, constant queries,
and exports that hold the figures (parsed back)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import services
from reports.models import MonthlyReportSubscription, MonthlySnapshot, Trigger
from reports.months import Month
from servicedesk.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MARCH = Month(2026, 3)


@pytest.fixture
def snapshot(march):
    return services.snapshot_create(
        month=MARCH, trigger=Trigger.MANAGER, now=datetime(2026, 4, 2, tzinfo=UTC)
    )


@pytest.fixture
def manager_client(client, march):
    client.force_login(march.manager)
    return client


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("role", [Role.END_USER, Role.RESOLVER, Role.FIRST_LINE, Role.CHANGE_MANAGER])
def test_nobody_but_managers_and_admins_sees_a_report_or_its_export(client, api_for, snapshot, role):
    user = UserFactory(role=role)
    client.force_login(user)
    counts = (MonthlySnapshot.objects.count(), MonthlyReportSubscription.objects.count())

    pages = [
        "/console/reports/",
        "/console/reports/?month=2026-03",
        "/console/reports/contacts/?month=2026-03",
        "/console/reports/outages/?month=2026-03",
        "/console/reports/2026-03/kpis.csv",
        "/console/reports/2026-03/all.xlsx",
        "/console/reports/2026-03/report.pdf",
        "/console/reports/contacts.csv?month=2026-03",
        "/console/reports/outages.xlsx?month=2026-03",
    ]
    for page in pages:
        response = client.get(page)
        if role == Role.END_USER:  # end users are sent to the portal from every console page
            assert (response.status_code, response["Location"]) == (302, "/portal/"), page
        else:
            assert response.status_code == 404, page
    assert client.post("/console/reports/recompute/", {"month": "2026-03"}).status_code == 404
    assert client.post("/console/reports/subscription/", {"subscribed": "1"}).status_code == 404
    api = api_for(user)
    assert api.get("/api/reports/monthly/2026-03/").status_code == 404
    assert api.post("/api/reports/monthly/2026-03/recompute/").status_code == 404
    assert (MonthlySnapshot.objects.count(), MonthlyReportSubscription.objects.count()) == counts


def test_an_admin_sees_the_reports(client, snapshot):
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get("/console/reports/?month=2026-03").status_code == 200


@pytest.mark.parametrize("month", ["2026-13", "0001-01", "2026-00", "26-03", "march", "2999-01"])
def test_a_bad_month_is_400_with_a_message_and_changes_nothing(manager_client, api_for, march, month):
    count = MonthlySnapshot.objects.count()

    page = manager_client.get("/console/reports/", {"month": month})
    api = api_for(march.manager).get(f"/api/reports/monthly/{month}/")
    recompute = api_for(march.manager).post(f"/api/reports/monthly/{month}/recompute/")
    form = manager_client.post("/console/reports/recompute/", {"month": month})

    assert page.status_code == api.status_code == recompute.status_code == form.status_code == 400
    assert api.json()["month"]  # the field's message
    assert MonthlySnapshot.objects.count() == count


def test_a_month_after_the_current_one_is_refused(api_for, march):
    response = api_for(march.manager).get("/api/reports/monthly/2027-01/")
    assert response.status_code == 400
    assert "not begun" in response.json()["detail"]


def test_the_api_returns_the_newest_snapshot_with_each_kpi_judged_and_lists_the_others(
    api_for, march, snapshot
):
    newer = services.snapshot_create(
        month=MARCH, trigger=Trigger.MANAGER, now=datetime(2026, 4, 3, tzinfo=UTC)
    )

    body = api_for(march.manager).get("/api/reports/monthly/2026-03/").json()

    assert body["report"]["id"] == newer.pk
    assert body["report"]["month"] == "2026-03"
    assert body["report"]["figures"]["inquiries"]["total"] == 5
    kpis = {k["key"]: k for k in body["report"]["kpis"]}
    assert kpis["first_line_resolution"]["value"] == pytest.approx(0.5)
    assert kpis["first_line_resolution"]["met"] is False
    assert [s["id"] for s in body["snapshots"]] == [newer.pk, snapshot.pk]
    older = api_for(march.manager).get("/api/reports/monthly/2026-03/", {"snapshot": snapshot.pk}).json()
    assert older["report"]["id"] == snapshot.pk


def test_a_month_without_a_snapshot_is_404_in_the_api(api_for, march):
    assert api_for(march.manager).get("/api/reports/monthly/2026-02/").status_code == 404


def test_a_manager_recomputes_a_month_into_a_new_snapshot(
    api_for, march, snapshot, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from servicedesk.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = api_for(march.manager).post("/api/reports/monthly/2026-03/recompute/")
    finally:
        app.conf.task_always_eager = False

    assert response.status_code == 202
    snapshots = list(MonthlySnapshot.objects.filter(month=MARCH.first_day).order_by("id"))
    assert len(snapshots) == 2 and snapshots[0].pk == snapshot.pk
    assert snapshots[1].trigger == Trigger.MANAGER and snapshots[1].requested_by == march.manager
    assert snapshots[1].figures == snapshot.figures


def test_the_dashboard_shows_each_kpi_against_its_target_in_words_not_colour_alone(
    manager_client, march, snapshot
):
    page = manager_client.get("/console/reports/", {"month": "2026-03"}).content.decode()

    assert "✓ Met" in page and "✗ Missed" in page
    assert 'id="report-chart-data"' in page and "<script>" not in page.replace(
        '<script id="report-chart-data" type="application/json">', ""
    )
    assert "vendor/chartjs/chart.umd.min.js" in page
    # drill-downs: the ticket list with the same filter, the contacts, the outages
    assert "first_line=true" in page and "resolution_sla=breached" in page
    assert "/console/reports/contacts/?month=2026-03" in page
    assert "/console/reports/outages/?month=2026-03" in page
    assert f"service={march.epr.pk}" in page and f"trust={march.bergen.pk}" in page  # breakdown rows


def test_the_dashboard_runs_a_constant_number_of_queries(manager_client, march, snapshot):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get("/console/reports/", {"month": "2026-03"}).status_code == 200
        return len(captured)

    before = queries()
    for month in range(4, 12):  # more months of history, more snapshots, more groups' figures
        services.snapshot_create(
            month=Month(2026, month), trigger=Trigger.DEMO, now=datetime(2026, 12, 1, 12, tzinfo=UTC)
        )
    services.snapshot_create(month=MARCH, trigger=Trigger.MANAGER, now=datetime(2026, 4, 5, tzinfo=UTC))
    assert queries() == before


def test_drill_down_pages_and_exports_run_a_constant_number_of_queries(manager_client, march, snapshot):
    from contacts.models import ContactQueue
    from tests.reports.conftest import contact, utc

    urls = [
        "/console/reports/contacts/?month=2026-03",
        "/console/reports/outages/?month=2026-03",
        "/console/reports/contacts.csv?month=2026-03",
        "/console/reports/contacts.xlsx?month=2026-03",
        "/console/reports/outages.csv?month=2026-03",
        "/console/reports/outages.xlsx?month=2026-03",
        "/console/reports/2026-03/all.xlsx",
        "/console/reports/2026-03/group.csv",
        "/console/reports/2026-03/report.pdf",
    ]

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = manager_client.get(url)
            assert response.status_code == 200, url
            _content(response)
        return len(captured)

    before = {url: queries(url) for url in urls}
    queue = ContactQueue.objects.get()
    for i in range(30):
        contact(queue, f"X{i}", utc(2026, 3, 20, 9, i), answered=i)
    assert {url: queries(url) for url in urls} == before


def test_the_xlsx_export_holds_the_figures(manager_client, snapshot):
    response = manager_client.get("/console/reports/2026-03/all.xlsx", {"snapshot": snapshot.pk})

    workbook = load_workbook(io.BytesIO(_content(response)), read_only=True)
    kpis = {row[0]: row[1:] for row in workbook["KPIs against targets"].iter_rows(values_only=True)}
    assert kpis["First-line resolution (%)"][0] == 50.0
    assert kpis["Resolved within deadline (%)"][0] == 66.7
    assert kpis["Average wait (s)"][0] == 60.0
    volumes = {row[0]: row[1] for row in workbook["Volumes"].iter_rows(values_only=True)}
    assert volumes["Inquiries"] == 5 and volumes["Serious incidents"] == 1


def test_the_pdf_holds_the_figures(manager_client, snapshot):
    response = manager_client.get("/console/reports/2026-03/report.pdf")

    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Monthly service-desk report 2026-03" in text
    assert "First-line resolution (%)" in text and "50" in text
    assert "66.7" in text  # within deadline
    assert "99.888" in text  # EPR availability


def test_csv_exports_never_start_a_cell_with_a_formula_in_either_separator_convention(
    manager_client, march, snapshot
):
    from reports.exports import safe_cell

    for evil in ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "a,=1", "a;=1", "a; @x"]:
        text = str(safe_cell(evil))
        for separator in (",", ";"):
            for part in text.split(separator):
                assert not part.strip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), (evil, part)
    assert safe_cell(-5) == -5  # numbers stay numbers

    march.centre.name = '=HYPERLINK("http://evil";"x")'
    march.centre.save()
    services.snapshot_create(month=MARCH, trigger=Trigger.MANAGER, now=datetime(2026, 4, 3, tzinfo=UTC))
    raw = _content(manager_client.get("/console/reports/2026-03/group.csv")).decode("utf-8-sig")
    for separator in (",", ";"):
        for row in csv.reader(io.StringIO(raw), delimiter=separator):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_a_manager_opts_in_to_the_monthly_email(manager_client, march):
    manager_client.post("/console/reports/subscription/", {"subscribed": "1"})
    assert MonthlyReportSubscription.objects.filter(user=march.manager).exists()
    manager_client.post("/console/reports/subscription/", {"subscribed": "0"})
    assert not MonthlyReportSubscription.objects.filter(user=march.manager).exists()


def test_the_outage_export_lists_the_months_outages(manager_client, march, snapshot):
    from sla.models import Outage

    start, end = MARCH.bounds()  # the Oslo month: an outage at 22:50 UTC on 28 February is in it
    expected = Outage.objects.filter(started_at__lt=end).exclude(ended_at__lte=start)
    assert expected.count() >= 4  # the March fixture's outages

    csv_rows = list(csv.reader(io.StringIO(_content(manager_client.get(
        "/console/reports/outages.csv", {"month": "2026-03"})).decode("utf-8-sig"))))
    workbook = load_workbook(io.BytesIO(_content(manager_client.get(
        "/console/reports/outages.xlsx", {"month": "2026-03"}))), read_only=True)
    sheet_rows = list(workbook.worksheets[0].iter_rows(values_only=True))

    assert csv_rows[0][:2] == ["service", "started"] and sheet_rows[0][:2] == ("service", "started")
    assert sorted(row[0] for row in csv_rows[1:]) == sorted(o.service.name for o in expected)
    assert len(sheet_rows) - 1 == expected.count()
