"""Reporting, references, workflow, lex Sarah visibility, handover, query counts."""

from __future__ import annotations

import datetime
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deviations import services
from deviations.models import Category, ClientIdentity, Deviation, Status
from ledningssystem import services as org_services
from ledningssystem.services import ConflictError, DomainError
from tests.deviations.conftest import report


def form(org, **extra) -> dict:
    occurred = timezone.localtime() - datetime.timedelta(hours=3)
    data = {
        "unit": org.unit_a.pk,
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "description": "Brukaren föll i hallen",
        "category": Category.objects.first().pk,
        "consequence": "minor",
    }
    data.update(extra)
    return data


def test_references_count_up_per_year(org) -> None:
    year = timezone.localdate().year
    first, second = report(org), report(org)
    assert first.reference == f"AVV-{year}-00001"
    assert second.reference == f"AVV-{year}-00002"
    assert services.reference_next(prefix="AVV", year=year + 1) == f"AVV-{year + 1}-00001"


@pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""), reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_references_never_collide_under_concurrent_reports() -> None:
    from django.db import connections, transaction

    def allocate(_i: int) -> str:
        try:
            with transaction.atomic():
                return services.reference_next(prefix="TST", year=2030)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        references = list(pool.map(allocate, range(40)))
    assert len(set(references)) == 40


def test_report_records_history_and_client_identity(org, client_for) -> None:
    response = client_for("staff_a").post(reverse("deviations:report"), form(org, client_identity="Anna A"))
    deviation = Deviation.objects.get()
    assert response["Location"] == reverse("deviations:receipt", args=[deviation.pk])
    assert deviation.reported_by == org.staff_a
    assert deviation.client_affected
    assert ClientIdentity.objects.get(deviation=deviation).identity == "Anna A"
    record = deviation.history.get()
    assert (record.history_user, record.history_change_reason) == (org.staff_a, "deviation.reported")


def test_personal_number_in_free_text_is_caught_and_moved(org, client_for) -> None:
    client = client_for("staff_a")
    data = form(org, description="Brukaren 19121212-1212 föll i hallen")
    first = client.post(reverse("deviations:report"), data)
    assert first.status_code == 200
    assert 'href="#id_personal_number_choice_0"' in first.content.decode()
    assert not Deviation.objects.exists()
    client.post(reverse("deviations:report"), {**data, "personal_number_choice": "move"})
    deviation = Deviation.objects.get()
    assert "19121212-1212" not in deviation.description
    assert ClientIdentity.objects.get(deviation=deviation).identity == "19121212-1212"
    assert "19121212-1212" not in str(list(deviation.history.values_list("description", flat=True)))


def test_personal_number_can_be_kept_when_it_is_not_one(org, client_for) -> None:
    data = form(org, description="Order 19121212-1212 levererades fel", personal_number_choice="keep")
    client_for("staff_a").post(reverse("deviations:report"), data)
    assert "19121212-1212" in Deviation.objects.get().description


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", ""),
        ("description", "x" * 10_001),
        ("occurred_at", "2999-01-01T10:00"),
        ("occurred_at", "igår"),
        ("consequence", "huge"),
        ("category", "999999"),
        ("unit", "abc"),
    ],
)
def test_bad_report_input_saves_nothing(org, client_for, field, value) -> None:
    response = client_for("staff_a").post(reverse("deviations:report"), form(org, **{field: value}))
    assert response.status_code == 200
    assert f'href="#id_{field}' in response.content.decode()
    assert not Deviation.objects.exists()


def test_reporting_outside_ones_units_is_refused(org, client_for) -> None:
    response = client_for("staff_b").post(reverse("deviations:report"), form(org))
    assert response.status_code == 200
    assert not Deviation.objects.exists()


def test_double_submit_creates_one_report(org, client_for) -> None:
    client = client_for("staff_a")
    data = form(org, form_token="once")
    assert client.post(reverse("deviations:report"), data).status_code == 302
    assert client.post(reverse("deviations:report"), data).status_code == 302
    assert Deviation.objects.count() == 1


