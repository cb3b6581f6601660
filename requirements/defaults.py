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


# Follow-up methods the seed handbooks name; organisations add, rename or deactivate their own.
FOLLOW_UP_METHODS = [
    ("egenkontroll", "Egenkontroll", "Verksamhetens egen, planerade granskning av att rutiner följs och ger resultat."),
    (
        "brukarundersokning",
        "Brukarundersökning",
        "Enkät eller intervju som fångar brukarnas eller elevernas upplevelse.",
    ),
    ("internkontroll", "Internkontroll", "Nämndens plan för granskning av risker och kontrollmoment."),
    ("kvalitetsberattelse", "Kvalitetsberättelse", "Den årliga sammanställningen av kvalitetsarbetet till nämnden."),
    ("avvikelsehantering", "Avvikelsehantering", "Sammanställning och analys av avvikelser och lex Sarah-rapporter."),
    ("synpunkter", "Synpunkter och klagomål", "Sammanställning och analys av inkomna synpunkter och klagomål."),
    ("riskanalys", "Riskanalys", "Bedömning av risker för brister, före förändringar och löpande."),
    ("medarbetarundersokning", "Medarbetarundersökning", "Medarbetarnas bild av arbetsmiljö, kompetens och ledarskap."),
    ("verksamhetsuppfoljning", "Verksamhetsuppföljning", "Uppföljning av mål, nyckeltal och aktivitetsplaner."),
]


def ensure_default_follow_up_methods(apps: Any = None) -> None:
    """Create the default follow-up methods that are missing (migration or live models)."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    method = apps.get_model("requirements", "FollowUpMethod")
    existing = set(method.objects.values_list("code", flat=True))
    for order, (code, name, description) in enumerate(FOLLOW_UP_METHODS, start=1):
        if code not in existing:
            method.objects.create(code=code, name=name, description=description, sort_order=order * 10)
