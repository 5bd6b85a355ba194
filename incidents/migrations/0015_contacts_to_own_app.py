"""The contact models leave incidents for the contacts app (state only: the tables stay)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0002_contact_in_contacts_app'),
        ('contacts', '0001_initial'),
        ('incidents', '0014_time_left_index'),
    ]

    operations = [
        # State only: the tables keep their names (db_table), so no row is copied or moved.
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.RemoveIndex(
            model_name='contact',
            name='contact_queue_time_idx',
        ),
        migrations.RemoveIndex(
            model_name='contact',
            name='contact_waiting_idx',
        ),
        migrations.RemoveIndex(
            model_name='contact',
            name='contact_offered_idx',
        ),
        migrations.RemoveConstraint(
            model_name='contact',
            name='contact_answered_after_offered',
        ),
        migrations.RemoveConstraint(
            model_name='contact',
            name='contact_abandoned_after_offered',
        ),
        migrations.RemoveConstraint(
            model_name='contact',
            name='contact_answered_or_abandoned',
        ),
        migrations.RemoveField(
            model_name='contact',
            name='agent',
        ),
        migrations.RemoveField(
            model_name='contact',
            name='caller',
        ),
        migrations.RemoveField(
            model_name='contact',
            name='queue',
        ),
        migrations.RemoveField(
            model_name='contact',
            name='tickets',
        ),
        migrations.DeleteModel(
            name='ContactQueue',
        ),
        migrations.DeleteModel(
            name='Contact',
        ),
            ],
        ),
    ]
