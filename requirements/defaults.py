"""The areas of application (scopes) a framework file may name.

Organisations may add more in the technical administration; these are the
ones every installation has. Created by a migration, and again before an
import in case a test run or a reset emptied the table.
"""

from __future__ import annotations

from typing import Any

SCOPES = [
    ("social_services", "Socialtjänst", 10),
    ("lss", "LSS", 20),
    ("health_care", "Hälso- och sjukvård", 30),
    ("adult_education", "Vuxenutbildning", 40),
]


def ensure_default_scopes(apps: Any = None) -> None:
    """Create the default scopes that are missing (migration or live models)."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    scope = apps.get_model("requirements", "Scope")
    existing = set(scope.objects.values_list("code", flat=True))
    for code, name, order in SCOPES:
        if code not in existing:
            scope.objects.create(code=code, name=name, sort_order=order)
