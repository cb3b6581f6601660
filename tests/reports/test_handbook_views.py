"""The handbook pages: who may do what (one table), the job end to end, bad input and query counts."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from bench.qms_data import build
from ledningssystem.jobs import job_start
from ledningssystem.models import BackgroundJob, Unit
from reports.handbook import handbook_context, handbook_rendition_create
from reports.models import HandbookRendition, HandbookText
from tests.access_matrix import MatrixRow, case_id, cases, check, only, statuses
from tests.reports.handbook_data import build_handbook_data

GENERATE_AT_ADMINISTRATION = ["quality", "director", "secretary", "committee"]
GENERATE_ELSEWHERE_ONLY = ["manager_a", "manager_b", "section_head"]
REACH_A = [
    "staff_a",
    "colleague_a",
    "manager_a",
    "section_head",
    "director",
    "quality",
    "secretary",
    "committee",
    "admin",
]


def blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rendition(unit: Unit, by) -> HandbookRendition:
    return handbook_rendition_create(unit=unit, content=blank_pdf(), by=by, job=None, variant="pdf/a-2u")


def with_rendition_a(org):
    return rendition(org.unit_a, org.manager_a)


def with_secretary_job(org):
    return job_start(kind="handbook", by=org.secretary, params={"unit": org.administration.pk})


def start_data(unit_attr: str):
    def data(org):
        return {"unit": getattr(org, unit_attr).pk, "form_token": f"t-{unit_attr}"}

    return data


ROWS = [
    MatrixRow("reports:handbook", expect=statuses(200)),
    MatrixRow("reports:handbook", label="unit A", query="?unit=0", expect=statuses(200)),
    MatrixRow(
        "reports:handbook_start",
        label="administration",
        method="post",
        data=start_data("administration"),
        expect={
            **only(302, GENERATE_AT_ADMINISTRATION, 403),
            **dict.fromkeys(GENERATE_ELSEWHERE_ONLY, 200),  # may produce elsewhere: the page with an error
        },
    ),
    MatrixRow(
        "reports:handbook_job",
        setup=with_secretary_job,
        args=lambda ctx: [ctx[1].pk],
        expect=only(200, ["secretary"], 404),
    ),
    MatrixRow(
        "reports:handbook_download",
        setup=with_rendition_a,
        args=lambda ctx: [ctx[1].pk],
        expect=only(200, REACH_A, 404),
    ),
    MatrixRow("reports:handbook_texts", args=lambda org: [org.unit_a.pk], expect=only(200, REACH_A, 404)),
    MatrixRow(
        "reports:handbook_text_edit",
        args=lambda org: [org.unit_a.pk, "introduction"],
        expect={**only(403, REACH_A, 404), "quality": 200},
    ),
    MatrixRow(
        "reports:handbook_text_edit",
        label="post",
        method="post",
        args=lambda org: [org.unit_a.pk, "purpose"],
        data=lambda org: {"text": "Vårt syfte.", "form_token": "t-text"},
        expect={**only(403, REACH_A, 404), "quality": 302},
    ),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_handbook_access_matrix(row, persona, org, client_for) -> None:
    if row.query == "?unit=0":
        row = MatrixRow(row.name, label=row.label, query=f"?unit={org.unit_a.pk}", expect=row.expect)
    check(row, persona, org, client_for)


def test_secretary_produces_the_handbook_end_to_end(org, client_for, django_capture_on_commit_callbacks) -> None:
    data = build_handbook_data(org)
    client = client_for("secretary")
    page = client.get(reverse("reports:handbook"), {"unit": org.administration.pk})
    assert "Skapa handbok" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:handbook_start"), {"unit": org.administration.pk, "form_token": "once"})
    job = BackgroundJob.objects.get(created_by=org.secretary, kind="handbook")
    assert response["Location"] == reverse("reports:handbook_job", args=[job.pk])
    assert job.status == "done", job.error
    kept = HandbookRendition.objects.get(job=job)
    content = kept.file.read()
    assert kept.sha256 == hashlib.sha256(content).hexdigest() == job.result_sha256
    assert kept.size == len(content)
    assert kept.unit == org.administration
    assert kept.created_by == org.secretary
    assert kept.page_count == len(PdfReader(io.BytesIO(content)).pages)
    assert kept.history.filter(history_change_reason="handbook.rendered").exists()
    # The job page has stopped polling and offers the kept file.
    status = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in status
    assert "Handboken är klar" in status
    assert reverse("reports:handbook_download", args=[kept.pk]) in status
    # The administration's handbook lists every section's routines: a care worker in one unit may not
    # fetch it (they read their own unit's handbook); those who see the whole administration may.
    assert client_for("staff_a").get(reverse("reports:handbook_download", args=[kept.pk])).status_code == 404
    download = client_for("director").get(reverse("reports:handbook_download", args=[kept.pk]))
    body = b"".join(download.streaming_content)
    assert body == content
    assert download["Content-Type"] == "application/pdf"
    today = timezone.localdate().isoformat()
    assert download["Content-Disposition"] == f'attachment; filename="handbok-socialforvaltningen-{today}.pdf"'
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(body)).pages)
    assert data.approved[0].title in text
    # The handbook page lists it with author and shortened checksum (full one in the title).
    listing = client_for("director").get(reverse("reports:handbook"), {"unit": org.administration.pk}).content.decode()
    assert kept.sha256[:12] in listing
    assert f'title="{kept.sha256}"' in listing
    assert org.secretary.get_full_name() in listing


def test_job_page_polls_while_the_job_waits(org, client_for) -> None:
    job = with_secretary_job(org)  # queued; on-commit callbacks do not run inside the test transaction
    html = client_for("secretary").get(reverse("reports:handbook_job", args=[job.pk])).content.decode()
    assert "hx-get" in html
    assert "Uppdatera nu" in html or "Refresh now" in html  # the no-JavaScript way: reload


def test_renditions_of_other_units_are_neither_shown_nor_counted(org, client_for) -> None:
    mine = rendition(org.unit_a, org.manager_a)
    other = rendition(org.unit_b, org.manager_b)
    response = client_for("manager_a").get(reverse("reports:handbook"), {"unit": org.unit_a.pk})
    html = response.content.decode()
    assert reverse("reports:handbook_download", args=[mine.pk]) in html
    assert reverse("reports:handbook_download", args=[other.pk]) not in html
    assert response.context["page"].paginator.count == 1
    # Asking for the other unit's page gives an error and no list at all.
    response = client_for("manager_a").get(reverse("reports:handbook"), {"unit": org.unit_b.pk})
    assert "Välj en av enheterna i listan." in response.content.decode()
    assert "page" not in response.context
    assert reverse("reports:handbook_download", args=[other.pk]) not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "unit"),
    [("secretary", lambda org: 999_999), ("manager_a", lambda org: org.unit_b.pk), ("quality", lambda org: "abc")],
    ids=["unknown unit", "out of scope", "not a number"],
)
def test_start_with_a_bad_unit_starts_nothing(org, client_for, persona, unit) -> None:
    response = client_for(persona).post(reverse("reports:handbook_start"), {"unit": unit(org), "form_token": "x"})
    assert response.status_code == 200
    assert "Välj en enhet som du får skapa handboken för." in response.content.decode()
    assert not BackgroundJob.objects.exists()


def test_start_on_an_inactive_unit_starts_nothing(org, client_for) -> None:
    Unit.objects.filter(pk=org.unit_b.pk).update(is_active=False)
    response = client_for("secretary").post(reverse("reports:handbook_start"), {"unit": org.unit_b.pk})
    assert response.status_code == 200
    assert not BackgroundJob.objects.exists()


def test_double_submit_starts_one_job(org, client_for) -> None:
    client = client_for("quality")
    data = {"unit": org.administration.pk, "form_token": "same"}
    first = client.post(reverse("reports:handbook_start"), data)
    second = client.post(reverse("reports:handbook_start"), data, follow=True)
    assert BackgroundJob.objects.filter(kind="handbook").count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "Formuläret var redan skickat" in second.content.decode()


def test_job_refuses_when_the_person_lost_the_right(org) -> None:
    from ledningssystem.jobs import job_run

    job = job_start(kind="handbook", by=org.staff_a, params={"unit": org.unit_a.pk})
    job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed"
    assert not HandbookRendition.objects.exists()


def test_texts_edit_saves_with_history_and_refuses_stale_and_huge_input(org, client_for) -> None:
    client = client_for("quality")
    url = reverse("reports:handbook_text_edit", args=[org.administration.pk, "introduction"])
    form = client.get(url)
    assert "Den här handboken beskriver ledningssystemet" in form.content.decode()  # starts from the standard text
    assert client.post(url, {"text": "Första versionen.", "form_token": "a"}).status_code == 302
    text = HandbookText.objects.get(unit=org.administration, key="introduction")
    assert text.history.filter(history_change_reason="handbook.text_saved").count() == 1
    # Someone saves in between: the stale form is refused and nothing changes.
    assert client.post(url, {"text": "Andra.", "version": text.version, "form_token": "b"}).status_code == 302
    stale = client.post(url, {"text": "Tredje.", "version": text.version, "form_token": "c"})
    assert stale.status_code == 200
    assert "Någon annan ändrade texten" in stale.content.decode()
    # A form opened before the unit had a text of its own is stale too.
    assert client.post(url, {"text": "Utan version.", "form_token": "d"}).status_code == 200
    huge = client.post(url, {"text": "x" * 20_001, "version": text.version + 1, "form_token": "e"})
    assert huge.status_code == 200
    assert "error-summary" in huge.content.decode()
    assert HandbookText.objects.get(pk=text.pk).text == "Andra."
    assert (
        client.get(reverse("reports:handbook_text_edit", args=[org.administration.pk, "nonsense"])).status_code == 404
    )


def test_inherited_text_shows_where_it_comes_from(org, client_for) -> None:
    HandbookText.objects.create(
        unit=org.administration, key="purpose", text="Förvaltningens syfte.", updated_by=org.quality
    )
    html = client_for("staff_a").get(reverse("reports:handbook_texts", args=[org.unit_a.pk])).content.decode()
    assert "Förvaltningens syfte." in html
    assert "Text från Socialförvaltningen." in html
    assert "Ändra" not in html.split("<main", 1)[-1]


def test_context_builder_query_count_does_not_grow_with_routines(db) -> None:
    counts = []
    for n_documents in (30, 300):
        top = build(n_requirements=30, n_documents=n_documents, seed=n_documents)
        administration = Unit.objects.get(parent=top)
        with CaptureQueriesContext(connection) as queries:
            context = handbook_context(administration)
        assert len(context["documents"]) >= n_documents * 0.85
        counts.append(len(queries))
    # unit chain, texts, role responsibilities, focus areas (+ methods, + responsibilities),
    # documents, processes, frameworks
    assert counts[0] == counts[1] <= 9, counts


def test_handbook_page_query_count_does_not_grow_with_renditions(
    org, client_for, django_assert_max_num_queries
) -> None:
    client = client_for("quality")
    url = reverse("reports:handbook") + f"?unit={org.administration.pk}"
    client.get(url)
    for _ in range(25):
        rendition(org.administration, org.quality)
    # session, person, access anchors, units, texts, renditions count and page, generatable units,
    # the menu's notification badge …
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 20


def test_saving_the_inherited_text_unchanged_keeps_following_the_text_above(org, client_for) -> None:
    HandbookText.objects.create(
        unit=org.administration, key="purpose", text="Förvaltningens syfte.", updated_by=org.quality
    )
    client = client_for("quality")
    url = reverse("reports:handbook_text_edit", args=[org.section_1.pk, "purpose"])
    assert "Förvaltningens syfte." in client.get(url).content.decode()
    response = client.post(url, {"text": "Förvaltningens syfte.", "form_token": "same"}, follow=True)
    assert "Inget ändrades" in response.content.decode()
    assert not HandbookText.objects.filter(unit=org.section_1).exists()
    # A real change gives the section a text of its own.
    client.post(url, {"text": "Sektionens syfte.", "form_token": "changed"})
    assert HandbookText.objects.get(unit=org.section_1, key="purpose").text == "Sektionens syfte."
