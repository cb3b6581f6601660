"""The taxonomy a new installation starts with; organisations edit it."""

from __future__ import annotations

from typing import Any

CATEGORIES = [
    ("Vård och omsorg", "Insatser som inte gavs, gavs fel eller för sent."),
    ("Läkemedel", "Fel läkemedel, dos eller tid, utebliven dos, förväxling."),
    ("Fall", "Fall eller nära fall."),
    ("Bemötande", "Brister i respekt, integritet eller kommunikation."),
    ("Dokumentation och informationsöverföring", "Saknad, felaktig eller försenad dokumentation eller information."),
    ("Hot och våld", "Hot, våld eller trakasserier mot brukare eller personal."),
    ("Hjälpmedel och medicinteknik", "Hjälpmedel som saknas, är trasiga eller används fel."),
    ("Handläggning och beslut", "Brister i utredning, beslut eller verkställighet."),
    ("Sekretess och dataskydd", "Uppgifter som lämnats ut eller hanterats fel."),
    ("Brand och säkerhet", "Brand, larm, lås och annan säkerhet."),
    ("Samverkan", "Brister i samarbetet med andra enheter eller huvudmän."),
    ("Övrigt", ""),
]


CAUSE_CATEGORIES = [
    ("Kommunikation och information", "Information som inte nådde fram, missförstånd, överlämningar."),
    ("Kunskap och kompetens", "Utbildning, erfarenhet, introduktion."),
    ("Rutiner och riktlinjer", "Rutin saknas, är oklar, okänd eller följs inte."),
    ("Teknik, utrustning och miljö", "Hjälpmedel, IT-system, lokaler."),
    ("Organisation och ledning", "Ansvarsfördelning, planering, styrning."),
    ("Bemanning och arbetsbelastning", "För få, fel kompetens på plats, tidspress."),
    ("Brukarens förutsättningar", "Hälsotillstånd, förmågor och önskemål."),
    ("Övrigt", ""),
]


def ensure_default_categories(apps: Any = None) -> None:
    """Create the default categories that are missing (migration or live models)."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    for model_name, rows in (("Category", CATEGORIES), ("CauseCategory", CAUSE_CATEGORIES)):
        try:
            model = apps.get_model("deviations", model_name)
        except LookupError:  # an early migration, before cause categories existed
            continue
        for order, (name, description) in enumerate(rows, start=1):
            model.objects.get_or_create(name=name, defaults={"description": description, "sort_order": order * 10})
