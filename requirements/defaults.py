"""The areas of application (areas) a framework file may name.

Organisations may add more in the technical administration; these are the
ones every installation has. Created by a migration, and again before an
import in case a test run or a reset emptied the table.
"""

from __future__ import annotations

from typing import Any

AREAS = [
    ("social_services", "Socialtjänst", 10),
    ("lss", "LSS", 20),
    ("health_care", "Hälso- och sjukvård", 30),
    ("adult_education", "Vuxenutbildning", 40),
]


def ensure_default_areas(apps: Any = None) -> None:
    """Create the default areas that are missing (migration or live models)."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    area = apps.get_model("requirements", "ApplicationArea")
    existing = set(area.objects.values_list("code", flat=True))
    for code, name, order in AREAS:
        if code not in existing:
            area.objects.create(code=code, name=name, sort_order=order)
