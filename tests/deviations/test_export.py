"""Exports of the deviation inbox: the same rows as the inbox, nothing more, safe to open."""

from __future__ import annotations

import csv
import datetime
import io
from urllib.parse import unquote

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from deviations import services
from deviations.exports import deviation_columns
from deviations.models import Category, Deviation
from ledningssystem import access
from ledningssystem.exports import csv_cell
from ledningssystem.models import BackgroundJob, ReadLogEntry, ReadPurpose
from ledningssystem.models.jobs import JobStatus
from tests.access_matrix import MatrixRow, case_id, cases, check, only
from tests.deviations.conftest import report

INBOX = ["manager_a", "manager_b", "section_head", "director", "quality"]
IDENTITY_COLUMN = "Brukarens identitet"


def with_identity(org, identity: str = "Anna Andersson", reporter: str = "staff_a", unit=None, lex=False):
    return services.deviation_report(
        by=org.people[reporter],
        unit=unit or org.unit_a,
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        description="Fel dos given",
        immediate_measures="",
        category=Category.objects.filter(is_active=True).first(),
        consequence="minor",
        client_affected=True,
        is_lex_sarah=lex,
        client_identity=identity,
    )


def export_csv(client, query: str = "", **data) -> list[list[str]]:
    response = client.post(reverse("deviations:export_csv") + (f"?{query}" if query else ""), data)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="avvikelser-')
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def inbox_references(client, query: str = "") -> list[str]:
    response = client.get(reverse("deviations:inbox") + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return [d.reference for d in response.context["page"].object_list]


@pytest.fixture
def mixed(org):
    """Open and closed, lex Sarah and not, in units A, A2 and B, reported on different days."""
    made = [
        report(org, days_ago=1),
        report(org, lex=True, days_ago=3),
        with_identity(org),
        report(org, "section_head", org.unit_a2, days_ago=5),
        report(org, "staff_b", org.unit_b, days_ago=2),
        report(org, "staff_b", org.unit_b, lex=True, days_ago=4),
    ]
    deviation = services.deviation_receive(deviation=made[0], by=org.manager_a, version=None)
    services.deviation_close_without_action(deviation=deviation, by=org.manager_a, version=None, reason="Dubblett")
    # Spread the report times so that sorting means something.
    for i, d in enumerate(made):
        Deviation.objects.filter(pk=d.pk).update(reported_at=timezone.now() - datetime.timedelta(days=i, hours=i))
    return made


# --- The same rows as the inbox ----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "status=open",
        "status=closed_no_action",
        "lex_sarah=yes",
        "lex_sarah=no",
        "sort=reported_at",
        "sort=unit",
        "unit={unit_a}",
        "unit={section_1}&lex_sarah=no&sort=status",
        "category={category}",
        "date_from={three_days_ago}",
        "date_to={three_days_ago}",
        "page=2",
    ],
)
@pytest.mark.parametrize("persona", ["director", "manager_a", "section_head", "manager_b"])
def test_exported_rows_are_the_inbox_rows_for_the_same_filters(org, client_for, mixed, persona, query) -> None:
    query = query.format(
        unit_a=org.unit_a.pk,
        section_1=org.section_1.pk,
        category=Category.objects.filter(is_active=True).first().pk,
        three_days_ago=(timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
    )
    client = client_for(persona)
    inbox = client.get(reverse("deviations:inbox") + "?" + query.replace("page=2", ""))  # every row, not one page
    if inbox.context["form"].errors:
        # A unit outside the person's scope: the inbox ignores it, an export refuses.
        assert client.post(reverse("deviations:export_csv") + "?" + query).status_code == 302
        return
    rows = export_csv(client, query)
    assert [r[0] for r in rows[1:]] == [d.reference for d in inbox.context["page"].object_list]


def test_the_columns_are_in_swedish_with_local_times(org, client_for) -> None:
    deviation = report(org)
    Deviation.objects.filter(pk=deviation.pk).update(
        reported_at=datetime.datetime(2026, 1, 15, 23, 30, tzinfo=datetime.UTC)
    )
    header, row = export_csv(client_for("manager_a"))
    assert header == [
        "Referensnummer",
        "Rapporterad",
        "Enhet",
        "Kategori",
        "Bedömd konsekvens",
        "Status",
        "Lex Sarah",
        "Handläggare",
        "När det hände",
        "Avslutad",
    ]
    assert row[0] == deviation.reference
    assert row[1] == "2026-01-16 00:30"  # Stockholm is an hour ahead in winter
    assert row[2] == "Enhet A"
    assert row[6] == "Nej"
    assert row[9] == ""


@pytest.mark.parametrize("persona", INBOX)
def test_rows_the_person_may_not_handle_are_never_exported(org, client_for, mixed, persona) -> None:
    exported = {r[0] for r in export_csv(client_for(persona))[1:]}
    allowed = set(access.for_user(org.people[persona], Deviation, "handle").values_list("reference", flat=True))
    assert exported == allowed
    if persona == "manager_a":
        # Neither the lex Sarah report of their own unit nor anything of unit B.
        assert exported == {mixed[0].reference, mixed[2].reference}


# --- The restricted column ------------------------------------------------------


def test_client_identity_only_when_asked(org, client_for) -> None:
    deviation = with_identity(org, "Anna Andersson")
    client = client_for("manager_a")
    plain = export_csv(client)
    assert IDENTITY_COLUMN not in plain[0]
    assert "Anna Andersson" not in str(plain)
    asked = export_csv(client, include_identity="on")
    assert asked[0][-1] == IDENTITY_COLUMN
    assert asked[1][0] == deviation.reference
    assert asked[1][-1] == "Anna Andersson"


def test_client_identity_only_on_rows_the_person_may_handle(org) -> None:
    deviation = with_identity(org, "Anna Andersson")
    row = Deviation.objects.select_related("unit", "client_identity").get(pk=deviation.pk)
    identity = deviation_columns(org.manager_b, include_identity=True)[-1]
    assert identity.value(row) == ""
    assert deviation_columns(org.manager_a, include_identity=True)[-1].value(row) == "Anna Andersson"


def test_client_identity_of_a_lex_sarah_report_needs_the_lex_sarah_capability(org, client_for) -> None:
    with_identity(org, "Bo Berg", lex=True)
    assert "Bo Berg" not in str(export_csv(client_for("manager_a"), include_identity="on"))
    assert "Bo Berg" in str(export_csv(client_for("director"), include_identity="on"))


# --- Formula injection -------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+2", "+46", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_would_start_a_formula_is_escaped(text) -> None:
    assert csv_cell(text) == "'" + text
    assert csv_cell("Anna " + text) == "Anna " + text
    assert csv_cell(-2) == "-2"  # a number is a number


def test_a_formula_in_the_data_is_text_in_csv_and_excel(org, client_for, django_capture_on_commit_callbacks) -> None:
    with_identity(org, '=HYPERLINK("http://evil.example";"klicka")')
    org.unit_a.name = "@Enhet A"
    org.unit_a.save()
    client = client_for("manager_a")
    row = export_csv(client, include_identity="on")[1]
    assert row[2] == "'@Enhet A"
    assert row[-1] == "'" + '=HYPERLINK("http://evil.example";"klicka")'
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("deviations:export_excel"), {"include_identity": "on"})
    job = BackgroundJob.objects.get()
    sheet = load_workbook(job.result.open("rb")).active
    cells = next(sheet.iter_rows(min_row=2, max_row=2))
    assert response.status_code == 302
    assert cells[2].value == "@Enhet A" and cells[2].data_type == "s"
    assert cells[-1].data_type == "s"


