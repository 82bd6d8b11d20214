"""On PostgreSQL the audit table refuses UPDATE and DELETE: entries are only ever appended."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accounts_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused on accounts_auditentry', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_refuse_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_roles")]

    operations = [migrations.RunPython(create, drop)]
