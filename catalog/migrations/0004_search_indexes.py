"""Indexes for the catalog search filters (bench/catalog_search.py, docs/benchmarks.md).

- section alone: the existing (status, section) index cannot seek on the section;
- delivery mode → products: the filter reads (mode, product) pairs from the index alone;
- listed listings by product, with the listing date: the join to listed products and the
  "newest" ordering read the index alone (PostgreSQL; SQLite gets the plain partial index).
"""

from django.db import migrations

SECTION_INDEX = "product_section_idx"
MODE_INDEX = "product_modes_mode_product_idx"
LISTED_INDEX = "listing_listed_product_idx"


def add_indexes(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {SECTION_INDEX} ON catalog_product (section)")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {MODE_INDEX} ON catalog_product_delivery_modes (deliverymode_id, product_id)"
    )
    include = " INCLUDE (listed_at)" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {LISTED_INDEX} ON catalog_listing (product_id){include} WHERE status = 'listed'"
    )


def drop_indexes(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {SECTION_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {MODE_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {LISTED_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_interop")]

    operations = [migrations.RunPython(add_indexes, drop_indexes)]
