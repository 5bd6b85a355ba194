"""Imported contacts point at the contacts app, where the Contact model now lives (same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0001_initial'),
        ('imports', '0001_initial'),
    ]

    operations = [
        # State only: the tables keep their names (db_table), so no row is copied or moved.
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.AlterField(
            model_name='importedcontact',
            name='contact',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='imported', to='contacts.contact'),
        ),
            ],
        ),
    ]
