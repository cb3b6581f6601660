"""The built-in roles every installation starts with.

Organisations rename them, change what they may do and add their own;
``is_builtin`` only records where a role came from.
"""

from django.db import migrations

from ledningssystem.builtin_roles import ensure_builtin_roles


def create_builtin_roles(apps, schema_editor):
    ensure_builtin_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("ledningssystem", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_builtin_roles, migrations.RunPython.noop)]