# --- Excel ---------------------------------------------------------------------------


def test_the_excel_export_is_a_job_with_the_inbox_rows(
    org, client_for, mixed, django_capture_on_commit_callbacks
) -> None:
    client = client_for("section_head")
    query = "status=open&sort=reported_at"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("deviations:export_excel") + "?" + query)
    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == JobStatus.DONE
    assert job.result_name.startswith("avvikelser-") and job.result_name.endswith(".xlsx")
    sheet = load_workbook(job.result.open("rb")).active
    values = list(sheet.values)
    assert values[0][0] == "Referensnummer"
    assert [v[0] for v in values[1:]] == inbox_references(client, query)
    assert isinstance(values[1][1], datetime.datetime)  # a real date Excel can sort
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    assert client_for("director").get(reverse("job_download", args=[job.pk])).status_code == 404


# --- The read log -------------------------------------------------------------------


def test_every_sensitive_row_exported_is_in_the_read_log(
    org, client_for, mixed, django_capture_on_commit_callbacks
) -> None:
    export_csv(client_for("director"))
    with django_capture_on_commit_callbacks(execute=True):
        client_for("director").post(reverse("deviations:export_excel"))
    logged = sorted(ReadLogEntry.objects.values_list("object_id", "purpose", "person__username"))
    sensitive = [mixed[1], mixed[2], mixed[5]]  # two lex Sarah reports, one with a client identity
    expected = sorted((str(d.pk), ReadPurpose.EXPORTED, "director") for d in sensitive for _copy in range(2))
    assert logged == expected


