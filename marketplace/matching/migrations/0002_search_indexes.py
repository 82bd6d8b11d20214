"""On PostgreSQL, GIN indexes over the words of demands and of listed products (bench/matching.py).

- demands: a newly listed product finds the open demands sharing its words;
- product vectors: a new demand finds its candidate products in a narrow table, purposes included.
"""

from django.db import migrations

INDEXES = {
    "demand_search_vector_gin": "matching_demand",
    "productvector_search_vector_gin": "matching_productvector",
}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_vector)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(add_indexes, drop_indexes)]