def test_workflow_to_closure_and_the_reporter_reads_the_result(org, client_for, deviation_a) -> None:
    manager = client_for("manager_a")
    for name in ("receive", "investigate"):
        deviation_a.refresh_from_db()
        manager.post(reverse("deviations:transition", args=[deviation_a.pk, name]), {"version": deviation_a.version})
    deviation_a.refresh_from_db()
    assert (deviation_a.status, deviation_a.handler) == (Status.INVESTIGATING, org.manager_a)
    manager.post(
        reverse("deviations:transition", args=[deviation_a.pk, "close"]),
        {"version": deviation_a.version, "conclusion": "Halkskydd har satts upp i badrummet."},
    )
    deviation_a.refresh_from_db()
    assert deviation_a.status == Status.CLOSED
    page = client_for("staff_a").get(reverse("deviations:detail", args=[deviation_a.pk])).content.decode()
    assert "Halkskydd har satts upp" in page
    reasons = list(deviation_a.history.values_list("history_change_reason", flat=True))
    assert reasons[:3] == ["deviation.closed", "deviation.investigation_started", "deviation.received"]


def test_transitions_outside_the_table_are_refused(org, deviation_a) -> None:
    with pytest.raises(DomainError):
        services.deviation_close(deviation=deviation_a, by=org.manager_a, version=None, conclusion="Klart")
    with pytest.raises(DomainError):
        services.deviation_start_investigation(deviation=deviation_a, by=org.manager_a, version=None)
    with pytest.raises(DomainError):
        services.deviation_close_without_action(deviation=deviation_a, by=org.manager_a, version=None, reason=" ")
    closed = services.deviation_close_without_action(
        deviation=deviation_a, by=org.manager_a, version=None, reason="Dubblett av tidigare rapport"
    )
    reopened = services.deviation_reopen(deviation=closed, by=org.manager_a, version=None, reason="Ny information")
    assert reopened.status == Status.INVESTIGATING
    assert reopened.closed_at is None


def test_concurrent_handling_is_refused_not_overwritten(org, deviation_a) -> None:
    seen = deviation_a.version
    services.deviation_receive(deviation=deviation_a, by=org.manager_a, version=seen)
    with pytest.raises(ConflictError):
        services.deviation_close_without_action(
            deviation=deviation_a, by=org.section_head, version=seen, reason="Inget att göra"
        )
    assert Deviation.objects.get(pk=deviation_a.pk).status == Status.RECEIVED


def test_lex_sarah_is_hidden_from_unit_managers_and_shows_only_status_to_the_reporter(org, client_for, lex_a) -> None:
    assert client_for("manager_a").get(reverse("deviations:detail", args=[lex_a.pk])).status_code == 404
    inbox = client_for("manager_a").get(reverse("deviations:inbox")).content.decode()
    assert lex_a.reference not in inbox
    assert lex_a.reference in client_for("quality").get(reverse("deviations:inbox")).content.decode()
    reporter_page = client_for("staff_a").get(reverse("deviations:detail", args=[lex_a.pk])).content.decode()
    assert lex_a.reference in reporter_page
    assert "lämnats utan mat" not in reporter_page


def test_assigned_investigator_sees_a_lex_sarah_case(org, client_for, lex_a) -> None:
    services.deviation_assign(deviation=lex_a, by=org.quality, version=None, handler=org.director)
    with pytest.raises(DomainError):  # a unit manager lacks the lex Sarah capability
        services.deviation_assign(deviation=lex_a, by=org.quality, version=None, handler=org.manager_a)


def test_inbox_filters_and_counts_only_what_is_in_scope(org, client_for, deviation_a, deviation_b, lex_a) -> None:
    client = client_for("section_head")
    response = client.get(reverse("deviations:inbox"))
    assert response.context["page"].paginator.count == 1
    everything = client_for("quality").get(reverse("deviations:inbox"), {"lex_sarah": "yes"})
    assert [d.pk for d in everything.context["page"].object_list] == [lex_a.pk]
    by_unit = client_for("quality").get(reverse("deviations:inbox"), {"unit": org.unit_b.pk})
    assert [d.pk for d in by_unit.context["page"].object_list] == [deviation_b.pk]
    bad = client_for("quality").get(reverse("deviations:inbox"), {"unit": "x", "date_from": "2026-99-99"})
    assert bad.status_code == 200


def test_deactivating_a_handler_hands_open_deviations_over(org, deviation_a) -> None:
    services.deviation_receive(deviation=deviation_a, by=org.manager_a, version=None)
    with pytest.raises(DomainError):
        org_services.person_deactivate(person=org.manager_a, by=org.admin, successor=None, transfer_roles=False)
    org_services.person_deactivate(person=org.manager_a, by=org.admin, successor=org.section_head, transfer_roles=False)
    assert Deviation.objects.get(pk=deviation_a.pk).handler == org.section_head


