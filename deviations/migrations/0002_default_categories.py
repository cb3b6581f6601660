"""A sensible default taxonomy for social services; organisations edit it."""

from django.db import migrations

from deviations.defaults import ensure_default_categories


def add(apps, schema_editor):
    ensure_default_categories(apps)


class Migration(migrations.Migration):
    dependencies = [("deviations", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
