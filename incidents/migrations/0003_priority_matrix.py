"""Seed the impact × urgency → priority matrix (editable afterwards in admin)."""

from __future__ import annotations

from django.db import migrations

# (impact, urgency) → priority; 1 = high.
MATRIX = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 4,
}


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    PriorityRule = apps.get_model("incidents", "PriorityRule")
    for (impact, urgency), priority in MATRIX.items():
        PriorityRule.objects.update_or_create(
            impact=impact, urgency=urgency, defaults={"priority": priority}
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
