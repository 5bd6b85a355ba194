"""Log a call's possible duplicates: trigram similarity of titles (PostgreSQL's pg_trgm, a trusted
extension the database owner may create; nothing on SQLite) and an index on one service's tickets
by time, so the candidates are only the last hours' rows of that service."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("incidents", "0009_report_indexes")]

    operations = [
        TrigramExtension(),  # no-op on other databases
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["service", "-created_at"], name="ticket_service_created_idx"),
        ),
    ]