@pytest.mark.parametrize(
    ("persona", "name", "bound"),
    # Each bound includes the navbar's unread notification count.
    [("manager_a", "deviations:inbox", 13), ("staff_a", "deviations:mine", 9), ("manager_a", "deviations:detail", 18)],
)
def test_query_counts_do_not_grow(org, client_for, django_assert_max_num_queries, persona, name, bound) -> None:
    first = report(org)
    client = client_for(persona)
    url = reverse(name, args=[first.pk]) if name == "deviations:detail" else reverse(name)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(30):
        report(org)
    with django_assert_max_num_queries(bound):
        client.get(url)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_investigation_causes_and_similar_cases(org, client_for, django_assert_max_num_queries) -> None:
    from deviations.models import CauseCategory, IdentifiedCause

    earlier = report(org, days_ago=30, text="Tidigare fall i badrummet")
    current = report(org)
    services.deviation_receive(deviation=current, by=org.manager_a, version=None)
    current = services.deviation_start_investigation(deviation=current, by=org.manager_a, version=None)
    client = client_for("manager_a")
    page = client.get(reverse("deviations:detail", args=[current.pk]))
    assert earlier.reference in page.content.decode()  # suggested as similar
    response = client.post(
        reverse("deviations:investigation", args=[current.pk]),
        {
            "version": current.version,
            "investigation_method": "five_whys",
            "findings": "Halkskyddet var borttaget efter städning.",
            "recurrence_risk": "high",
            "related": [earlier.pk],
        },
    )
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.investigation_method == "five_whys"
    assert list(current.related.all()) == [earlier]
    category = CauseCategory.objects.get(name="Rutiner och riktlinjer")
    client.post(
        reverse("deviations:cause_add", args=[current.pk]),
        {"category": category.pk, "description": "Städrutinen saknar moment om halkskydd"},
    )
    cause = IdentifiedCause.objects.get(deviation=current)
    assert cause.history.get().history_change_reason == "deviation.cause_added"
    bad = client.post(reverse("deviations:cause_add", args=[current.pk]), {"category": category.pk, "description": ""})
    assert 'href="#cause_description"' in bad.content.decode()
    assert IdentifiedCause.objects.filter(deviation=current).count() == 1
    stale = client.post(
        reverse("deviations:investigation", args=[current.pk]),
        {"version": 1, "investigation_method": "simple", "findings": "Äldre version", "related": []},
    )
    assert stale.status_code == 200
    current.refresh_from_db()
    assert current.investigation_method == "five_whys"
    # More causes and similar cases do not add queries.
    client.get(reverse("deviations:detail", args=[current.pk]))
    for i in range(10):
        report(org, days_ago=40 + i)
        IdentifiedCause.objects.create(deviation=current, category=category, description=f"Orsak {i}")
    # + actions, their causes' form, owners, the organisation's settings, the notification badge
    with django_assert_max_num_queries(22):
        client.get(reverse("deviations:detail", args=[current.pk]))
    client.post(reverse("deviations:cause_remove", args=[current.pk, cause.pk]))
    assert not IdentifiedCause.objects.filter(pk=cause.pk).exists()


def test_links_the_editor_cannot_see_are_kept(org, client_for) -> None:
    lex = report(org, lex=True, days_ago=20)
    current = report(org)
    services.deviation_receive(deviation=current, by=org.quality, version=None)
    current = services.deviation_start_investigation(deviation=current, by=org.quality, version=None)
    current = services.deviation_record_investigation(
        deviation=current,
        by=org.quality,
        version=None,
        method="simple",
        findings="Se lex Sarah-ärendet",
        recurrence_risk="",
        related=[lex],
    )
    client = client_for("manager_a")
    page = client.get(reverse("deviations:detail", args=[current.pk])).content.decode()
    assert lex.reference not in page
    client.post(
        reverse("deviations:investigation", args=[current.pk]),
        {"version": current.version, "investigation_method": "simple", "findings": "Kompletterat", "related": []},
    )
    assert list(Deviation.objects.get(pk=current.pk).related.all()) == [lex]


def test_a_former_handler_loses_the_case_with_the_role(org, client_for, deviation_a) -> None:
    services.deviation_receive(deviation=deviation_a, by=org.manager_a, version=None)
    assignment = org.manager_a.assignments.get()
    org_services.assignment_end(
        assignment=assignment, end_date=timezone.localdate() - datetime.timedelta(days=1), by=org.admin
    )
    client = client_for("manager_a")
    assert client.get(reverse("deviations:detail", args=[deviation_a.pk])).status_code == 404
    assert (
        client.post(
            reverse("deviations:transition", args=[deviation_a.pk, "investigate"]), {"version": deviation_a.version}
        ).status_code
        == 404
    )


