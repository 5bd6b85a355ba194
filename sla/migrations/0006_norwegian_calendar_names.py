"""Name the seeded office-hours calendar and its exceptions in Norwegian, as the department does.

Only rows that still carry the seeded English text are renamed; an admin's own names are kept.
"""

from __future__ import annotations

from django.db import migrations

CALENDARS = {"Office hours": "Kontortid"}
EXCEPTION_NOTES = {"Christmas Eve": "Julaften", "New Year's Eve": "Nyttårsaften"}


def rename(apps, schema_editor, calendars=CALENDARS, notes=EXCEPTION_NOTES):  # type: ignore[no-untyped-def]
    Calendar = apps.get_model("sla", "Calendar")
    CalendarException = apps.get_model("sla", "CalendarException")
    for old, new in calendars.items():
        if not Calendar.objects.filter(name=new).exists():
            Calendar.objects.filter(name=old).update(name=new)
    for old, new in notes.items():
        CalendarException.objects.filter(note=old).update(note=new)


def rename_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    rename(
        apps,
        schema_editor,
        calendars={new: old for old, new in CALENDARS.items()},
        notes={new: old for old, new in EXCEPTION_NOTES.items()},
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_outage")]

    operations = [migrations.RunPython(rename, rename_back)]
