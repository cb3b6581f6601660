"""Demo focus areas and role responsibilities for the municipality of Åby.

The areas follow the structure of the seed handbook (shared/seeds/004_…):
eleven areas for social services at Socialförvaltningen and six for adult
education at Vuxenutbildning. The texts are written for the demo, in our
own words. Called by ``load_demo`` after the shipped frameworks are imported;
links to requirements that are missing are skipped.
"""

from __future__ import annotations

from typing import Any

from ledningssystem.models import Role, Unit, User
from requirements import focus
from requirements.defaults import ensure_default_follow_up_methods
from requirements.models import FocusArea, FollowUpMethod, Requirement, RoleResponsibility

SOSFS_9 = "SOSFS 2011:9"
SOSFS_5 = "SOSFS 2011:5"
SKOLLAGEN = "Skollagen (2010:800) – komvux"

SOCIAL = "Socialförvaltningen"
ADULT = "Vuxenutbildning"

# key, title, description, how, follow-up, methods, {role: responsibility}, [(framework, identifier)]
SOCIAL_AREAS: list[tuple[str, str, str, str, str, list[str], dict[str, str], list[tuple[str, str]]]] = [
    (
        "bemotande",
        "Bemötande",
        "Brukare och närstående ska mötas med respekt och känna sig trygga i kontakten med oss. "
        "Hur vi informerar och lyssnar är en del av bemötandet.",
        "Rutiner som gör brukaren delaktig i sin insats och i planeringen.\n"
        "Information på lättläst svenska och på de språk som brukarna oftast talar.\n"
        "Bemötande som egen kategori när avvikelser och synpunkter registreras.\n"
        "Att synpunkter om bemötande används i förbättringsarbetet.",
        "Brukarundersökning varje år, sammanställning av synpunkter om bemötande och en avstämning i "
        "kvalitetsberättelsen. Resultat i nationella jämförelser analyseras.",
        ["brukarundersokning", "synpunkter", "kvalitetsberattelse"],
        {
            "sektionschef": "Ser till att det finns riktlinjer för bemötande och information i sektionen.",
            "enhetschef": "Ser till att enhetens rutiner för bemötande är kända och följs.",
            "medarbetare": "Möter brukare och närstående med omtanke och respekt.",
        },
        [(SOSFS_9, "6:3"), (SOSFS_9, "5:3")],
    ),
    (
        "samverkan",
        "Samverkan",
        "Många brukare behöver stöd från flera håll samtidigt. Samverkan inom kommunen och med region, "
        "Försäkringskassan och andra aktörer ska ha ett tydligt syfte, och brukaren ska vara med.",
        "Planer (vårdplan, genomförandeplan, SIP) när flera aktörer ger stöd till samma person.\n"
        "Skriftliga överenskommelser med myndigheter och externa utförare.\n"
        "Syfte och mål med varje samverkan beskrivs.\n"
        "Samtycke och fullmakter som reglerar vad som får delas.",
        "Individuella uppföljningar, årlig avtalsuppföljning, samrådsmöten och uppföljning av om samverkan "
        "nått sitt syfte.",
        ["verksamhetsuppfoljning", "brukarundersokning", "kvalitetsberattelse"],
        {
            "forvaltningschef": "Ansvarar för riktlinjer för samverkan med andra huvudmän och över "
            "förvaltningsgränserna.",
            "sektionschef": "Ansvarar för rutiner för samverkan inom sektionen.",
            "enhetschef": "Ansvarar för att samverkan kring enskilda brukare planeras och dokumenteras.",
        },
        [(SOSFS_9, "4:5"), (SOSFS_9, "4:6")],
    ),
    (
        "personal-kompetens",
        "Personal och kompetensförsörjning",
        "Brukare är beroende av att personalen kan sitt arbete. Rätt bemanning, god introduktion och "
        "fortlöpande kompetensutveckling är därför en fråga om rättssäkerhet.",
        "Rekrytering och bemanning som motsvarar uppdraget.\n"
        "Beskrivet ansvar och beskrivna befogenheter för varje yrkesgrupp.\n"
        "Kontroll av legitimation där det krävs.\n"
        "Introduktion för nyanställda och för den som varit borta länge.\n"
        "En kompetensutvecklingsplan för varje medarbetare.",
        "Internkontroll, medarbetarundersökning och uppföljning av verksamhetens mål.",
        ["internkontroll", "medarbetarundersokning", "verksamhetsuppfoljning"],
        {
            "forvaltningschef": "Ser till att det finns en plan för kompetensförsörjning och beslutade "
            "riktlinjer för personalfrågor.",
            "sektionschef": "Följer upp att riktlinjerna för kompetensförsörjning tillämpas i sektionen.",
            "enhetschef": "Ser till att introduktion och kompetensutveckling genomförs på enheten.",
        },
        [(SOSFS_9, "6:1"), (SOSFS_9, "3:2")],
    ),
    (
        "uppfoljning-egenkontroll",
        "Uppföljning, utvärdering och egenkontroll",
        "Nämnden behöver veta hur väl målen nås. Organisation, arbetssätt och resultat följs därför upp "
        "regelbundet, och det vi lär oss sprids vidare.",
        "Regelbunden redovisning av kvalitetsresultat till nämnden.\n"
        "Planerad egenkontroll av att rutiner och processer fungerar och är ändamålsenliga.\n"
        "Att resultaten dokumenteras och återförs till verksamheterna.\n"
        "Uppföljning av externa utförare enligt avtalen.",
        "Internkontrollplan, egenkontroller, delårsrapporter och den årliga kvalitetsberättelsen.",
        ["egenkontroll", "internkontroll", "kvalitetsberattelse", "verksamhetsuppfoljning"],
        {
            "namnd": "Beslutar om mål för kvalitetsarbetet och följer upp att de nås.",
            "sektionschef": "Planerar och följer upp egenkontrollen i sektionen.",
            "enhetschef": "Genomför egenkontroller och beskriver hur uppgifterna i kvalitetsarbetet är "
            "fördelade på enheten.",
        },
        [(SOSFS_9, "5:2"), (SOSFS_9, "5:2-AR"), (SOSFS_9, "3:2")],
    ),
    (
        "tillganglighet",
        "Tillgänglighet",
        "Det ska vara lätt att komma i kontakt med socialtjänsten: per telefon och e-post, i lokaler som "
        "fungerar för alla, och med rimliga väntetider.",
        "Mätning av svarstider i telefon och e-post.\n"
        "Tillgängliga lokaler och tillgänglighet med i planeringen av nya lokaler.\n"
        "Mätning av vänte- och handläggningstider.\n"
        "Granskning av att tryckt och digital information är begriplig.",
        "Internkontroll, mätningar av tillgänglighet och kvalitetsberättelsen.",
        ["internkontroll", "verksamhetsuppfoljning", "kvalitetsberattelse"],
        {
            "forvaltningschef": "Ser till att förvaltningen deltar i kommunens samhällsplanering.",
            "sektionschef": "Ser till att det finns rutiner för tillgänglighet i sektionen.",
            "enhetschef": "Ser till att medarbetarna känner till rutinerna för tillgänglighet.",
        },
        [(SOSFS_9, "4:1")],
    ),
    (
        "avvikelser",
        "Avvikelser, fel och brister",
        "Fel och brister kan leda till att brukare inte får det stöd de ska ha. Vi vill att alla rapporterar "
        "och att vi lär oss av det som händer, utan att leta syndabockar.",
        "Ett system där medarbetare enkelt rapporterar avvikelser.\n"
        "Utredning och analys av orsaker, åtgärder och uppföljning av effekten.\n"
        "En särskild väg för lex Sarah: missförhållanden och påtagliga risker.\n"
        "Information om rapporteringsskyldigheten till alla nyanställda.",
        "Årlig sammanställning av avvikelser och lex Sarah-ärenden, internkontroll och kvalitetsberättelsen.",
        ["avvikelsehantering", "internkontroll", "kvalitetsberattelse"],
        {
            "namnd": "Ser till att det finns ett fungerande system för avvikelsehantering.",
            "forvaltningschef": "Ansvarar för att avvikelsesystemet fungerar och beslutar om anmälan till IVO.",
            "enhetschef": "Tar emot, utreder och följer upp avvikelser på enheten.",
            "medarbetare": "Rapporterar avvikelser och risker så snart de upptäcks.",
        },
        [
            (SOSFS_9, "5:4"),
            (SOSFS_9, "5:5"),
            (SOSFS_9, "5:6"),
            (SOSFS_9, "6:2"),
            (SOSFS_5, "rutiner-information"),
            (SOSFS_5, "skydda-enskilde"),
            (SOSFS_5, "5:dokumentation"),
        ],
    ),
    (
        "synpunkter-klagomal",
        "Synpunkter och klagomål",
        "Synpunkter och klagomål visar var vi kan bli bättre. Det ska vara enkelt att lämna dem, på flera "
        "sätt, och de ska tas om hand och användas.",
        "Ett system för att ta emot, besvara och registrera synpunkter och klagomål.\n"
        "Krav i avtal på att externa utförare har motsvarande hantering.\n"
        "Att synpunkter från samverkanspartner och tillsyn tas tillvara.",
        "Årlig sammanställning och analys av synpunkter i kvalitetsberättelsen.",
        ["synpunkter", "brukarundersokning", "kvalitetsberattelse"],
        {
            "forvaltningschef": "Ansvarar för att det finns ett fungerande system för synpunkter och klagomål.",
            "enhetschef": "Ser till att medarbetarna vet hur synpunkter tas emot och används.",
        },
        [(SOSFS_9, "5:3"), (SOSFS_9, "5:6")],
    ),
    (
        "handlaggning-dokumentation",
        "Handläggning och dokumentation i enskilda ärenden",
        "Rättssäkerheten för den enskilde bygger på en korrekt handläggning från ansökan till uppföljning, "
        "och på att det som görs går att spåra i dokumentationen.",
        "Rutiner för dokumentation av utredning, beslut och genomförande.\n"
        "Hur uppdrag lämnas från den som beslutar till den som utför.\n"
        "Information om hur man överklagar och lämnar synpunkter.\n"
        "Arkivering och gallring enligt dokumenthanteringsplanen.",
        "Internkontroll, granskning av akter och uppföljning av utbildning i informationssäkerhet.",
        ["internkontroll", "egenkontroll", "kvalitetsberattelse"],
        {
            "sektionschef": "Ser till att det finns rutiner för handläggning och dokumentation.",
            "enhetschef": "Ser till att medarbetarna känner till och följer dokumentationsrutinerna.",
            "medarbetare": "Dokumenterar handläggning och utförande i det anvisade verksamhetssystemet.",
        },
        [(SOSFS_9, "7:1"), (SOSFS_9, "7:1-AR-omfattning")],
    ),
    (
        "varor-tjanster",
        "Varor, tjänster och teknik",
        "När nämnden köper tjänster eller lämnar verksamhet till andra ska kvalitetskraven finnas i "
        "upphandlingen och följas upp.",
        "Krav på systematiskt kvalitetsarbete i förfrågningsunderlag och avtal.\n"
        "Bedömda och godkända leverantörer av produkter och system.\n"
        "Utbildning och bruksanvisningar för den teknik som används.",
        "Avtalsuppföljning, stickprov och kvalitetsberättelsen.",
        ["verksamhetsuppfoljning", "internkontroll"],
        {
            "namnd": "Tecknar de avtal som nämnden själv beslutar om.",
            "forvaltningschef": "Följer upp avtal med utförare och ser till att varor och tjänster är "
            "lämpliga för målgruppen.",
        },
        [(SOSFS_9, "4:1")],
    ),
    (
        "riskanalyser",
        "Riskanalyser",
        "Innan vi ändrar organisation, arbetssätt eller teknik bedömer vi vad som kan gå fel, och vi "
        "bedömer risker för enskilda brukare där det behövs.",
        "Riskanalys inför förändringar.\n"
        "Riskbedömning på individnivå när det inte är uppenbart onödigt.\n"
        "Handlingsplan med åtgärder för de risker som hittas.",
        "Internkontroll och redovisning av riskanalyser i kvalitetsberättelsen.",
        ["riskanalys", "internkontroll", "kvalitetsberattelse"],
        {
            "forvaltningschef": "Leder det förebyggande arbetet och ser till att risker bedöms när brister upptäcks.",
            "enhetschef": "Gör riskanalyser på enheten inför förändringar.",
        },
        [(SOSFS_9, "5:1")],
    ),
    (
        "kvalitetssakring-insatser",
        "Kvalitetssäkring av insatser",
        "Insatserna ska motsvara behoven och lagens krav. Beskrivna processer gör insatserna möjliga att "
        "följa upp och hjälper nya medarbetare.",
        "Processkartläggning av viktiga och vanliga insatser.\n"
        "Rutiner för att införa, följa upp och avveckla metoder.\n"
        "Bevakning av nya föreskrifter, rekommendationer och forskning.",
        "Internkontroll, genomförandeplaner, kvalitetsregister och kvalitetsberättelsen.",
        ["internkontroll", "egenkontroll", "kvalitetsberattelse"],
        {
            "forvaltningschef": "Ser till att det finns metoder för processkartläggning.",
            "sektionschef": "Tar fram riktlinjer och rutiner för sektionens insatser.",
            "kvalitetssamordnare": "Håller processer och rutiner samlade och påminner om revision.",
        },
        [(SOSFS_9, "4:2"), (SOSFS_9, "4:3"), (SOSFS_9, "4:4"), (SOSFS_9, "5:7")],
    ),
]

