"""The roles every installation starts with, and how to create them.

Used by the migration that seeds a new database and by tests that flush
the database. Organisations rename the roles, change what they may do and
add their own; ``is_builtin`` only records where a role came from.
"""

from __future__ import annotations

from typing import Any

BUILTIN_ROLES = [
    # slug, name, sort order, capabilities, description
    (
        "namnd",
        "Nämnd",
        10,
        ["view_unit", "view_statistics"],
        "Förtroendevald ledamot. Ser sammanställningar och beslutade dokument, aldrig enskilda ärenden.",
    ),
    (
        "namndsekreterare",
        "Nämndsekreterare",
        20,
        ["view_unit", "view_statistics"],
        "Sammanställer kvalitetsberättelsen och för nämndens beslut.",
    ),
    (
        "forvaltningschef",
        "Förvaltningschef",
        30,
        [
            "view_unit",
            "view_assignments",
            "view_statistics",
            "report_deviations",
            "handle_deviations",
            "handle_lex_sarah",
            "approve_documents",
        ],
        "Ytterst ansvarig för ledningssystemet i förvaltningen.",
    ),
    (
        "sektionschef",
        "Sektionschef",
        40,
        [
            "view_unit",
            "view_assignments",
            "view_statistics",
            "report_deviations",
            "handle_deviations",
            "approve_documents",
        ],
        "Leder en sektion eller avdelning och följer upp enheterna under den.",
    ),
    (
        "enhetschef",
        "Enhetschef",
        50,
        [
            "view_unit",
            "view_assignments",
            "view_statistics",
            "report_deviations",
            "handle_deviations",
            "approve_documents",
        ],
        "Leder en enhet: tar emot avvikelser, utreder och följer upp åtgärder.",
    ),
    (
        "kvalitetssamordnare",
        "Kvalitetssamordnare",
        60,
        [
            "view_unit",
            "view_assignments",
            "view_statistics",
            "report_deviations",
            "handle_deviations",
            "handle_lex_sarah",
            "manage_documents",
        ],
        "Håller ordning på kravkatalog, rutiner, processer och årshjul.",
    ),
    (
        "medarbetare",
        "Medarbetare",
        70,
        ["view_unit", "report_deviations"],
        "Rapporterar avvikelser och synpunkter och tar del av rutiner.",
    ),
    (
        "administrator",
        "Administratör",
        80,
        ["view_unit", "view_assignments", "manage_organisation"],
        "Sköter organisation, användare, roller och behörigheter.",
    ),
]


def ensure_builtin_roles(apps: Any = None) -> None:
    """Create missing built-in roles with their default capabilities.

    ``apps`` is the migration state registry, or None for the live models.
    Existing roles are left as the organisation has configured them.
    """
    from django.contrib.auth.management import create_permissions

    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
        create_permissions(apps.get_app_config("ledningssystem"), verbosity=0)
    else:
        app_config = apps.get_app_config("ledningssystem")
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    role_model = apps.get_model("ledningssystem", "Role")
    permission_model = apps.get_model("auth", "Permission")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    unit_ct, _created = content_type_model.objects.get_or_create(app_label="ledningssystem", model="unit")
    for slug, name, order, codenames, description in BUILTIN_ROLES:
        role, created = role_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "sort_order": order, "is_builtin": True, "description": description}
        )
        if created:
            role.permissions.set(permission_model.objects.filter(content_type=unit_ct, codename__in=codenames))


# Capabilities added after a release, by built-in role: an existing
# installation gets them once, through a migration.
CAPABILITIES_ADDED = {
    "0004": {
        "forvaltningschef": ["report_deviations", "handle_deviations", "handle_lex_sarah"],
        "sektionschef": ["report_deviations", "handle_deviations"],
        "enhetschef": ["report_deviations", "handle_deviations"],
        "kvalitetssamordnare": ["report_deviations", "handle_deviations", "handle_lex_sarah"],
        "medarbetare": ["report_deviations"],
    },
    "0006": {
        "forvaltningschef": ["approve_documents"],
        "sektionschef": ["approve_documents"],
        "enhetschef": ["approve_documents"],
        "kvalitetssamordnare": ["manage_documents"],
    },
}


def grant_added_capabilities(apps: Any, release: str) -> None:
    """Give the built-in roles the capabilities a release added (migration helper)."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("ledningssystem")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    role_model = apps.get_model("ledningssystem", "Role")
    permission_model = apps.get_model("auth", "Permission")
    wanted = permission_model.objects.filter(content_type__app_label="ledningssystem", content_type__model="unit")
    for slug, codenames in CAPABILITIES_ADDED[release].items():
        role = role_model.objects.filter(slug=slug, is_builtin=True).first()
        if role is not None:
            role.permissions.add(*wanted.filter(codename__in=codenames))
