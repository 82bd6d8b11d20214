"""Seed the five delivery modes; on PostgreSQL add the GIN index for full-text search."""

from django.db import migrations

MODES = ["api", "dataset", "verification", "model", "report"]


def seed_modes(apps, schema_editor):
    DeliveryMode = apps.get_model("catalog", "DeliveryMode")
    for code in MODES:
        DeliveryMode.objects.get_or_create(code=code)


def unseed_modes(apps, schema_editor):
    apps.get_model("catalog", "DeliveryMode").objects.filter(code__in=MODES).delete()


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS product_search_vector_gin ON catalog_product USING gin (search_vector)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS product_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(seed_modes, unseed_modes),
        migrations.RunPython(add_search_index, drop_search_index),
    ]
