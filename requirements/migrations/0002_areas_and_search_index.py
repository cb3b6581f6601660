"""The areas of application a framework file may name, and the GIN index
for Swedish full-text search (PostgreSQL only; SQLite searches without it)."""

from django.db import migrations

from requirements.defaults import ensure_default_areas


def add_areas(apps, schema_editor):
    ensure_default_areas(apps)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS requirement_search_gin ON requirements_requirement USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS requirement_search_gin")


class Migration(migrations.Migration):
    dependencies = [("requirements", "0001_initial")]

    operations = [
        migrations.RunPython(add_areas, migrations.RunPython.noop),
        migrations.RunPython(add_index, drop_index),
    ]
