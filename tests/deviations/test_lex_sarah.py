"""The lex Sarah path: protect, document, assess, notify IVO, close; the IVO PDF; deadlines."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from deviations import legal, services
from deviations.deadlines import deadlines_for
from deviations.models import Assessment, DeviationSettings, InvestigationEntry, Status
from ledningssystem.services import DomainError
from tests.deviations.conftest import report


def lex_investigating(org):
    deviation = report(org, lex=True, text="Brukaren lämnades utan tillsyn en hel natt")
    deviation = services.deviation_receive(deviation=deviation, by=org.director, version=None)
    return services.deviation_start_investigation(deviation=deviation, by=org.director, version=None)


def entry(org, deviation, topic="what_reported", **extra):
    values = {
        "deviation": deviation,
        "by": org.director,
        "documented_on": timezone.localdate(),
        "topic": topic,
        "kind": "fact",
        "source": "Samtal med nattpersonal",
        "text": "Larmet var avstängt mellan 22 och 06.",
        "author_title": "Förvaltningschef",
    }
    values.update(extra)
    return services.lex_add_entry(**values)


def test_protective_measures_only_on_lex_sarah_and_while_open(org) -> None:
    ordinary = report(org)
    with pytest.raises(DomainError):
        services.lex_record_protective_measures(deviation=ordinary, by=org.manager_a, version=None, text="x")
    lex = report(org, lex=True)
    with pytest.raises(DomainError) as empty:
        services.lex_record_protective_measures(deviation=lex, by=org.director, version=None, text="  ")
    assert empty.value.field == "protective_measures"
    lex = services.lex_record_protective_measures(deviation=lex, by=org.director, version=None, text="Extra tillsyn")
    assert lex.protective_measures_at is not None
    assert lex.handler == org.director


def test_entries_are_dated_sourced_and_checked(org) -> None:
    deviation = lex_investigating(org)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as future:
        entry(org, deviation, documented_on=tomorrow)
    assert future.value.field == "documented_on"
    with pytest.raises(DomainError) as no_source:
        entry(org, deviation, source=" ")
    assert no_source.value.field == "source"
    with pytest.raises(DomainError):
        entry(org, deviation, topic="gossip")
    assert InvestigationEntry.objects.count() == 0
    written = entry(org, deviation, kind="assessment")
    assert written.author == org.director and written.author_title == "Förvaltningschef"


def test_entries_need_an_investigation(org) -> None:
    deviation = report(org, lex=True)
    with pytest.raises(DomainError):
        entry(org, deviation)


def test_assessment_ivo_and_closing_rules(org) -> None:
    deviation = lex_investigating(org)
    with pytest.raises(DomainError):
        services.deviation_close(deviation=deviation, by=org.director, version=None, conclusion="Klart")
    with pytest.raises(DomainError) as not_serious:
        services.lex_record_ivo_notification(
            deviation=deviation,
            by=org.director,
            version=None,
            notified_on=timezone.localdate(),
            reference="",
            decided_by=org.director,
        )
    assert not_serious.value.field == "notified_on"
    deviation = services.lex_assess(
        deviation=deviation, by=org.director, version=None, assessment=Assessment.SERIOUS, reason="Liv och hälsa"
    )
    with pytest.raises(DomainError):
        services.deviation_close(deviation=deviation, by=org.director, version=None, conclusion="Klart")
    with pytest.raises(DomainError):
        services.deviation_close_without_action(deviation=deviation, by=org.director, version=None, reason="Inget")
    # Only someone who handles lex Sarah reports for the unit can have decided.
    with pytest.raises(DomainError) as wrong_person:
        services.lex_record_ivo_notification(
            deviation=deviation,
            by=org.director,
            version=None,
            notified_on=timezone.localdate(),
            reference="8.5-12345/2026",
            decided_by=org.manager_a,
        )
    assert wrong_person.value.field == "decided_by"
    deviation = services.lex_record_ivo_notification(
        deviation=deviation,
        by=org.director,
        version=None,
        notified_on=timezone.localdate(),
        reference="8.5-12345/2026",
        decided_by=org.director,
    )
    # Once notified, the assessment cannot be lowered.
    with pytest.raises(DomainError):
        services.lex_assess(deviation=deviation, by=org.director, version=None, assessment="none", reason="x")
    closed = services.deviation_close(deviation=deviation, by=org.director, version=None, conclusion="Beslut")
    assert closed.status == Status.CLOSED
    learned = services.deviation_record_learning(deviation=closed, by=org.director, version=None, text="Larmrutin")
    assert learned.learning == "Larmrutin"


def test_legal_references_follow_the_date_of_the_event(db) -> None:
    before = legal.references_on(datetime.date(2025, 6, 30), ["report-duty"])
    after = legal.references_on(datetime.date(2025, 7, 1), ["report-duty"])
    assert before[0].citation == "SoL (2001:453) 14 kap. 3 §" and before[0].verified
    assert "2025:400" in after[0].citation and not after[0].verified
    assert "14 kap" not in after[0].citation


def test_ivo_pdf_holds_the_case_and_not_the_client(org, client_for) -> None:
    from deviations.models import ClientIdentity

    deviation = lex_investigating(org)
    ClientIdentity.objects.create(deviation=deviation, identity="Karl Karlsson 19121212-1212")
    services.lex_record_protective_measures(
        deviation=deviation, by=org.director, version=None, text="Extra nattillsyn ordnades"
    )
    entry(org, deviation, topic="causes", text="Larmet hade stängts av vid byte av batteri")
    services.lex_assess(
        deviation=deviation, by=org.director, version=None, assessment="serious_risk", reason="Risk för liv"
    )
    response = client_for("director").get(reverse("deviations:ivo_pdf", args=[deviation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Underlag för anmälan till IVO",
        deviation.reference,
        "Extra nattillsyn ordnades",
        "Larmet hade stängts av vid byte av batteri",
        "Påtaglig risk för allvarligt missförhållande",
        "Socialnämnden",
        "Sida 1 av",
    ):
        assert expected in text, expected
    assert "Karl Karlsson" not in text and "19121212" not in text


@pytest.mark.parametrize(
    "persona, status", [("manager_a", 404), ("staff_a", 404), ("committee", 404), ("quality", 200)]
)
def test_ivo_pdf_only_for_lex_sarah_handlers(org, client_for, persona, status) -> None:
    deviation = report(org, "colleague_a", lex=True)
    assert client_for(persona).get(reverse("deviations:ivo_pdf", args=[deviation.pk])).status_code == status


def test_deadlines_and_overdue_filter(org, client_for) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        late = report(org, lex=True, text="Sen rapport", days_ago=0)
        on_time = report(org, text="Mottagen i tid", days_ago=0)
        services.deviation_receive(deviation=on_time, by=org.manager_a, version=None)
    assert any(d.is_late for d in deadlines_for(late))
    page = client_for("director").get(reverse("deviations:inbox"), {"overdue": "on"}).content.decode()
    assert late.reference in page and on_time.reference not in page
    settings_row = DeviationSettings.current()
    settings_row.receive_within_days = 30
    settings_row.investigation_start_days = 30
    settings_row.save()
    page = client_for("director").get(reverse("deviations:inbox"), {"overdue": "on"}).content.decode()
    assert late.reference not in page


def test_settings_page_for_system_administrators_only(org, client_for) -> None:
    url = reverse("deviations:settings")
    for persona in ("director", "quality", "manager_a", "committee"):
        assert client_for(persona).get(url).status_code == 403
    admin = client_for("admin")
    assert admin.get(url).status_code == 200
    bad = admin.post(
        url,
        {
            "version": 1,
            "receive_within_days": "0",
            "investigation_start_days": "x",
            "ivo_notification_days": "7",
            "action_due_soon_days": "7",
            "form_token": "a",
        },
    )
    assert bad.status_code == 200
    assert DeviationSettings.current().receive_within_days == 3
    good = admin.post(
        url,
        {
            "version": 1,
            "receive_within_days": "5",
            "investigation_start_days": "1",
            "ivo_notification_days": "3",
            "action_due_soon_days": "10",
            "form_token": "b",
        },
    )
    assert good.status_code == 302
    current = DeviationSettings.current()
    assert (current.receive_within_days, current.close_requires_finished_actions) == (5, False)
    stale = admin.post(
        url,
        {
            "version": 1,
            "receive_within_days": "9",
            "investigation_start_days": "1",
            "ivo_notification_days": "3",
            "action_due_soon_days": "10",
            "form_token": "c",
        },
    )
    assert stale.status_code == 200
    assert DeviationSettings.current().receive_within_days == 5


def test_lex_page_flow_through_the_browser_forms(org, client_for) -> None:
    deviation = lex_investigating(org)
    director = client_for("director")
    url = reverse("deviations:detail", args=[deviation.pk])
    page = director.get(url).content.decode()
    assert "Vad dokumentationen ska visa" in page and "SoL (2001:453)" not in page
    response = director.post(
        reverse("deviations:lex_entry", args=[deviation.pk]),
        {"documented_on": "", "topic": "", "kind": "fact", "source": "", "text": "", "author_title": ""},
    )
    assert response.status_code == 200 and InvestigationEntry.objects.count() == 0
    response = director.post(
        reverse("deviations:lex_assess", args=[deviation.pk]),
        {"version": deviation.version, "assessment": "serious", "assessment_reason": "Allvarligt"},
    )
    assert response.status_code == 302
    assert "Anmälan till IVO" in director.get(url).content.decode()
