"""Planned outages of scheduled changes become sla.Outage rows (changes.PlannedOutage goes next):
one source of truth for every outage."""

from django.db import migrations
from django.db.models import F


def copy(apps, schema_editor):
    PlannedOutage = apps.get_model("changes", "PlannedOutage")
    Outage = apps.get_model("sla", "Outage")
    OutageEvent = apps.get_model("sla", "OutageEvent")
    rows = PlannedOutage.objects.annotate(created=F("change__updated_at")).order_by("id")
    for row in rows.iterator(chunk_size=1000):
        outage = Outage.objects.create(
            service_id=row.service_id,
            started_at=row.start,
            ended_at=row.end,
            planned=True,
            cause="change",
            change_id=row.change_id,
            created_at=row.created,
            updated_at=row.created,
        )
        OutageEvent.objects.create(
            outage=outage,
            action="created",
            details={"cause": "change", "planned": True, "change": row.change_id, "migrated": True},
            created_at=row.created,
        )


def copy_back(apps, schema_editor):
    PlannedOutage = apps.get_model("changes", "PlannedOutage")
    Outage = apps.get_model("sla", "Outage")
    planned = Outage.objects.filter(cause="change", change__isnull=False, ended_at__gt=F("started_at"))
    PlannedOutage.objects.bulk_create(
        PlannedOutage(change_id=o.change_id, service_id=o.service_id, start=o.started_at, end=o.ended_at)
        for o in planned
    )
    Outage.objects.filter(cause="change").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0002_defaults"),
        ("sla", "0005_outage"),
    ]

    operations = [migrations.RunPython(copy, copy_back)]
