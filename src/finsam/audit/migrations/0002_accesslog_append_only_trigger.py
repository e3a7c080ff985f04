"""On PostgreSQL the database itself refuses to change or delete access-log rows, so that not even
a bug or an injected query through the application's connection can rewrite the log. Row
triggers leave TRUNCATE alone, which only the table's owner may run (and Django's test flush
uses). SQLite has no such protection; the model refuses there (audit/models.py). Nothing in the
application deletes log rows: it is kept (docs/privacy.md)."""

from django.db import migrations

# One statement per execute: a driver need not accept several in one call.
CREATE = [
    """CREATE FUNCTION audit_accesslog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_accesslog is append-only: % refused', TG_OP;
END
$$""",
    """CREATE TRIGGER audit_accesslog_append_only BEFORE UPDATE OR DELETE ON audit_accesslog
    FOR EACH ROW EXECUTE FUNCTION audit_accesslog_append_only()""",
]
DROP = [
    "DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog",
    "DROP FUNCTION IF EXISTS audit_accesslog_append_only()",
]


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
