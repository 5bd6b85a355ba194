"""Snapshots: stored once, equal to a recomputation from the raw rows, kept when recomputed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reports import kpis, services
from reports.models import MonthlySnapshot, Trigger
from reports.months import Month
from servicedesk.models import OutboxMessage
from sla.models import KpiTarget

pytestmark = pytest.mark.django_db

MARCH = Month(2026, 3)
APRIL_2 = datetime(2026, 4, 2, 3, tzinfo=UTC)


def test_a_stored_snapshot_equals_a_recomputation_from_the_raw_rows(march):
    snapshot = services.snapshot_create(month=MARCH, trigger=Trigger.MANAGER, now=APRIL_2)

    stored = MonthlySnapshot.objects.get(pk=snapshot.pk)
    assert stored.complete
    assert stored.figures == kpis.month_figures(MARCH)
    assert stored.definitions_version == kpis.DEFINITIONS_VERSION
    assert stored.targets["first_line_resolution"] == 0.65


def test_recomputing_twice_gives_equal_figures_and_keeps_both_snapshots(march):
    first = services.snapshot_create(month=MARCH, trigger=Trigger.MANAGER, now=APRIL_2)
    second = services.snapshot_create(month=MARCH, trigger=Trigger.MANAGER, now=APRIL_2)

    assert first.pk != second.pk
    assert first.figures == second.figures
    assert MonthlySnapshot.objects.filter(month=MARCH.first_day).count() == 2


def test_a_snapshot_keeps_the_targets_in_force_when_it_was_computed(march):
    snapshot = services.snapshot_create(month=MARCH, trigger=Trigger.MANAGER, now=APRIL_2)
    KpiTarget.objects.filter(key="first_line_resolution").update(value=0.4)

    assert MonthlySnapshot.objects.get(pk=snapshot.pk).targets["first_line_resolution"] == 0.65
    assert (
        services.snapshot_create(month=MARCH, trigger=Trigger.MANAGER, now=APRIL_2).targets[
            "first_line_resolution"
        ]
        == 0.4
    )


def test_a_stored_snapshot_cannot_be_rewritten(march):
    snapshot = services.snapshot_create(month=MARCH, trigger=Trigger.MANAGER, now=APRIL_2)
    snapshot.figures = {}
    with pytest.raises(ValueError, match="immutable"):
        snapshot.save()


def test_the_scheduled_run_writes_one_snapshot_and_one_email_however_often_it_runs(march):
    first = services.snapshot_previous_month(now=APRIL_2)
    again = services.snapshot_previous_month(now=APRIL_2)

    assert first is not None and first.month == MARCH.first_day and first.complete
    assert again is None
    assert list(OutboxMessage.objects.filter(kind="reports.monthly").values_list("payload", flat=True)) == [
        {"snapshot": first.pk}
    ]


def test_the_nightly_run_computes_the_month_to_date_without_an_email(march):
    snapshot = services.snapshot_month_to_date(now=datetime(2026, 3, 11, 1, tzinfo=UTC))

    assert snapshot is not None and not snapshot.complete
    assert snapshot.figures["inquiries"]["total"] == 3
    assert not OutboxMessage.objects.filter(kind="reports.monthly").exists()


def test_opted_in_managers_get_the_months_report_by_email_with_the_pdf(march, mailoutbox):
    from reports.models import MonthlyReportSubscription
    from servicedesk.outbox import dispatch_pending
    from tests.factories import UserFactory

    MonthlyReportSubscription.objects.create(user=march.manager, created_at=APRIL_2)
    UserFactory(role="manager", email="not-subscribed@example.org")
    snapshot = services.snapshot_previous_month(now=APRIL_2)

    assert dispatch_pending() == 1

    (email,) = mailoutbox
    assert email.subject == "Monthly service-desk report 2026-03"
    assert email.to == [march.manager.email]
    assert "First-line resolution (%): 50.0" in email.body
    (name, content, mimetype) = email.attachments[0]
    assert (name, mimetype) == ("service-desk-report-2026-03.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert snapshot is not None
