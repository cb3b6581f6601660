from django.db import migrations

from requirements.defaults import ensure_default_follow_up_methods


def seed(apps, schema_editor):
    ensure_default_follow_up_methods(apps)


class Migration(migrations.Migration):
    dependencies = [("requirements", "0003_focus_areas")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