ADULT_AREAS: list[tuple[str, str, str, str, str, list[str], dict[str, str], list[tuple[str, str]]]] = [
    (
        "utbildningens-innehall",
        "Utbildningens innehåll",
        "Komvux ska erbjuda utbildning på alla nivåer, och sfi, året runt och utan avgift. Kommunen ska "
        "själv söka upp dem som har rätt att studera.",
        "Att utbildningen erbjuds på alla nivåer och bedrivs hela året.\n"
        "Att ingen elev tar betalt för mer än obetydliga kostnader.\n"
        "Uppsökande arbete och information om utbildningen.\n"
        "Sfi-start inom lagens tidsgränser.\n"
        "Uppföljning av att externa anordnare följer auktorisationen.",
        "Uppföljning av antagning och väntetider till sfi, avtalsuppföljning och kvalitetsberättelsen.",
        ["verksamhetsuppfoljning", "kvalitetsberattelse"],
        {
            "sektionschef": "Planerar utbudet utifrån behov hos vuxna och på arbetsmarknaden.",
            "enhetschef": "Ser till att utbildningen på skolan genomförs enligt skollagen.",
        },
        [
            (SKOLLAGEN, "innehall-former"),
            (SKOLLAGEN, "innehall-avgiftsfri"),
            (SKOLLAGEN, "innehall-na-och-motivera"),
            (SKOLLAGEN, "innehall-sfi-tid"),
            (SKOLLAGEN, "innehall-vardegrund"),
            (SKOLLAGEN, "innehall-samhallsorientering"),
        ],
    ),
    (
        "studie-yrkesvagledning",
        "Studie- och yrkesvägledning",
        "Elever ska få den vägledning de behöver för att välja studier och yrke, från första kontakten "
        "och under hela utbildningen.",
        "Tillgång till vägledare med rätt kompetens.\n"
        "Inledande kartläggning för den som vill det.\n"
        "En individuell studieplan för varje elev.\n"
        "Uppföljning av avbrott.",
        "Elevenkät, kontroll av studieplaner och kvalitetsberättelsen.",
        ["brukarundersokning", "egenkontroll", "kvalitetsberattelse"],
        {
            "enhetschef": "Ser till att vägledning och studieplaner finns för alla elever.",
            "medarbetare": "Vägleder elever och följer upp dem under utbildningen.",
        },
        [(SKOLLAGEN, "syv-tillgang"), (SKOLLAGEN, "syv-kartlaggning"), (SKOLLAGEN, "syv-studieplan")],
    ),
    (
        "trygghet-studiero",
        "Trygghet och studiero",
        "En trygg skolmiljö och studiero är en förutsättning för lärande. Kränkningar och diskriminering "
        "motverkas aktivt.",
        "Förebyggande arbete för trygghet och studiero.\n"
        "En plan mot kränkande behandling som ses över varje år.\n"
        "Anmälan och skyndsam utredning av kränkningar.\n"
        "Avstängning bara enligt lagens regler.",
        "Elevenkät, uppföljning av planen mot kränkande behandling och kvalitetsberättelsen.",
        ["brukarundersokning", "egenkontroll", "kvalitetsberattelse"],
        {
            "enhetschef": "Anmäler kränkningar till huvudmannen och leder utredningen.",
            "medarbetare": "Anmäler till rektor när en elev kan ha blivit kränkt.",
        },
        [(SKOLLAGEN, "trygghet-studiero"), (SKOLLAGEN, "trygghet-krankande"), (SKOLLAGEN, "trygghet-avstangning")],
    ),
    (
        "elevens-utveckling",
        "Elevens utveckling mot målen",
        "Varje elev ska kunna komma så långt som möjligt. Den som riskerar att inte nå målen får stöd, och "
        "betyg sätts rättvist.",
        "Extra anpassningar för elever som behöver dem.\n"
        "Validering för den som behöver det.\n"
        "Beslut om upphörande enligt reglerna.\n"
        "Sfi med den omfattning lagen kräver.\n"
        "Information till eleverna om grunderna för betyg.",
        "Resultatuppföljning per kurs, egenkontroll av betygsättning och kvalitetsberättelsen.",
        ["verksamhetsuppfoljning", "egenkontroll", "kvalitetsberattelse"],
        {
            "enhetschef": "Ser till att betyg sätts enligt författningarna och att stöd ges.",
            "medarbetare": "Ger eleverna ledning och stimulans och gör extra anpassningar.",
        },
        [
            (SKOLLAGEN, "utveckling-stod"),
            (SKOLLAGEN, "utveckling-validering"),
            (SKOLLAGEN, "utveckling-upphorande"),
            (SKOLLAGEN, "utveckling-sfi-omfattning"),
            (SKOLLAGEN, "utveckling-betyg"),
        ],
    ),
    (
        "vux-synpunkter-klagomal",
        "Synpunkter och klagomål (vuxenutbildning)",
        "Klagomål från elever visar var utbildningen brister. De ska tas emot, utredas och leda till åtgärder.",
        "Skriftliga rutiner för klagomål som elever och personal känner till.\n"
        "Åtgärder när ett klagomål visar en brist.\n"
        "Dokumentation som går att analysera över tid.",
        "Sammanställning av klagomål och kvalitetsberättelsen.",
        ["synpunkter", "kvalitetsberattelse"],
        {"enhetschef": "Tar emot, utreder och åtgärdar klagomål på skolan."},
        [(SKOLLAGEN, "klagomal-rutiner")],
    ),
    (
        "elevens-inflytande",
        "Elevens inflytande",
        "Eleverna ska kunna påverka sin utbildning och hållas informerade i frågor som rör dem.",
        "Forum där elever kan ta upp frågor om utbildningen.\nStöd till elevernas arbete med inflytande.",
        "Elevenkät och kvalitetsberättelsen.",
        ["brukarundersokning", "kvalitetsberattelse"],
        {"enhetschef": "Ser till att eleverna får inflytande och information."},
        [(SKOLLAGEN, "inflytande")],
    ),
]

