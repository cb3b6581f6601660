"""The read log: who opened a sensitive record, append-only, shown to those with the right."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deviations import services
from deviations.models import Category, Deviation
from ledningssystem import readlog
from ledningssystem.models import ReadLogEntry, ReadPurpose
from ledningssystem.models.readlog import AppendOnlyError
from tests.access_matrix import MatrixRow, case_id, cases, check, only
from tests.deviations.conftest import report

HANDLE_A = ["manager_a", "section_head", "director", "quality"]
LEX_A = ["director", "quality"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def with_identity(org, reporter: str = "staff_a", unit=None, *, attachment: bool = False) -> Deviation:
    return services.deviation_report(
        by=org.people[reporter],
        unit=unit or org.unit_a,
        occurred_at=timezone.now() - datetime.timedelta(days=1),
        description="Fel dos given",
        immediate_measures="",
        category=Category.objects.filter(is_active=True).first(),
        consequence="minor",
        client_affected=True,
        is_lex_sarah=False,
        client_identity="Anna Andersson",
        attachments=[(SimpleUploadedFile("bild.png", PNG), "image/png")] if attachment else None,
    )


def reads(obj) -> list[tuple[str, str]]:
    return [(e.person.username, e.purpose) for e in readlog.entries_for(obj)]


# --- What is logged ------------------------------------------------------------


def test_opening_a_sensitive_deviation_logs_the_handler_and_the_reporter(org, client_for) -> None:
    lex = report(org, lex=True)
    identity = with_identity(org)
    assert client_for("director").get(reverse("deviations:detail", args=[lex.pk])).status_code == 200
    assert client_for("staff_a").get(reverse("deviations:detail", args=[lex.pk])).status_code == 200
    assert client_for("manager_a").get(reverse("deviations:detail", args=[identity.pk])).status_code == 200
    assert reads(lex) == [("staff_a", ReadPurpose.VIEWED), ("director", ReadPurpose.VIEWED)]
    assert reads(identity) == [("manager_a", ReadPurpose.VIEWED)]


def test_reads_of_ordinary_deviations_are_not_logged(org, client_for) -> None:
    deviation = report(org)
    for persona in ["manager_a", "staff_a"]:
        assert client_for(persona).get(reverse("deviations:detail", args=[deviation.pk])).status_code == 200
    assert client_for("manager_a").get(reverse("record_history", args=["deviation", deviation.pk])).status_code == 200
    assert not ReadLogEntry.objects.exists()


def test_refused_reads_are_not_logged(org, client_for) -> None:
    lex = report(org, lex=True)
    assert client_for("manager_a").get(reverse("deviations:detail", args=[lex.pk])).status_code == 404
    assert not ReadLogEntry.objects.exists()


def test_downloading_an_attachment_and_opening_the_history_are_logged(org, client_for) -> None:
    deviation = with_identity(org, attachment=True)
    attachment = deviation.attachments.get()
    response = client_for("manager_a").get(reverse("deviations:attachment", args=[deviation.pk, attachment.pk]))
    assert response.status_code == 200
    assert client_for("quality").get(reverse("record_history", args=["deviation", deviation.pk])).status_code == 200
    assert reads(deviation) == [("quality", ReadPurpose.HISTORY), ("manager_a", ReadPurpose.ATTACHMENT)]


def test_a_read_costs_one_insert(org, django_assert_num_queries) -> None:
    deviation = Deviation.objects.filter(pk=report(org, lex=True).pk).get()
    readlog.log_read(org.director, deviation, ReadPurpose.VIEWED)  # warms the content type cache
    with django_assert_num_queries(1):
        assert readlog.log_read(org.director, deviation, ReadPurpose.VIEWED)
    ordinary = readlog.kind_for(Deviation).base_queryset().get(pk=report(org).pk)
    with django_assert_num_queries(0):
        assert not readlog.log_read(org.manager_a, ordinary, ReadPurpose.VIEWED)


def test_bulk_reads_write_only_the_sensitive_rows_in_one_insert(org, django_assert_num_queries) -> None:
    report(org, lex=True)
    with_identity(org)
    report(org)
    rows = list(readlog.kind_for(Deviation).base_queryset().order_by("pk"))
    readlog.log_read(org.director, rows[0], ReadPurpose.VIEWED)
    ReadLogEntry.objects.all()._raw_delete(ReadLogEntry.objects.db)  # reset; the app itself cannot
    with django_assert_num_queries(1):
        assert readlog.log_reads(org.director, rows, ReadPurpose.EXPORTED) == 2
    assert sorted(ReadLogEntry.objects.values_list("object_id", flat=True)) == sorted(str(d.pk) for d in rows[:2])


# --- Nobody changes the log ------------------------------------------------------


def test_entries_can_be_neither_changed_nor_deleted(org) -> None:
    deviation = report(org, lex=True)
    readlog.log_read(org.director, deviation, ReadPurpose.VIEWED)
    entry = ReadLogEntry.objects.get()
    entry.purpose = ReadPurpose.EXPORTED
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ReadLogEntry.objects.filter(pk=entry.pk).update(purpose=ReadPurpose.EXPORTED)
    with pytest.raises(AppendOnlyError):
        ReadLogEntry.objects.all().delete()
    assert ReadLogEntry.objects.get().purpose == ReadPurpose.VIEWED
    assert ReadLogEntry not in admin.site._registry


# --- The log page -----------------------------------------------------------------


def test_the_log_page_lists_reads_newest_first_in_local_time(org, client_for) -> None:
    deviation = report(org, lex=True)
    readlog.log_read(org.staff_a, deviation, ReadPurpose.VIEWED)
    ReadLogEntry.objects.create(
        content_type=readlog.entries_for(deviation).get().content_type,
        object_id=str(deviation.pk),
        person=org.director,
        purpose=ReadPurpose.ATTACHMENT,
        read_at=datetime.datetime(2026, 7, 1, 10, 5, tzinfo=datetime.UTC),
    )
    response = client_for("quality").get(reverse("record_read_log", args=["deviation", deviation.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Läslogg" in html
    assert "2026-07-01 12:05" in html  # 10:05 UTC is 12:05 in Stockholm in summer
    assert "Laddade ned en bilaga" in html
    assert html.index(str(org.staff_a)) < html.index(str(org.director))


def test_the_log_page_is_paginated(org, client_for) -> None:
    deviation = report(org, lex=True)
    readlog.log_reads(org.director, [deviation] * 60, ReadPurpose.VIEWED)
    client = client_for("director")
    url = reverse("record_read_log", args=["deviation", deviation.pk])
    assert len(client.get(url).context["page"].object_list) == 50
    assert len(client.get(url + "?page=2").context["page"].object_list) == 10


def test_the_log_page_query_count_does_not_grow(org, client_for, django_assert_max_num_queries) -> None:
    deviation = report(org, lex=True)
    client = client_for("director")
    url = reverse("record_read_log", args=["deviation", deviation.pk])
    readers = [org.director, org.quality, org.staff_a]
    for person in readers:
        readlog.log_read(person, deviation, ReadPurpose.VIEWED)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(40):
        readlog.log_read(readers[i % 3], deviation, ReadPurpose.VIEWED)
    # session, user, access anchors, the record, count, the page of entries
    # with their readers, the base template's own (unread notifications), the session save
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    assert len(few) <= 10


def test_the_read_log_link_is_shown_only_for_sensitive_records_to_those_allowed(org, client_for) -> None:
    lex = report(org, lex=True)
    ordinary = report(org)
    log_url = reverse("record_read_log", args=["deviation", lex.pk])
    assert log_url in client_for("director").get(reverse("deviations:detail", args=[lex.pk])).content.decode()
    assert "Läslogg" not in client_for("staff_a").get(reverse("deviations:detail", args=[lex.pk])).content.decode()
    html = client_for("manager_a").get(reverse("deviations:detail", args=[ordinary.pk])).content.decode()
    assert "Läslogg" not in html


def test_an_unknown_kind_is_not_found(org, client_for) -> None:
    deviation = report(org, lex=True)
    assert client_for("admin").get(reverse("record_read_log", args=["unit", deviation.pk])).status_code == 404
    assert client_for("director").get(reverse("record_read_log", args=["deviation", "x"])).status_code == 404


ROWS = [
    MatrixRow(
        "record_read_log",
        label="lex Sarah",
        setup=lambda org: report(org, lex=True),
        args=lambda ctx: ["deviation", ctx[1].pk],
        expect={**only(200, LEX_A, 404), "staff_a": 403},
    ),
    MatrixRow(
        "record_read_log",
        label="client identity",
        setup=with_identity,
        args=lambda ctx: ["deviation", ctx[1].pk],
        expect={**only(200, HANDLE_A, 404), "staff_a": 403},
    ),
    MatrixRow(
        "record_read_log",
        label="ordinary",
        setup=lambda org: report(org),
        args=lambda ctx: ["deviation", ctx[1].pk],
        expect={**only(200, HANDLE_A, 404), "staff_a": 403},
    ),
    MatrixRow(
        "record_read_log",
        label="unit B",
        setup=lambda org: with_identity(org, "staff_b", org.unit_b),
        args=lambda ctx: ["deviation", ctx[1].pk],
        expect={**only(200, ["manager_b", "director", "quality"], 404), "staff_b": 403},
    ),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row: MatrixRow, persona: str, org, client_for) -> None:
    check(row, persona, org, client_for)