def test_exporting_ordinary_rows_logs_nothing(org, client_for, mixed) -> None:
    export_csv(client_for("director"), f"lex_sarah=no&unit={org.unit_a2.pk}")
    export_csv(client_for("manager_b"))  # an ordinary deviation of unit B
    assert not ReadLogEntry.objects.exists()


# --- Queries -------------------------------------------------------------------------


def test_the_csv_export_does_not_query_per_row(org, client_for) -> None:
    client = client_for("director")
    url = reverse("deviations:export_csv") + "?include_identity=on"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, {"include_identity": "on"})
            b"".join(response.streaming_content)
        return len(queries)

    for i in range(3):
        with_identity(org, f"Klient {i}", lex=bool(i % 2))
    count()  # content types and session warm
    few = count()
    for i in range(30):
        with_identity(org, f"Klient {i}", lex=bool(i % 2))
        report(org)
    # session, user, anchors, the unit choices' check, the rows (one cursor),
    # one INSERT into the read log per chunk, the session save
    assert count() == few
    assert few <= 8


# --- Bad input and access -------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["date_from=igår", "status=borta", "unit=999999", "category=abc", "sort=hemligt"],
)
@pytest.mark.parametrize("kind", ["export_csv", "export_excel"])
def test_invalid_filters_give_a_swedish_error_and_no_file(org, client_for, mixed, query, kind) -> None:
    client = client_for("director")
    response = client.post(reverse(f"deviations:{kind}") + "?" + query)
    assert response.status_code == 302
    assert unquote(response["Location"]) == reverse("deviations:inbox") + "?" + query
    assert "Content-Disposition" not in response
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Inget exporterades: rätta filtren som är markerade nedan och försök igen."
    ]
    assert not BackgroundJob.objects.exists()
    assert not ReadLogEntry.objects.exists()


def test_a_unit_outside_the_persons_scope_is_an_invalid_filter(org, client_for) -> None:
    response = client_for("manager_a").post(reverse("deviations:export_csv") + f"?unit={org.unit_b.pk}")
    assert response.status_code == 302


def test_exports_are_posted(org, client_for) -> None:
    assert client_for("director").get(reverse("deviations:export_csv")).status_code == 405
    assert client_for("director").get(reverse("deviations:export_excel")).status_code == 405


def test_the_inbox_offers_the_exports_with_its_filters(org, client_for, mixed) -> None:
    html = client_for("director").get(reverse("deviations:inbox") + "?status=open&page=1").content.decode()
    assert f'formaction="{reverse("deviations:export_csv")}?status=open"' in html
    assert f'formaction="{reverse("deviations:export_excel")}?status=open"' in html
    assert 'name="include_identity"' in html


ROWS = [
    MatrixRow("deviations:export_csv", method="post", expect=only(200, INBOX, 403)),
    MatrixRow("deviations:export_excel", method="post", expect=only(302, INBOX, 403)),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row: MatrixRow, persona: str, org, client_for) -> None:
    check(row, persona, org, client_for)


@pytest.mark.django_db(transaction=True)
def test_a_long_export_logs_each_chunk_as_it_streams(monkeypatch) -> None:
    """Outside a test transaction, as in production: the cursor reading the rows
    stays open while each chunk's read log rows are committed (PostgreSQL's
    server-side cursor must survive those commits)."""
    from deviations.defaults import ensure_default_categories
    from tests.conftest import build_org

    ensure_default_categories()
    org = build_org()
    monkeypatch.setattr("ledningssystem.exports.EXPORT_CHUNK_SIZE", 3)
    made = [with_identity(org, f"Klient {i}", lex=bool(i % 2)) for i in range(7)] + [report(org)]
    client = Client()
    client.force_login(org.director)
    rows = export_csv(client)
    assert len(rows) == 1 + len(made)
    assert ReadLogEntry.objects.count() == 7
