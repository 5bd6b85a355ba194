"""Trigram (pg_trgm) GIN indexes for substring search, created by migrations on PostgreSQL only.

`UPPER(x) LIKE '%WORD%'` (Django's icontains, and the caller look-up) can use a GIN index of
the same expression with gin_trgm_ops: an index scan instead of reading every row. SQLite (the
demo database) has no such index type; there the migration does nothing and search scans.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def trigram_index(name: str, table: str, expression: str) -> migrations.RunPython:
    """A migration operation: CREATE INDEX name ON table USING gin (expression gin_trgm_ops)."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
        )

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(forward, backward, elidable=False)