# The Ansvarsfördelning, in our own words: what each role answers for in the quality work.
SOCIAL_RESPONSIBILITIES = {
    "namnd": (
        "Leder, styr och följer upp socialtjänsten och äger ledningssystemet.\n"
        "Beslutar om mål för kvalitetsarbetet och utvärderar dem.\n"
        "Ger verksamheten resurser att nå målen.\n"
        "Försäkrar sig om att utförare nämnden anlitar också arbetar systematiskt med kvalitet."
    ),
    "forvaltningschef": (
        "Tar fram och förvaltar ledningssystemet utifrån nämndens uppdrag och gällande föreskrifter.\n"
        "Organiserar verksamheten efter mål och resurser.\n"
        "Bereder ärenden till nämnden och lämnar analyser och underlag.\n"
        "Ser till att den interna kontrollen sker systematiskt."
    ),
    "sektionschef": (
        "Håller ledningssystemet aktuellt i sektionen.\n"
        "Ser till att kvalitetsarbetet planeras, genomförs, dokumenteras och följs upp.\n"
        "Tar fram en åtgärdsplan för sektionens förbättringsarbete."
    ),
    "enhetschef": (
        "Planerar, leder, kontrollerar, följer upp och förbättrar enhetens verksamhet med stöd av "
        "ledningssystemet.\n"
        "Dokumenterar hur uppgifterna i kvalitetsarbetet är fördelade.\n"
        "Bryter ned mål till åtaganden för enheten.\n"
        "Ser till att personalen arbetar enligt processer och rutiner."
    ),
    "medarbetare": (
        "Deltar i att ta fram, använda och förbättra rutiner och arbetssätt.\n"
        "Arbetar enligt processer och rutiner.\n"
        "Rapporterar avvikelser och risker och lämnar uppgifter till uppföljningar.\n"
        "Utgår från bästa tillgängliga kunskap i arbetet."
    ),
}

