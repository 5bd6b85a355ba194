"""The database cache table (sign-in throttling state when there is no Redis), created by every
`migrate` so that no deployment or benchmark forgets `createcachetable`. With a Redis cache
configured the command creates nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0007_api_tokens")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