def test_handover_never_gives_a_case_to_someone_who_may_not_see_it(org, client_for, lex_a) -> None:
    services.deviation_assign(deviation=lex_a, by=org.quality, version=None, handler=org.director)
    deputy = org.manager_b  # a unit manager elsewhere: no lex Sarah capability
    org_services.person_deactivate(person=org.director, by=org.admin, successor=deputy, transfer_roles=False)
    lex_a.refresh_from_db()
    assert lex_a.handler is None
    assert client_for("manager_b").get(reverse("deviations:detail", args=[lex_a.pk])).status_code == 404


def test_closed_cases_move_only_by_reopening(org, deviation_a) -> None:
    closed = services.deviation_close_without_action(
        deviation=deviation_a, by=org.manager_a, version=None, reason="Dubblett"
    )
    with pytest.raises(DomainError):
        services.deviation_start_investigation(deviation=closed, by=org.manager_a, version=None)
    with pytest.raises(DomainError):
        services.deviation_assign(deviation=closed, by=org.manager_a, version=None, handler=org.section_head)
    reopened = services.deviation_reopen(deviation=closed, by=org.manager_a, version=None, reason="Ny uppgift")
    with pytest.raises(DomainError):
        services.deviation_reopen(deviation=reopened, by=org.manager_a, version=None, reason="Igen")


@pytest.mark.parametrize("query", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}, {"date_from": "x"}])
def test_inbox_survives_extreme_dates(org, client_for, deviation_a, query) -> None:
    assert client_for("manager_a").get(reverse("deviations:inbox"), query).status_code == 200


def test_one_bad_filter_does_not_drop_the_others(org, client_for, deviation_a) -> None:
    services.deviation_close_without_action(deviation=deviation_a, by=org.manager_a, version=None, reason="Klart")
    report(org)
    query = {"status": "closed_no_action", "unit": "999999"}
    response = client_for("manager_a").get(reverse("deviations:inbox"), query)
    assert [d.pk for d in response.context["page"].object_list] == [deviation_a.pk]
    assert "id_unit_error" in response.content.decode()


def test_a_cause_appears_in_the_deviation_history(org, deviation_a) -> None:
    from deviations.models import CauseCategory

    services.deviation_receive(deviation=deviation_a, by=org.manager_a, version=None)
    deviation = services.deviation_start_investigation(deviation=deviation_a, by=org.manager_a, version=None)
    services.cause_add(
        deviation=deviation, by=org.manager_a, category=CauseCategory.objects.first(), description="Rutin saknas"
    )
    assert deviation.history.first().history_change_reason == "deviation.cause_added"


def test_a_submit_already_in_flight_is_not_repeated(org, client_for) -> None:
    from django.core.cache import cache

    client = client_for("staff_a")
    client.get(reverse("deviations:report"))
    cache.add(f"form-token:{client.session.session_key}:inflight", 1, timeout=60)
    response = client.post(reverse("deviations:report"), form(org, form_token="inflight"))
    assert response.status_code == 302
    assert not Deviation.objects.exists()


def test_moving_a_number_that_does_not_fit_is_refused(org, client_for) -> None:
    data = form(
        org, description="Brukaren 19121212-1212 föll", client_identity="x" * 195, personal_number_choice="move"
    )
    response = client_for("staff_a").post(reverse("deviations:report"), data)
    assert 'href="#id_client_identity"' in response.content.decode()
    assert not Deviation.objects.exists()


def test_a_refused_step_shows_its_error_at_the_field_and_keeps_the_text(org, client_for, deviation_a) -> None:
    client = client_for("manager_a")
    response = client.post(
        reverse("deviations:transition", args=[deviation_a.pk, "close-without-action"]),
        {"version": deviation_a.version, "conclusion": "   "},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-describedby="text-close-without-action-error"' in html
    deviation_a.refresh_from_db()
    response = client.post(
        reverse("deviations:transition", args=[deviation_a.pk, "close-without-action"]),
        {"version": deviation_a.version - 1, "conclusion": "Min långa motivering"},
    )
    assert "Min långa motivering" in response.content.decode()
    assert Deviation.objects.get(pk=deviation_a.pk).status == Status.REPORTED