# Where adult education differs: the principal (rektor, an enhetschef in the demo) and the
# governing rules are the school's.
ADULT_RESPONSIBILITIES = {
    "sektionschef": (
        "Håller ledningssystemet för vuxenutbildningen aktuellt utifrån förvaltningschefens uppdrag och "
        "Skolverkets föreskrifter och allmänna råd.\n"
        "Ser till att kvalitetsarbetet planeras, genomförs, dokumenteras och följs upp.\n"
        "Tar fram en åtgärdsplan för vuxenutbildningens förbättringsarbete."
    ),
    "enhetschef": (
        "Som rektor: granskar kvalitetsarbetet och ser till att det dokumenteras.\n"
        "Planerar, leder, följer upp och förbättrar utbildningen.\n"
        "Ser till att alla medarbetare deltar i kvalitetsarbetet.\n"
        "Bryter ned mål till åtaganden för skolan."
    ),
    "medarbetare": (
        "Arbetar enligt processer och rutiner och deltar i skolans kvalitetsarbete.\n"
        "Säger till om något kan hindra en elev från en likvärdig utbildning av god kvalitet.\n"
        "Rapporterar avvikelser och lämnar uppgifter till uppföljningar."
    ),
}


def _requirement_index(links: list[tuple[str, str]]) -> dict[tuple[str, str], Requirement]:
    codes = {code for code, _id in links}
    return {
        (r.framework.code, r.identifier): r
        for r in Requirement.objects.active().filter(framework__code__in=codes).select_related("framework")
    }


