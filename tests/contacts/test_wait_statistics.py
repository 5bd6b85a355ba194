"""Wait statistics from a hand-made day of contacts equal the hand-computed figures."""

from __future__ import annotations

import datetime as dt

import pytest

from contacts.models import Contact, ContactQueue
from incidents.kpi import wait_statistics, wait_statistics_by
from tests.sla.conftest import oslo

pytestmark = pytest.mark.django_db

# Monday 3 March 2025. Answered waits (s): 10, 20, 30, 45, 60, 75, 90, 120 — the 60 s one was
# offered at 23:59:30 and answered at 00:00:30 on Tuesday (it spans midnight). Abandoned after
# 30 s and 150 s. One caller is still waiting.
ANSWERED = [
    (9, 0, 10),
    (9, 5, 20),
    (9, 30, 30),
    (10, 0, 45),
    (23, 59.5, 60),
    (10, 30, 75),
    (13, 0, 90),
    (14, 0, 120),
]
ABANDONED = [(9, 10, 30), (11, 0, 150)]


def _at(hour: int, minute: float) -> dt.datetime:
    return oslo(2025, 3, 3, hour, int(minute)) + dt.timedelta(seconds=round((minute % 1) * 60))


@pytest.fixture
def day(first_line_group) -> None:
    main = ContactQueue.objects.create(code="main", name="Main number", group=first_line_group)
    chat = ContactQueue.objects.create(code="chat", name="Chat", group=first_line_group)
    for i, (hour, minute, wait) in enumerate(ANSWERED):
        offered = _at(hour, minute)
        Contact.objects.create(
            external_id=f"a{i}",
            queue=chat if i == 0 else main,
            state="answered",
            offered_at=offered,
            answered_at=offered + dt.timedelta(seconds=wait),
            wait_seconds=wait,
        )
    for i, (hour, minute, wait) in enumerate(ABANDONED):
        offered = _at(hour, minute)
        Contact.objects.create(
            external_id=f"x{i}",
            queue=main,
            state="abandoned",
            offered_at=offered,
            abandoned_at=offered + dt.timedelta(seconds=wait),
            wait_seconds=wait,
        )
    Contact.objects.create(external_id="w", queue=main, offered_at=_at(15, 0))


def test_wait_statistics_of_a_known_day(day):
    stats = wait_statistics(Contact.objects.all())

    # offered 11 = 8 answered + 2 abandoned + 1 waiting.
    assert (stats.offered, stats.answered, stats.abandoned) == (11, 8, 2)
    # mean = (10 + 20 + 30 + 45 + 60 + 75 + 90 + 120) / 8 = 450 / 8 = 56.25 s
    assert stats.mean_wait == pytest.approx(56.25)
    # continuous percentiles over the 8 sorted waits: p50 at position 0.5 × 7 = 3.5 → between
    # 45 and 60 → 52.5; p90 at 0.9 × 7 = 6.3 → 90 + 0.3 × (120 − 90) = 99.0
    assert stats.p50_wait == pytest.approx(52.5)
    assert stats.p90_wait == pytest.approx(99.0)
    # within 60 s: 10, 20, 30, 45, 60 → 5 of 8 = 62.5 %
    assert stats.within_target_share == pytest.approx(0.625)
    # abandon rate = 2 / (8 + 2) = 20 %; mean time to abandon = (30 + 150) / 2 = 90 s
    assert stats.abandon_rate == pytest.approx(0.2)
    assert stats.mean_time_to_abandon == pytest.approx(90)


def test_a_contact_that_spans_midnight_counts_on_the_day_it_came_in(day):
    by_day = wait_statistics_by(Contact.objects.all(), "day")

    assert list(by_day) == [dt.date(2025, 3, 3)]
    assert by_day[dt.date(2025, 3, 3)].answered == 8


def test_statistics_per_hour_of_day_and_per_queue(day):
    by_hour = wait_statistics_by(Contact.objects.all(), "hour")
    by_queue = wait_statistics_by(Contact.objects.all(), "queue")

    # 09:00 hour: answered 10, 20, 30 s and one abandoned → mean 20 s, abandon rate 1/4
    assert (by_hour[9].answered, by_hour[9].mean_wait, by_hour[9].abandon_rate) == (3, 20, 0.25)
    assert by_hour[23].mean_wait == 60  # the midnight caller, by the hour they called in
    # the chat queue has the 10 s one; the main number the other seven answered
    assert (by_queue["Chat"].answered, by_queue["Main number"].answered) == (1, 7)
    assert by_queue["Main number"].mean_wait == pytest.approx(440 / 7)
