"""Seed an office-hours calendar, a 24/7 calendar and the standard SLA policy (editable in admin).

Targets (business seconds; a business day is 08:00–15:30 = 7.5 h = 27,000 s):
P1 15 min / 4 h on 24/7; P2 1 h / 8 business hours; P3 4 business hours / 3 business days;
P4 1 business day / 10 business days.
"""

from __future__ import annotations

import datetime as dt

from django.db import migrations

HOUR = 3600
DAY = 27_000  # one business day of the office calendar

TARGETS = {
    # priority: (response, resolution, calendar)
    1: (15 * 60, 4 * HOUR, "24/7"),
    2: (1 * HOUR, 8 * HOUR, "Office hours"),
    3: (4 * HOUR, 3 * DAY, "Office hours"),
    4: (1 * DAY, 10 * DAY, "Office hours"),
}


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Calendar = apps.get_model("sla", "Calendar")
    WorkingInterval = apps.get_model("sla", "WorkingInterval")
    CalendarException = apps.get_model("sla", "CalendarException")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")

    office, _ = Calendar.objects.get_or_create(
        name="Kontortid", defaults={"timezone": "Europe/Oslo", "holiday_country": "NO"}
    )
    if not office.intervals.exists():
        WorkingInterval.objects.bulk_create(
            WorkingInterval(calendar=office, weekday=day, start=dt.time(8), end=dt.time(15, 30))
            for day in range(5)
        )
    for year in range(2024, 2031):
        # Christmas Eve and New Year's Eve: open in the morning only.
        for month, day, note in ((12, 24, "Christmas Eve"), (12, 31, "New Year's Eve")):
            if dt.date(year, month, day).weekday() >= 5:
                continue  # a weekend day is closed anyway
            CalendarException.objects.get_or_create(
                calendar=office,
                date=dt.date(year, month, day),
                defaults={"opens": dt.time(8), "closes": dt.time(12), "note": note},
            )
    always, _ = Calendar.objects.get_or_create(
        name="24/7", defaults={"timezone": "Europe/Oslo", "always_open": True, "holiday_country": ""}
    )
    calendars = {"Office hours": office, "24/7": always}
    policy, created = SlaPolicy.objects.get_or_create(
        name="Standard",
        defaults={"precedence": 1000, "warning_fractions": [0.75, 0.9]},
    )
    if created:
        for priority, (response, resolution, calendar_name) in TARGETS.items():
            for metric, seconds in (("response", response), ("resolution", resolution)):
                SlaTarget.objects.create(
                    policy=policy,
                    priority=priority,
                    metric=metric,
                    target_seconds=seconds,
                    calendar=calendars[calendar_name],
                )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