def _load_areas(unit: Unit, areas: list[Any], roles: dict[str, Role], by: User | None) -> None:
    methods = {m.code: m for m in FollowUpMethod.objects.all()}
    index = _requirement_index([link for area in areas for link in area[7]])
    for position, (key, title, description, how, follow_up, codes, duties, links) in enumerate(areas, start=1):
        if FocusArea.objects.filter(unit=unit, key=key).exists():
            continue
        focus.focus_area_create(
            unit=unit,
            by=by,
            key=key,
            title=title,
            description=description,
            how=how,
            follow_up=follow_up,
            follow_up_methods=[methods[c] for c in codes if c in methods],
            requirements=[index[link] for link in links if link in index],
            responsibilities={roles[slug]: text for slug, text in duties.items() if slug in roles},
            position=position,
        )


def _load_responsibilities(unit: Unit, texts: dict[str, str], roles: dict[str, Role], by: User | None) -> None:
    for slug, text in texts.items():
        role = roles.get(slug)
        if role is None or RoleResponsibility.objects.filter(unit=unit, role=role).exists():
            continue
        focus.role_responsibility_set(unit=unit, role=role, by=by, text=text, version=None)


def load(units: dict[str, Unit], people: dict[str, User]) -> None:
    ensure_default_follow_up_methods()
    roles = {r.slug: r for r in Role.objects.all()}
    by = people.get("kvalitetssamordnare")
    if (social := units.get(SOCIAL)) is not None:
        _load_areas(social, SOCIAL_AREAS, roles, by)
        _load_responsibilities(social, SOCIAL_RESPONSIBILITIES, roles, by)
    if (adult := units.get(ADULT)) is not None:
        _load_areas(adult, ADULT_AREAS, roles, by)
        _load_responsibilities(adult, ADULT_RESPONSIBILITIES, roles, by)
