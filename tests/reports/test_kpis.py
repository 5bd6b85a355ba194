"""Every KPI of the monthly report from the hand-made March 2026 in conftest.py, computed by hand.

March 2026 in Oslo runs from 28 Feb 23:00 UTC (CET, +1) to 31 Mar 22:00 UTC (CEST, +2 since the
29th): 743 hours.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reports import kpis
from reports.months import Month

pytestmark = pytest.mark.django_db

MARCH = Month(2026, 3)


@pytest.fixture
def figures(march):
    return kpis.month_figures(MARCH)


def test_the_month_runs_from_oslo_midnight_to_oslo_midnight_across_the_dst_change():
    start, end = MARCH.bounds()
    assert start == datetime(2026, 2, 28, 23, tzinfo=UTC)  # CET: midnight is 23:00 UTC
    assert end == datetime(2026, 3, 31, 22, tzinfo=UTC)  # CEST: midnight is 22:00 UTC
    assert (end - start).total_seconds() == 743 * 3600


def test_inquiries_count_tickets_created_in_the_oslo_month(figures):
    # T1, T2, T4 (23:30 UTC on 28 Feb = 1 March in Oslo), T5, T6; not T3 (1 April in Oslo), not T7.
    inquiries = figures["inquiries"]
    assert inquiries["total"] == 5
    assert inquiries["by_kind"] == {"incident": 4, "request": 1}
    assert inquiries["by_channel"] == {"phone": 3, "email": 1, "portal": 1}
    # Bergen: T1, T4, T5; Stavanger: T2, T6.
    assert [(r["name"], r["count"]) for r in inquiries["by_trust"]] == [
        ("Helse Bergen", 3),
        ("Helse Stavanger", 2),
    ]
    # Services: EPR T1, T5; E-mail T2; none T4, T6 (the empty group last).
    assert [(r["name"], r["count"]) for r in inquiries["by_service"]] == [
        ("E-mail", 1),
        ("EPR", 2),
        (None, 2),
    ]
    assert [(r["name"], r["count"]) for r in inquiries["by_group"]] == [
        ("Customer centre", 4),
        ("Network", 1),
    ]


def test_access_orders_are_requests_whose_catalogue_item_is_in_the_access_category(figures):
    assert figures["access_orders"]["total"] == 1  # T4, item under Tilgang / Ny tilgang
    assert figures["access_orders"]["by_trust"][0]["name"] == "Helse Bergen"


def test_average_wait_is_over_answered_contacts_offered_in_the_oslo_month(figures):
    waits = figures["waits"]
    # C1 30 s, C2 90 s, C5 60 s (23:10 UTC on 28 Feb = 1 March); C3 abandoned; C4 is April.
    assert waits["offered"] == 4
    assert waits["answered"] == 3
    assert waits["mean_wait"] == pytest.approx((30 + 90 + 60) / 3)  # 60.0
    assert waits["answered_within_target"] == 2  # 30 s and 60 s are within 60 s
    assert waits["abandoned"] == 1
    assert waits["abandon_rate"] == pytest.approx(1 / 4)
    assert waits["mean_time_to_abandon"] == pytest.approx(20)
    # Oslo hours: C5 at 00:10, C1 and C2 at 09:00/09:10, C3 at 14:00.
    by_hour = {row["hour"]: (row["offered"], row["mean_wait"]) for row in waits["by_hour"]}
    assert by_hour == {0: (1, 60.0), 9: (2, 60.0), 14: (1, None)}


def test_first_line_resolution_counts_tickets_resolved_in_the_month(figures):
    flr = figures["first_line_resolution"]
    # Resolved in March: T1, T2, T4, T6 (T7 at 22:15 UTC on 31 March is April in Oslo).
    # At first line: T1 and T6; not T2 (second line), not T4 (reopened within 7 days).
    assert (flr["resolved"], flr["at_first_line"]) == (4, 2)
    assert flr["rate"] == pytest.approx(0.5)
    by_trust = {r["name"]: (r["resolved"], r["at_first_line"]) for r in flr["by_trust"]}
    assert by_trust == {"Helse Bergen": (2, 1), "Helse Stavanger": (2, 1)}


def test_within_deadline_is_met_resolution_clocks_over_resolved_tickets_with_one(figures):
    deadline = figures["within_deadline"]
    # T1 met, T2 breached, T4 met; T6 has no clock; T7 is an April resolution.
    assert (deadline["with_clock"], deadline["met"], deadline["breached"]) == (3, 2, 1)
    assert deadline["rate"] == pytest.approx(2 / 3)
    by_group = {r["name"]: (r["with_clock"], r["breached"]) for r in deadline["by_group"]}
    assert by_group == {"Customer centre": (2, 0), "Network": (1, 1)}


def test_changes_and_releases_count_by_oslo_time(figures):
    changes = figures["changes"]
    # CH1 successful, CH2 failed; CH3 ended 00:30 on 1 April in Oslo.
    assert (changes["implemented"], changes["failed"]) == (2, 1)
    assert changes["failed_share"] == pytest.approx(0.5)
    # R1 on plan, R2 late; R3 deployed in April.
    assert (changes["releases_deployed"], changes["releases_on_plan"]) == (2, 1)


def test_availability_merges_overlapping_unplanned_outages_of_a_tier_one_service(figures):
    availability = figures["availability"]
    # EPR (the only tier-1 service): 10:00-10:45 merged = 2,700 s, plus 5 min of an outage that
    # began in February (23:00-23:05 UTC on 28 Feb = 00:00-00:05 on 1 March) = 3,000 s; the
    # planned 2 h do not count. March has 743 h = 2,674,800 s.
    (epr,) = availability["services"]
    assert (epr["unplanned_seconds"], epr["planned_seconds"]) == (3000, 7200)
    assert epr["period_seconds"] == 2_674_800
    assert epr["availability"] == pytest.approx(1 - 3000 / 2_674_800)  # 99.888 %
    assert availability["overall"] == pytest.approx(1 - 3000 / 2_674_800)


def test_serious_incidents_and_weeks_without_one(figures):
    # T5: P1 incident on tier-1 EPR, logged Sunday 15 March (ISO week of Monday 9 March).
    # ISO weeks wholly inside March 2026 (1 March is a Sunday): 2, 9, 16 and 23 March.
    assert figures["serious_incidents"] == {"count": 1, "weeks_without": 3, "weeks": 4}


def test_satisfaction_says_no_data_rather_than_zero(figures):
    assert figures["satisfaction"] == {"answers": 0, "mean_score": None, "available": False, "by_group": []}


def test_satisfaction_is_the_mean_of_the_months_survey_answers_by_oslo_time(march):
    from portal.models import SurveyAnswer

    def answer(name: str, score: int, at: datetime, group) -> None:
        ticket = march.tickets[name]
        SurveyAnswer.objects.create(ticket=ticket, caller=ticket.caller, group=group, score=score,
                                    channel="portal", created_at=at)  # fmt: skip

    answer("T1", 6, datetime(2026, 3, 2, 9, tzinfo=UTC), march.centre)
    answer("T2", 3, datetime(2026, 3, 20, 9, tzinfo=UTC), march.network)
    answer("T4", 5, datetime(2026, 2, 28, 23, 30, tzinfo=UTC), march.centre)  # 00:30 on 1 March in Oslo
    answer("T5", 1, datetime(2026, 3, 31, 22, 30, tzinfo=UTC), march.centre)  # 1 April in Oslo: not March

    satisfaction = kpis.month_figures(MARCH)["satisfaction"]

    # March: 6, 3 and 5 → mean 14 / 3 = 4.67; the customer centre 6 and 5 (5.5), Network 3.
    assert (satisfaction["answers"], satisfaction["mean_score"], satisfaction["available"]) == (3, 4.67, True)
    assert satisfaction["by_group"] == [
        {"group": "Customer centre", "mean_score": 5.5, "answers": 2},
        {"group": "Network", "mean_score": 3.0, "answers": 1},
    ]


def test_each_kpi_is_judged_against_its_target(figures):
    judged = {k["key"]: (k["value"], k["met"]) for k in kpis.judged(figures, kpis.targets_in_force())}
    assert judged["average_wait_seconds"] == (pytest.approx(60.0), True)  # ≤ 60 s
    assert judged["first_line_resolution"] == (pytest.approx(0.5), False)  # < 65 %
    assert judged["resolved_within_deadline"] == (pytest.approx(2 / 3), False)  # < 90 %
    assert judged["failed_change_share"] == (pytest.approx(0.5), False)  # > 1 %
    assert judged["availability"] == (pytest.approx(1 - 3000 / 2_674_800), False)  # 99.888 % < 99.9 %


def test_a_month_without_data_has_no_figures_rather_than_zero_percent(march):
    figures = kpis.month_figures(Month(2025, 6))
    assert figures["inquiries"]["total"] == 0
    assert figures["waits"]["mean_wait"] is None
    assert figures["first_line_resolution"]["rate"] is None
    assert figures["within_deadline"]["rate"] is None
    assert figures["changes"]["failed_share"] is None
    assert figures["serious_incidents"]["count"] == 0
    judged = {k["key"]: k["met"] for k in kpis.judged(figures, kpis.targets_in_force())}
    # EPR existed and had no outage: 100 % available (sla/availability.py); the rest no data.
    assert figures["availability"]["overall"] == 1.0
    assert judged == {
        "average_wait_seconds": None,
        "first_line_resolution": None,
        "resolved_within_deadline": None,
        "availability": True,
        "failed_change_share": None,
    }


def test_month_to_date_counts_only_what_happened_before_now(march):
    figures = kpis.month_figures(MARCH, until=datetime(2026, 3, 11, tzinfo=UTC))
    assert figures["inquiries"]["total"] == 3  # T1, T2, T4
    assert figures["first_line_resolution"]["resolved"] == 2  # T1, T4
