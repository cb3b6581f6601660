"""The built-in roles every installation starts with.

Organisations rename them, change what they may do and add their own;
``is_builtin`` only records where a role came from.
"""

from django.db import migrations

BUILTIN_ROLES = [
    # slug, name, sort order, capabilities, description
    ("namnd", "Nämnd", 10, ["view_unit", "view_statistics"],
     "Förtroendevald ledamot. Ser sammanställningar och beslutade dokument, aldrig enskilda ärenden."),
    ("namndsekreterare", "Nämndsekreterare", 20, ["view_unit", "view_statistics"],
     "Sammanställer kvalitetsberättelsen och för nämndens beslut."),
    ("forvaltningschef", "Förvaltningschef", 30, ["view_unit", "view_assignments", "view_statistics"],
     "Ytterst ansvarig för ledningssystemet i förvaltningen."),
    ("sektionschef", "Sektionschef", 40, ["view_unit", "view_assignments", "view_statistics"],
     "Leder en sektion eller avdelning och följer upp enheterna under den."),
    ("enhetschef", "Enhetschef", 50, ["view_unit", "view_assignments", "view_statistics"],
     "Leder en enhet: tar emot avvikelser, utreder och följer upp åtgärder."),
    ("kvalitetssamordnare", "Kvalitetssamordnare", 60, ["view_unit", "view_assignments", "view_statistics"],
     "Håller ordning på kravkatalog, rutiner, processer och årshjul."),
    ("medarbetare", "Medarbetare", 70, ["view_unit"],
     "Rapporterar avvikelser och synpunkter och tar del av rutiner."),
    ("administrator", "Administratör", 80, ["view_unit", "view_assignments", "manage_organisation"],
     "Sköter organisation, användare, roller och behörigheter."),
]


def create_builtin_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("ledningssystem")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Role = apps.get_model("ledningssystem", "Role")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    unit_ct = ContentType.objects.get(app_label="ledningssystem", model="unit")
    for slug, name, order, codenames, description in BUILTIN_ROLES:
        role, created = Role.objects.get_or_create(
            slug=slug, defaults={"name": name, "sort_order": order, "is_builtin": True, "description": description}
        )
        if created:
            role.permissions.set(Permission.objects.filter(content_type=unit_ct, codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("ledningssystem", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_builtin_roles, migrations.RunPython.noop)]
