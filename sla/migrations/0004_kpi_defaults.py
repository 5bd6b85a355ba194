"""Seed the department's service-level targets (DESIGN.md, KPI definitions); editable in admin."""

from __future__ import annotations

from django.db import migrations

TARGETS = [
    ("average_wait_seconds", 60, "Average wait in the customer centre, seconds (at most)"),
    ("first_line_resolution", 0.65, "Share of resolved tickets resolved at first line (at least)"),
    ("resolved_within_deadline", 0.90, "Share of resolved tickets whose resolution clock was met (at least)"),
    ("availability", 0.999, "Availability of tier-1 services without unplanned downtime (at least)"),
    ("failed_change_share", 0.01, "Failed or backed-out share of implemented changes (at most)"),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    KpiTarget = apps.get_model("sla", "KpiTarget")
    for key, value, description in TARGETS:
        KpiTarget.objects.get_or_create(key=key, defaults={"value": value, "description": description})


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_kpitarget")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
