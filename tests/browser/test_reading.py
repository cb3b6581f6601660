"""Read confirmations and processes in Chromium.

The unit manager asks everyone in Hemtjänst Norra to confirm that they have
read an approved routine; the care worker finds it on Min sida, opens it and
confirms; the manager sees the progress. Then the processes: a care worker
reads one, the coordinator reorders an activity. axe checks every page.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ledningssystem.models import Unit, User
from processes.models import ReadConfirmation
from tests.browser.conftest import login
from tests.processes.reading_helpers import make_document

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Rutin för nyckelhantering i hemtjänsten"


def test_manager_asks_worker_confirms_manager_sees_progress(demo, new_page, axe) -> None:
    north = Unit.objects.get(name="Hemtjänst Norra")
    _document, version = make_document(
        owner_unit=north,
        applies_to=[north],
        by=User.objects.get(username="kvalitetssamordnare"),
        title=TITLE,
        owner_role="enhetschef",
    )
    progress_url = f"/routines/{version.document_id}/reading/{version.pk}/"
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()

    manager = new_page()
    login(manager, "enhetschef")
    manager.goto(progress_url)
    assert manager.get_by_role("heading", name="Läskvittenser", level=1).is_visible()
    axe(manager)
    manager.get_by_label("Bekräfta senast").fill(due)
    manager.get_by_label("Meddelande").fill("Nya nyckelskåp från måndag. Läs rutinen.")
    manager.get_by_role("button", name="Begär läskvittens").click()
    manager.wait_for_load_state("domcontentloaded")
    assert manager.get_by_text("Läskvittens har begärts.").is_visible()
    assert manager.get_by_text("0 av 3 har bekräftat.").is_visible()  # Maja, Lena and the manager herself
    axe(manager)

    worker = new_page()
    login(worker, "medarbetare")
    to_read = worker.get_by_role("region", name="Att läsa")
    assert to_read.is_visible()
    assert to_read.get_by_text(due).is_visible()
    axe(worker)
    to_read.get_by_role("link", name=f"{version.document.identifier} {TITLE}").click()
    assert worker.get_by_role("heading", name=f"{version.document.identifier} {TITLE}", level=1).is_visible()
    assert worker.get_by_text("Nya nyckelskåp från måndag.").is_visible()
    axe(worker)
    worker.get_by_role("button", name="Bekräfta att du har läst").click()
    worker.wait_for_load_state("domcontentloaded")
    assert worker.get_by_text("Tack: din läskvittens har sparats.").is_visible()
    assert worker.get_by_text(f"Du bekräftade {timezone.localdate().isoformat()}").is_visible()
    axe(worker)
    assert ReadConfirmation.objects.filter(version=version, person__username="medarbetare").count() == 1
    worker.goto("/")
    assert worker.get_by_role("link", name=f"{version.document.identifier} {TITLE}").count() == 0

    manager.reload()
    assert manager.get_by_text("1 av 3 har bekräftat.").is_visible()
    row = manager.get_by_role("row", name="Hemtjänst Norra")
    assert "Lena Berg" in row.inner_text()
    assert "Maja Lindqvist" not in row.inner_text()
    axe(manager)


def test_processes_are_read_and_reordered(demo, new_page, axe) -> None:
    worker = new_page()
    login(worker, "medarbetare")
    worker.locator("#main-nav").get_by_role("link", name="Processer").click()
    assert worker.get_by_role("heading", name="Processer", level=1).is_visible()
    axe(worker)
    worker.get_by_role("link", name="PR-01 Hantering av avvikelser och lex Sarah").click()
    worker.wait_for_url("**/processes/*/")
    assert worker.get_by_role("heading", name="Steg 1: Upptäcka och rapportera").is_visible()
    assert worker.get_by_text("Behövs, med: Inspektionen för vård och omsorg (IVO)").is_visible()
    assert worker.get_by_role("button", name="Flytta upp").count() == 0
    axe(worker)

    coordinator = new_page()
    login(coordinator, "kvalitetssamordnare")
    coordinator.goto("/processes/")
    coordinator.get_by_label("Sök").fill("inflyttning")
    coordinator.get_by_role("button", name="Filtrera").click()
    coordinator.wait_for_url("**q=inflyttning**")
    assert coordinator.get_by_text("1 process", exact=True).is_visible()
    coordinator.get_by_role("link", name="PR-03 Inflyttning på särskilt boende").click()
    coordinator.wait_for_url("**/processes/*/")
    axe(coordinator)
    coordinator.get_by_role("button", name="Flytta ned: Planera inflyttningen").click()
    coordinator.wait_for_load_state("domcontentloaded")
    assert coordinator.get_by_text("”Planera inflyttningen” flyttades ned.").is_visible()
    assert coordinator.get_by_role("heading", name="Steg 2: Planera inflyttningen").is_visible()
    axe(coordinator)
    coordinator.get_by_role("link", name="Lägg till aktivitet").click()
    coordinator.wait_for_url("**/activities/new/")
    coordinator.get_by_label("Aktivitet (obligatoriskt)").fill("Avskedssamtal med närstående")
    coordinator.get_by_label("Kräver samverkan med andra enheter eller externa parter").check()
    coordinator.get_by_role("button", name="Spara").click()
    coordinator.wait_for_load_state("domcontentloaded")
    assert coordinator.get_by_role("alert").get_by_text("Ange med vem aktiviteten kräver samverkan.").is_visible()
    axe(coordinator)
    coordinator.get_by_role("textbox", name="Samverkan med").fill("Anhörigstödet")
    coordinator.get_by_role("button", name="Spara").click()
    coordinator.wait_for_load_state("domcontentloaded")
    assert coordinator.get_by_role("heading", name="Steg 5: Avskedssamtal med närstående").is_visible()
    axe(coordinator)
