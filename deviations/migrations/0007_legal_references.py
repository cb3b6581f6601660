"""The provisions the lex Sarah pages cite, with the periods they apply to.

Facts from shared/reference/lex-sarah-and-complaints.md; "verified" only
where that file marks the statement as checked against the authority's own
text. Where the numbering under Socialtjänstlagen (2025:400) is not
confirmed, the citation says so instead of guessing a paragraph.
"""

import datetime

from django.db import migrations

SOL_OLD_END = datetime.date(2025, 6, 30)
SOL_NEW_START = datetime.date(2025, 7, 1)
IVO = "https://www.ivo.se/faq-block/lex-sarah/var-finns-bestammelserna-om-lex-sarah/"
SOSFS = (
    "https://www.socialstyrelsen.se/kunskapsstod-och-regler/regler-och-riktlinjer/"
    "foreskrifter-och-allmanna-rad/konsoliderade-foreskrifter/20115-om-lex-sarah/"
)
NEW_SOL = "Socialtjänstlagen (2025:400), bestämmelserna om lex Sarah (paragraf ej bekräftad)"

REFERENCES = [
    # key, citation, description, valid_from, valid_to, verified, source
    (
        "report-duty",
        "SoL (2001:453) 14 kap. 3 §",
        "Skyldighet att genast rapportera missförhållanden",
        datetime.date(2011, 7, 1),
        SOL_OLD_END,
        True,
        IVO,
    ),
    (
        "report-duty",
        NEW_SOL,
        "Skyldighet att genast rapportera missförhållanden",
        SOL_NEW_START,
        None,
        False,
        "https://lagen.nu/prop/2024/25:89",
    ),
    (
        "investigate",
        "SoL (2001:453) 14 kap. 6 §",
        "Dokumentera, utreda och avhjälpa utan dröjsmål",
        datetime.date(2011, 7, 1),
        SOL_OLD_END,
        False,
        IVO,
    ),
    (
        "investigate",
        NEW_SOL,
        "Dokumentera, utreda och avhjälpa utan dröjsmål",
        SOL_NEW_START,
        None,
        False,
        "https://lagen.nu/prop/2024/25:89",
    ),
    (
        "notify-ivo",
        "SoL (2001:453) 14 kap. 7 §",
        "Anmäla allvarliga missförhållanden till IVO snarast",
        datetime.date(2011, 7, 1),
        SOL_OLD_END,
        True,
        IVO,
    ),
    (
        "notify-ivo",
        NEW_SOL,
        "Anmäla allvarliga missförhållanden till IVO snarast",
        SOL_NEW_START,
        None,
        False,
        "https://lagen.nu/prop/2024/25:89",
    ),
    (
        "regulation",
        "SOSFS 2011:5",
        "Socialstyrelsens föreskrifter och allmänna råd om lex Sarah",
        datetime.date(2013, 6, 1),
        None,
        True,
        SOSFS,
    ),
    (
        "documentation",
        "SOSFS 2011:5 5 kap.",
        "Vad utredningen ska dokumentera",
        datetime.date(2013, 6, 1),
        None,
        True,
        SOSFS,
    ),
    (
        "lss",
        "LSS (1993:387) 24 b–24 g §§ och 23 g §",
        "Motsvarande regler för LSS-verksamhet",
        datetime.date(2013, 6, 1),
        None,
        False,
        IVO,
    ),
]


def load(apps, schema_editor):
    LegalReference = apps.get_model("deviations", "LegalReference")
    for key, citation, description, valid_from, valid_to, verified, source in REFERENCES:
        LegalReference.objects.get_or_create(
            key=key,
            valid_from=valid_from,
            defaults={
                "citation": citation,
                "description": description,
                "valid_to": valid_to,
                "verified": verified,
                "source_url": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("deviations", "0006_lex_sarah_and_actions")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
