"""The full-text search vector: a stored generated column with a GIN index, PostgreSQL only.

Not a model field: SQLite (the demo's database) has no tsvector, and the search falls back to
icontains there. The column is computed by PostgreSQL from the title (weight A, ranks above
the body) and the plain text (weight B) in the 'norwegian' configuration, so it is never stale
and no code path can forget to update it. The two-argument to_tsvector is immutable, which a
generated column requires.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

ADD = """
ALTER TABLE knowledge_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('norwegian'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('norwegian'::regconfig, coalesce(plain_text, '')), 'B')
) STORED;
CREATE INDEX knowledge_article_search_idx ON knowledge_article USING gin (search_vector);
"""
DROP = """
DROP INDEX IF EXISTS knowledge_article_search_idx;
ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector;
"""


def add(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(add, drop)]
