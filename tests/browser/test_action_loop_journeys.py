"""A manager takes a deviation to closure through an action and its effect; a lex
Sarah report goes all the way to the basis for IVO as a PDF. axe on every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_takes_a_deviation_to_closure_with_an_action_and_its_effect(demo, new_page, axe) -> None:
    from actions.models import Action
    from deviations.models import Deviation

    deviation = Deviation.objects.get(description__startswith="Brukaren halkade på badrumsgolvet")
    page = new_page()
    login(page, "enhetschef")
    page.get_by_role("link", name="Avvikelser", exact=True).click()
    page.get_by_role("link", name=deviation.reference).click()
    axe(page)
    page.get_by_label("Typ av orsak").select_option(label="Teknik, utrustning och miljö")
    page.get_by_label("Beskriv orsaken").fill("Halkskyddsmattan i duschen var sliten.")
    page.get_by_role("button", name="Lägg till orsak").click()
    page.get_by_text("Lägg till en åtgärd").click()
    page.get_by_label("Vad ska göras").fill("Byt halkskyddsmattor i alla duschar")
    page.get_by_label("Halkskyddsmattan i duschen var sliten.").check()
    page.get_by_label("Ansvarig").select_option(label="Lena Berg")
    due = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("Klart senast").fill(due.isoformat())
    page.get_by_label("Hur effekten ska mätas").fill("Inga fall i duschen under tre månader.")
    axe(page)
    page.get_by_role("button", name="Lägg till åtgärd").click()
    assert page.get_by_text("Åtgärden lades till.").is_visible()
    page.get_by_role("button", name="Påbörja åtgärder").click()
    assert page.get_by_text("Åtgärder pågår", exact=True).first.is_visible()
    # Closing now is refused: the action is open. The message stands at the field.
    page.get_by_role("link", name="Byt halkskyddsmattor i alla duschar").click()
    axe(page)
    page.get_by_label("Vad gjordes?").fill("Nya mattor i alla fyra duschar.")
    page.get_by_role("button", name="Markera som genomförd").click()
    assert page.get_by_text("Åtgärden är nu: Genomförd.").is_visible()
    axe(page)
    page.get_by_role("link", name=f"Avvikelse {deviation.reference}").click()
    page.get_by_role("button", name="Påbörja uppföljning").click()
    page.get_by_label("Vad som framkom och gjordes (den som rapporterade läser detta)").fill("Mattorna är bytta.")
    page.get_by_role("button", name="Avsluta", exact=True).click()
    assert page.get_by_text("Registrera effekten av varje genomförd åtgärd innan du avslutar.").is_visible()
    axe(page)
    page.get_by_role("link", name="Byt halkskyddsmattor i alla duschar").click()
    page.get_by_label("Verkningsfull", exact=True).check()
    page.get_by_role("button", name="Registrera effekt").click()
    assert page.get_by_text("Effekten registrerades.").is_visible()
    page.get_by_role("link", name=f"Avvikelse {deviation.reference}").click()
    page.get_by_label("Vad som framkom och gjordes (den som rapporterade läser detta)").fill(
        "Halkskyddet i duscharna är bytt; inga nya fall."
    )
    page.get_by_role("button", name="Avsluta", exact=True).click()
    assert page.get_by_text("Avslutad", exact=True).first.is_visible()
    axe(page)
    assert Action.objects.get(title="Byt halkskyddsmattor i alla duschar").effect_result == "effective"
    assert Deviation.objects.get(pk=deviation.pk).status == "closed"

    # The owner finds the action among their own, finished, on a phone.
    owner = new_page({"width": 375, "height": 740})
    login(owner, "lena.berg")
    owner.goto("/actions/?show=all&whose=mine")
    assert owner.get_by_role("link", name="Byt halkskyddsmattor i alla duschar").is_visible()
    axe(owner)


def test_lex_sarah_report_goes_to_the_ivo_pdf(demo, new_page, axe) -> None:
    from deviations.models import Deviation

    staff = new_page({"width": 375, "height": 740})
    login(staff, "medarbetare")
    staff.get_by_role("link", name="Rapportera").click()
    staff.wait_for_url("**/deviations/new/")
    staff.get_by_label("Vad hände?").fill("Brukaren fick inte sina måltider under helgen; ingen personal kom.")
    staff.get_by_label("Kategori").select_option(label="Vård och omsorg")
    staff.get_by_label("Allvarlig", exact=True).check()
    staff.get_by_label(
        "Detta kan vara ett missförhållande eller en påtaglig risk för missförhållande (lex Sarah)"
    ).check()
    staff.get_by_role("button", name="Skicka rapport").click()
    staff.wait_for_url("**/receipt/")
    axe(staff)
    deviation = Deviation.objects.get(description__startswith="Brukaren fick inte sina måltider")
    assert deviation.is_lex_sarah

    chief = new_page()
    login(chief, "forvaltningschef")
    chief.goto(f"/deviations/{deviation.pk}/")
    axe(chief)
    chief.get_by_role("button", name="Ta emot").click()
    chief.get_by_label("Vad som gjordes direkt för att skydda den enskilde").fill(
        "Extra besök varje dag tills planeringen är rättad."
    )
    chief.get_by_role("button", name="Spara skyddsåtgärder").click()
    assert chief.get_by_text("Skyddsåtgärderna sparades.").is_visible()
    chief.get_by_role("button", name="Påbörja utredning").click()
    chief.get_by_label("Vad den visar").select_option(label="Vilka orsaker som identifierats")
    chief.get_by_label("Fakta", exact=True).check()
    chief.get_by_label("Källa").fill("Planeringssystemets logg")
    chief.get_by_label("Anteckning").fill("Besöken föll bort när insatsen flyttades till ny planering.")
    axe(chief)
    chief.get_by_role("button", name="Lägg till anteckning").click()
    assert chief.get_by_text("Anteckningen lades till i utredningen.").is_visible()
    chief.get_by_label("Allvarligt missförhållande", exact=True).check()
    chief.get_by_label("Skäl för bedömningen").fill("Brukarens hälsa hotades när måltiderna uteblev.")
    chief.get_by_role("button", name="Spara bedömning").click()
    assert chief.get_by_text("Bedömt som allvarligt").is_visible()
    axe(chief)
    chief.get_by_label("IVO:s diarienummer").fill("8.5-50001/2026")
    chief.get_by_role("button", name="Registrera anmälan").click()
    assert chief.get_by_text("Anmälan till IVO registrerades.").is_visible()
    axe(chief)
    with chief.expect_download() as download_info:
        chief.get_by_role("link", name="Ladda ner underlag för anmälan till IVO (pdf)").click()
    text = " ".join(p.extract_text() for p in PdfReader(download_info.value.path()).pages)
    for expected in (
        deviation.reference,
        "Allvarligt missförhållande",
        "8.5-50001/2026",
        "Besöken föll bort när insatsen flyttades",
        "Extra besök varje dag",
    ):
        assert expected in text, expected

    # The reporter sees the status only: no investigation, no assessment.
    staff.goto(f"/deviations/{deviation.pk}/")
    assert staff.get_by_text("Brukarens hälsa hotades").count() == 0
    assert staff.get_by_text("8.5-50001/2026").count() == 0
    axe(staff)
