"""Demo handbook texts for Socialförvaltningen, written for the demo (called by load_demo)."""

from __future__ import annotations

from typing import Any

from reports.models import HandbookText, HandbookTextKey

TEXTS = {
    HandbookTextKey.INTRODUCTION: (
        "Socialförvaltningen arbetar med äldreomsorg, stöd till personer med funktionsnedsättning och "
        "individ- och familjeomsorg. För alla dessa verksamheter gäller samma krav: arbetet ska planeras, "
        "följas upp och förbättras på ett ordnat sätt, och det ska gå att visa hur det görs.\n\n"
        "Handboken samlar förvaltningens ledningssystem på ett ställe. Den hämtar sitt innehåll direkt ur "
        "systemet, så att det som står här är detsamma som medarbetarna möter i sitt arbete.\n\n"
        "Kvalitetsarbetet bygger på att:\n"
        "- varje medarbetare känner till de rutiner som gäller för hens arbete\n"
        "- brister och risker rapporteras och blir till lärande\n"
        "- cheferna följer upp resultaten och återkopplar till verksamheten"
    ),
    HandbookTextKey.PURPOSE: (
        "Syftet är att de som får stöd av förvaltningen ska kunna lita på att insatserna håller god kvalitet "
        "och är likvärdiga, oavsett vilken enhet som utför dem.\n\n"
        "Ledningssystemet ska också ge nämnden ett underlag för att styra och följa upp verksamheten."
    ),
    HandbookTextKey.ADOPTION: "Antagen av socialnämnden 2025-01-22 § 5",
}


def load(units: dict[str, Any], people: dict[str, Any]) -> None:
    unit = units.get("Socialförvaltningen")
    author = people.get("kvalitetssamordnare")
    if unit is None or author is None:
        return
    for key, text in TEXTS.items():
        HandbookText.objects.update_or_create(unit=unit, key=key, defaults={"text": text, "updated_by": author})
