"""On PostgreSQL, a GIN index (jsonb_path_ops) on dataset rows, serving the data API's column filters (@>)."""

from django.db import migrations


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS access_datasetrow_data_gin ON access_datasetrow USING gin (data jsonb_path_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS access_datasetrow_data_gin")


class Migration(migrations.Migration):
    dependencies = [("access", "0002_order_links")]

    operations = [migrations.RunPython(add_index, drop_index)]
