"""The demo's change management: Christmas and Easter freezes, and changes whose risk answers,
services and implementer groups fit what they touch."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db.models import Q

from changes import selectors
from changes.demo import CORE_SWITCH, seed_freeze_windows
from changes.models import SCHEDULED_STATES, Change, ChangeType, FreezeWindow, Risk, State
from servicedesk.management.commands.demo_data import generate
from servicedesk.models import User

from .helpers import OSLO

pytestmark = pytest.mark.django_db

TIER_1_QUESTION = 1  # position of "Does the change affect a tier-1 service …?"


@pytest.fixture
def seeded(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate(tickets=0, users=40)


def test_the_freezes_cover_christmas_and_easter():
    windows = {window.name: window for window in seed_freeze_windows(datetime(2026, 12, 2, 12, tzinfo=UTC))}

    christmas, easter = windows["Julefrys 2026"], windows["Påskefrys 2027"]
    assert christmas.start.astimezone(OSLO).date() == date(2026, 12, 18)
    assert christmas.end.astimezone(OSLO).date() == date(2027, 1, 3)
    # Easter Sunday 2027 is 28 March: from the Wednesday before to the end of Easter Monday.
    assert (easter.start.astimezone(OSLO).date(), easter.end.astimezone(OSLO).date()) == (
        date(2027, 3, 24),
        date(2027, 3, 30),
    )
    assert not christmas.services.exists()  # every service
    assert len(seed_freeze_windows(datetime(2026, 12, 2, 12, tzinfo=UTC))) == 4
    assert FreezeWindow.objects.count() == 4  # idempotent


def test_demo_changes_are_implemented_by_the_team_that_owns_what_they_touch(seeded):
    changes = list(
        Change.objects.filter(planned_start__isnull=False, risk__gt="").prefetch_related("services")
    )
    assert len(changes) >= 4
    for change in changes:
        owners = {service.owner_group_id for service in change.services.all()}
        assert change.implementer_group_id in owners, change.title
        tier_1 = any(service.tier == 1 for service in change.services.all())
        answer = change.risk_answers.get(question__position=TIER_1_QUESTION).answer
        assert answer == tier_1, change.title


def test_the_core_switch_change_is_not_low_risk_and_waits_for_cab1(seeded):
    switch = Change.objects.get(title=CORE_SWITCH.title)

    assert [service.name for service in switch.services.all()] == ["Fysisk nettverk"]
    assert switch.implementer_group.name == "Nettverk"
    assert switch.risk != Risk.LOW and switch.state == State.AWAITING_APPROVAL
    assert switch in selectors.awaiting_vote_of(User.objects.get(username="cab1"))


def test_no_normal_change_is_scheduled_in_a_freeze_and_two_conflict(seeded):
    scheduled = Change.objects.filter(state__in=SCHEDULED_STATES, change_type=ChangeType.NORMAL)
    for window in FreezeWindow.objects.all():
        assert not scheduled.filter(
            Q(planned_start__lt=window.end) & Q(planned_end__gt=window.start)
        ).exists()
    assert sum(1 for change in scheduled if selectors.change_conflicts(change)) == 2
