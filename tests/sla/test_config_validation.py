"""Bad SLA configuration is refused with a message, never a crash or an endless loop."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sla.models import Calendar, SlaPolicy, SlaTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    admin = django_user_model.objects.create_superuser(
        "root", "root@example.org", "pw", preferred_language="en"
    )
    client.force_login(admin)
    return client


def _calendar_form(name: str, timezone: str, intervals: list[tuple[int, str, str]]) -> dict[str, str]:
    data = {
        "name": name,
        "timezone": timezone,
        "holiday_country": "NO",
        "intervals-TOTAL_FORMS": str(len(intervals)),
        "intervals-INITIAL_FORMS": "0",
        "exceptions-TOTAL_FORMS": "0",
        "exceptions-INITIAL_FORMS": "0",
    }
    for i, (weekday, start, end) in enumerate(intervals):
        data.update(
            {f"intervals-{i}-weekday": str(weekday), f"intervals-{i}-start": start, f"intervals-{i}-end": end}
        )
    return data


@pytest.mark.parametrize(
    ("timezone", "intervals", "message"),
    [
        ("Europe/Atlantis", [(0, "08:00", "16:00")], "Unknown time zone"),
        ("Europe/Oslo", [(0, "08:00", "12:00"), (0, "11:00", "15:00")], "overlap"),
        ("Europe/Oslo", [(0, "16:00", "08:00")], "end after it starts"),
        ("Europe/Oslo", [], "no working time"),
    ],
    ids=["unknown time zone", "overlapping intervals", "inverted interval", "no working time at all"],
)
def test_bad_calendar_is_refused_in_admin_with_a_message(
    admin_client_logged_in, timezone, intervals, message
):
    response = admin_client_logged_in.post(
        "/admin/sla/calendar/add/", _calendar_form("Broken", timezone, intervals)
    )

    assert response.status_code == 200  # the form again, with its errors
    assert message.lower() in response.content.decode().lower()
    assert not Calendar.objects.filter(name="Broken").exists()


def test_good_calendar_is_saved_in_admin(admin_client_logged_in):
    response = admin_client_logged_in.post(
        "/admin/sla/calendar/add/", _calendar_form("Lab", "Europe/Oslo", [(0, "07:00", "15:00")])
    )

    assert response.status_code == 302
    assert Calendar.objects.get(name="Lab").intervals.count() == 1


@pytest.mark.parametrize("seconds", [0, -60])
def test_zero_or_negative_target_is_refused(seconds):
    target = SlaTarget(
        policy=SlaPolicy.objects.get(name="Standard"),
        priority=4,
        metric="response",
        target_seconds=seconds,
        calendar=Calendar.objects.get(name="Kontortid"),
    )

    with pytest.raises(ValidationError) as error:
        target.full_clean()

    assert "target_seconds" in error.value.message_dict


@pytest.mark.parametrize("fractions", [[1.5], [0], ["a"], {"x": 1}])
def test_warning_fractions_must_be_between_zero_and_one(fractions):
    policy = SlaPolicy(name="Odd", precedence=5, warning_fractions=fractions)

    with pytest.raises(ValidationError) as error:
        policy.full_clean()

    assert "warning_fractions" in error.value.message_dict
