"""The customer centre becomes an app: its models move here from incidents, keeping their tables."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ("contact", "contactqueue")


def move_content_types(apps, schema_editor, old="incidents", new="contacts"):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    move_content_types(apps, schema_editor, old="contacts", new="incidents")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('incidents', '0014_time_left_index'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('servicedesk', '0010_person_search_trgm'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables keep their names (db_table), so no row is copied or moved.
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='ContactQueue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(help_text='As the telephony system names it.', max_length=40, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contact_queues', to='servicedesk.assignmentgroup', verbose_name='group')),
            ],
            options={
                'verbose_name': 'contact queue',
                'verbose_name_plural': 'contact queues',
                'db_table': 'incidents_contactqueue',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Contact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('external_id', models.CharField(max_length=100, unique=True, verbose_name='contact id')),
                ('channel', models.CharField(choices=[('phone', 'Phone'), ('chat', 'Chat'), ('walk_in', 'Walk-in')], default='phone', max_length=10, verbose_name='channel')),
                ('caller_number', models.CharField(blank=True, max_length=40, verbose_name="caller's number")),
                ('state', models.CharField(choices=[('offered', 'Waiting'), ('answered', 'Answered'), ('abandoned', 'Abandoned')], default='offered', max_length=10, verbose_name='state')),
                ('offered_at', models.DateTimeField(verbose_name='offered')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered')),
                ('abandoned_at', models.DateTimeField(blank=True, null=True, verbose_name='abandoned')),
                ('wait_seconds', models.FloatField(blank=True, null=True, verbose_name='wait (s)')),
                ('agent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('caller', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tickets', models.ManyToManyField(blank=True, related_name='contacts', to='incidents.ticket', verbose_name='tickets')),
                ('queue', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contacts', to='contacts.contactqueue')),
            ],
            options={
                'verbose_name': 'contact',
                'verbose_name_plural': 'contacts',
                'db_table': 'incidents_contact',
                'ordering': ['-offered_at', '-id'],
                'indexes': [models.Index(fields=['queue', 'offered_at'], name='contact_queue_time_idx'), models.Index(fields=['offered_at'], name='contact_offered_idx'), models.Index(condition=models.Q(('state', 'offered')), fields=['offered_at'], name='contact_waiting_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('answered_at__isnull', True), ('answered_at__gte', models.F('offered_at')), _connector='OR'), name='contact_answered_after_offered'), models.CheckConstraint(condition=models.Q(('abandoned_at__isnull', True), ('abandoned_at__gte', models.F('offered_at')), _connector='OR'), name='contact_abandoned_after_offered'), models.CheckConstraint(condition=models.Q(('answered_at__isnull', True), ('abandoned_at__isnull', True), _connector='OR'), name='contact_answered_or_abandoned')],
            },
        ),
            ],
        ),
        # Permissions and admin history follow the models to their new app label.
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
