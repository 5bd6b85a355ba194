"""Change figures for the monthly report, from a known month, against hand-computed values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from changes.figures import change_figures, month_period, release_figures
from changes.models import ChangeType, Outcome, State
from tests.factories import TicketFactory

from .factories import ChangeFactory, ReleaseFactory
from .helpers import oslo

pytestmark = pytest.mark.django_db

MARCH = month_period(2025, 3)


def implemented(
    outcome: str, ended: object, *, change_type: str = ChangeType.NORMAL, caused: int = 0
) -> None:
    change = ChangeFactory(
        state=State.CLOSED,
        change_type=change_type,
        outcome=outcome,
        actual_start=ended - timedelta(hours=1),
        actual_end=ended,
    )
    change.caused_incidents.add(*TicketFactory.create_batch(caused))


def test_march_is_the_oslo_month():
    # Oslo is UTC+1 until the last Sunday of March (30 March 2025), then UTC+2.
    assert [instant.isoformat() for instant in MARCH] == [
        "2025-02-28T23:00:00+00:00",
        "2025-03-31T22:00:00+00:00",
    ]


def test_failed_share_and_the_other_change_figures_equal_the_hand_computed_values():
    implemented(
        Outcome.SUCCESSFUL, oslo(date(2025, 3, 1), 0, 30)
    )  # 1: in March in Oslo (still February in UTC)
    implemented(Outcome.SUCCESSFUL, oslo(date(2025, 3, 10), 21))  # 2
    implemented(Outcome.SUCCESSFUL, oslo(date(2025, 3, 12), 21))  # 3
    implemented(Outcome.FAILED, oslo(date(2025, 3, 15), 22), caused=1)  # 4: failed, caused an incident
    implemented(Outcome.BACKED_OUT, oslo(date(2025, 3, 20), 23), change_type=ChangeType.EMERGENCY)  # 5
    implemented(Outcome.SUCCESSFUL_WITH_ISSUES, oslo(date(2025, 3, 31), 23, 30), caused=2)  # 6: two incidents
    # Not implemented in March:
    implemented(Outcome.FAILED, oslo(date(2025, 4, 1), 0, 30))  # April in Oslo (still March in UTC)
    implemented(Outcome.SUCCESSFUL, oslo(date(2025, 2, 28), 23, 30))  # February
    ChangeFactory(state=State.IMPLEMENTING, actual_start=oslo(date(2025, 3, 5), 20))  # no outcome yet
    ChangeFactory(state=State.CANCELLED)

    figures = change_figures(*MARCH)

    # implemented = changes 1–6 = 6
    # failed = 4 (failed) + 5 (backed out) = 2; failed share = 2 ÷ 6 = 0.333…
    # emergency = 5 = 1; emergency share = 1 ÷ 6 = 0.166…
    # changes that caused incidents = 4 and 6 = 2 (6 caused two incidents, counted once)
    assert (figures.implemented, figures.failed, figures.emergency, figures.caused_incidents) == (6, 2, 1, 2)
    assert figures.failed_share == pytest.approx(2 / 6)
    assert figures.emergency_share == pytest.approx(1 / 6)


def test_releases_on_plan_equal_the_hand_computed_share():
    ReleaseFactory(planned_date=date(2025, 3, 10), deployed_date=date(2025, 3, 8))  # on plan (early)
    ReleaseFactory(planned_date=date(2025, 3, 15), deployed_date=date(2025, 3, 15))  # on plan (on the day)
    ReleaseFactory(planned_date=date(2025, 3, 20), deployed_date=date(2025, 3, 22))  # late
    ReleaseFactory(planned_date=date(2025, 3, 31), deployed_date=date(2025, 3, 31))  # on plan (last day)
    ReleaseFactory(planned_date=date(2025, 2, 25), deployed_date=date(2025, 3, 1))  # late, deployed in March
    ReleaseFactory(planned_date=date(2025, 3, 30), deployed_date=date(2025, 4, 1))  # deployed in April
    ReleaseFactory(planned_date=date(2025, 3, 5), deployed_date=None)  # not deployed
    ReleaseFactory(planned_date=date(2025, 2, 28), deployed_date=date(2025, 2, 28))  # February

    figures = release_figures(*MARCH)

    # deployed in March = 5 (8, 15, 22, 31 March and 1 March); on plan = 3 → 3 ÷ 5 = 0.6
    assert (figures.deployed, figures.on_plan) == (5, 3)
    assert figures.on_plan_share == pytest.approx(0.6)


def test_a_month_without_implemented_changes_or_releases_has_no_shares():
    assert change_figures(*MARCH).failed_share is None
    assert release_figures(*MARCH).on_plan_share is None
