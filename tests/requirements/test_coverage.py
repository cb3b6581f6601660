"""The coverage matrix: statuses, scope, hidden drafts, exports read back, linking, access and query counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from ledningssystem.models import BackgroundJob, Role
from processes.models import ProcessStatus
from requirements import focus
from requirements.coverage import COVERED, DRAFT, GAP, OVERDUE, coverage_matrix
from requirements.models import FollowUpMethod, Requirement, Section
from tests.access_matrix import only, statuses
from tests.requirements.coverage_helpers import (
    import_framework,
    make_process,
    make_routine,
    matrix_framework_yaml,
    req,
)

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
NEXT_YEAR = timezone.localdate() + datetime.timedelta(days=365)


@pytest.fixture
def fw(org):
    return import_framework()


@pytest.fixture
def world(org, fw):
    """1:1 covered at the administration; 1:2 covered but overdue; 1:2-AR draft only; 2:1 a gap."""
    covered = make_routine(
        "Rutin för avvikelsehantering",
        owner_unit=org.administration,
        applies=[org.administration],
        requirements=[req(fw, "1:1")],
        by=org.quality,
        next_review=NEXT_YEAR,
    )
    overdue = make_routine(
        "Rutin för klagomål",
        owner_unit=org.administration,
        applies=[org.administration],
        requirements=[req(fw, "1:2")],
        by=org.quality,
        next_review=YESTERDAY,
    )
    draft = make_routine(
        "Hemligt utkast om broschyr",
        owner_unit=org.administration,
        applies=[org.administration],
        requirements=[req(fw, "1:2-AR")],
        by=org.quality,
        approved=False,
        draft=True,
    )
    method = FollowUpMethod.objects.get(code="egenkontroll")
    area = focus.focus_area_create(
        unit=org.administration,
        by=org.quality,
        key="avvikelser",
        title="Avvikelser",
        follow_up_methods=[method],
        requirements=[req(fw, "1:1")],
        responsibilities={Role.objects.get(slug="enhetschef"): "Utreder avvikelser."},
    )
    return {"covered": covered, "overdue": overdue, "draft": draft, "area": area}


def _rows(matrix):
    return {row.requirement.identifier: row for row in matrix.rows}


def test_statuses_methods_and_roles(org, fw, world) -> None:
    matrix = coverage_matrix(org.quality, org.administration, fw)
    rows = _rows(matrix)
    assert rows["1:1"].status == COVERED
    assert rows["1:2"].status == OVERDUE
    assert rows["1:2-AR"].status == DRAFT
    assert rows["2:1"].status == GAP
    assert matrix.counts == {COVERED: 1, OVERDUE: 1, DRAFT: 1, GAP: 1}
    assert [m.code for m in rows["1:1"].methods] == ["egenkontroll"]
    # The focus area's role and the routine's owner role.
    assert {r.slug for r in rows["1:1"].roles} == {"enhetschef", "kvalitetssamordnare"}
    assert rows["1:2"].routines[0].is_overdue
    assert rows["1:2-AR"].routines[0].is_draft  # the coordinator sees the draft


def test_filters_by_chapter_kind_and_status(org, fw, world) -> None:
    chapter_2 = Section.objects.get(framework=fw, key="2")
    assert [
        r.requirement.identifier for r in coverage_matrix(org.quality, org.administration, fw, chapter=chapter_2).rows
    ] == ["2:1"]
    advice = coverage_matrix(org.quality, org.administration, fw, kind="advice")
    assert [r.requirement.identifier for r in advice.rows] == ["1:2-AR"]
    binding = coverage_matrix(org.quality, org.administration, fw, kind="binding")
    assert "1:2-AR" not in _rows(binding)
    gaps = coverage_matrix(org.quality, org.administration, fw, status=GAP)
    assert [r.requirement.identifier for r in gaps.rows] == ["2:1"]
    assert gaps.counts[COVERED] == 1  # the summary keeps counting every status


def test_scope_below_above_and_beside(org, fw) -> None:
    make_routine(
        "Rutin för Enhet B", owner_unit=org.unit_b, applies=[org.unit_b], requirements=[req(fw, "2:1")], by=org.quality
    )
    # Seen from the administration (above) and from Enhet B, not from Sektion Ett (beside).
    assert _rows(coverage_matrix(org.quality, org.administration, fw))["2:1"].status == COVERED
    assert _rows(coverage_matrix(org.quality, org.unit_b, fw))["2:1"].status == COVERED
    assert _rows(coverage_matrix(org.quality, org.section_1, fw))["2:1"].status == GAP
    # A routine for the whole administration covers a unit below it.
    make_routine(
        "Rutin för alla",
        owner_unit=org.administration,
        applies=[org.administration],
        requirements=[req(fw, "1:1")],
        by=org.quality,
    )
    assert _rows(coverage_matrix(org.quality, org.unit_a, fw))["1:1"].status == COVERED


def test_withdrawn_routine_and_retired_process_do_not_count(org, fw) -> None:
    make_routine(
        "Återkallad",
        owner_unit=org.administration,
        applies=[org.administration],
        requirements=[req(fw, "2:1")],
        by=org.quality,
        approved=False,
    )
    make_process(
        "Gammal process",
        owner_unit=org.administration,
        applies=[org.administration],
        requirements=[req(fw, "2:1")],
        by=org.quality,
        status=ProcessStatus.RETIRED,
    )
    assert _rows(coverage_matrix(org.quality, org.administration, fw))["2:1"].status == GAP


def test_process_in_use_covers_and_draft_process_is_draft(org, fw) -> None:
    make_process(
        "Processen för egenkontroll",
        owner_unit=org.administration,
        applies=[org.administration],
        requirements=[req(fw, "2:1")],
        by=org.quality,
    )
    make_process(
        "Processen för klagomål",
        owner_unit=org.administration,
        applies=[org.administration],
        requirements=[req(fw, "1:2")],
        by=org.quality,
        status=ProcessStatus.DRAFT,
    )
    rows = _rows(coverage_matrix(org.quality, org.administration, fw))
    assert rows["2:1"].status == COVERED
    assert rows["2:1"].processes[0].process.title == "Processen för egenkontroll"
    assert rows["1:2"].status == DRAFT
    assert {r.slug for r in rows["2:1"].roles} == {"sektionschef"}


def test_committee_sees_draft_only_without_the_drafts_title(org, fw, world, client_for) -> None:
    rows = _rows(coverage_matrix(org.committee, org.administration, fw))
    assert rows["1:2-AR"].status == DRAFT
    assert rows["1:2-AR"].routines == []
    assert rows["1:2-AR"].hidden_drafts == 1
    url = reverse("requirements:coverage") + f"?unit={org.administration.pk}&framework={fw.pk}"
    body = client_for("committee").get(url).content.decode()
    assert "Hemligt utkast" not in body
    assert "Rutin för avvikelsehantering" in body
    assert "1 utkast skrivs (visas inte för dig)" in body


def test_page_in_swedish_with_counts_and_icons(org, fw, world, client_for) -> None:
    url = reverse("requirements:coverage") + f"?unit={org.administration.pk}&framework={fw.pk}"
    response = client_for("quality").get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Täckningsmatris" in body
    assert "Täckt: <strong>1</strong>" in body
    assert "Lucka: <strong>1</strong>" in body
    assert "Bara utkast" in body
    assert "Täckt, revision försenad" in body
    assert "Koppla rutin" in body
    gaps = client_for("quality").get(url + "&status=gap").content.decode()
    assert "Egenkontroll" in gaps and "Rutin för avvikelsehantering" not in gaps


def test_excel_export_reads_back(org, fw, world, client_for) -> None:
    url = reverse("requirements:coverage_xlsx") + f"?unit={org.administration.pk}&framework={fw.pk}"
    response = client_for("committee").get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [list(row) for row in book.active.iter_rows(values_only=True)]
    text = "\n".join(str(c) for row in cells for c in row if c is not None)
    assert "Rutin för avvikelsehantering" in text
    assert "Hemligt utkast" not in text  # the committee may not see the draft
    assert "Bara utkast" in text and "Lucka" in text
    header = cells[2]
    assert header[0] == "Hänvisning" and header[-1] == "Status"
    assert len(cells) == 3 + 4


def test_pdf_export_is_a_job_and_reads_back(org, fw, world, client_for, django_capture_on_commit_callbacks) -> None:
    url = reverse("requirements:coverage_pdf") + f"?unit={org.administration.pk}&framework={fw.pk}&status=overdue"
    client = client_for("quality")
    assert client.get(url).status_code == 405  # starting a job is a POST
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    job = BackgroundJob.objects.get(created_by=org.quality)
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done", job.error
    download = client.get(reverse("job_download", args=[job.pk]))
    content = b"".join(download.streaming_content) if download.streaming else download.content
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Täckningsmatris" in text
    assert "Rutin för klagomål" in text
    assert "Rutin för avvikelsehantering" not in text  # filtered like the page
    assert "Täckt, revision försenad" in text
    assert "Sida 1 av 1" in text
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape
    # Someone else cannot fetch the result.
    assert client_for("committee").get(reverse("job_download", args=[job.pk])).status_code == 404


def test_pdf_job_checks_access_again_when_it_runs(
    org, fw, world, client_for, django_capture_on_commit_callbacks
) -> None:
    from ledningssystem.jobs import job_run, job_start

    job = job_start(kind="coverage_pdf", by=org.staff_a, params={"unit": org.administration.pk, "framework": fw.pk})
    job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and not job.result_name


def test_committee_pdf_hides_drafts(org, fw, world, client_for, django_capture_on_commit_callbacks) -> None:
    client = client_for("committee")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("requirements:coverage_pdf") + f"?unit={org.administration.pk}&framework={fw.pk}")
    job = BackgroundJob.objects.get(created_by=org.committee)
    download = client.get(reverse("job_download", args=[job.pk]))
    content = b"".join(download.streaming_content) if download.streaming else download.content
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Rutin för avvikelsehantering" in text
    assert "Hemligt utkast" not in text
    assert "1 utkast som du inte kan se" in text


def test_link_and_unlink_close_and_reopen_the_gap(org, fw, world, client_for) -> None:
    routine = make_routine(
        "Rutin för egenkontroll", owner_unit=org.administration, applies=[org.administration], by=org.quality
    )
    requirement = req(fw, "2:1")
    client = client_for("quality")
    query = f"?unit={org.administration.pk}&framework={fw.pk}"
    page = client.get(reverse("requirements:coverage_link", args=[requirement.pk]) + query + "&q=egenkontroll")
    assert "Rutin för egenkontroll" in page.content.decode()
    response = client.post(
        reverse("requirements:coverage_link", args=[requirement.pk]) + query, {"target": f"document:{routine.pk}"}
    )
    assert response.status_code == 302 and response["Location"].endswith(query)
    assert _rows(coverage_matrix(org.quality, org.administration, fw))["2:1"].status == COVERED
    routine.refresh_from_db()
    assert routine.version == 2
    assert routine.history.first().history_change_reason == "requirement.linked"
    # Linking again: a clear message, nothing doubled.
    again = client.post(
        reverse("requirements:coverage_link", args=[requirement.pk]) + query, {"target": f"document:{routine.pk}"}
    )
    assert "redan kopplad" in again.content.decode()
    client.post(
        reverse("requirements:coverage_unlink", args=[requirement.pk]) + query, {"target": f"document:{routine.pk}"}
    )
    assert _rows(coverage_matrix(org.quality, org.administration, fw))["2:1"].status == GAP


def test_a_double_click_on_link_links_once_and_goes_where_the_first_went(org, fw, world, client_for) -> None:
    routine = make_routine(
        "Rutin för egenkontroll", owner_unit=org.administration, applies=[org.administration], by=org.quality
    )
    requirement = req(fw, "2:1")
    client = client_for("quality")
    url = reverse("requirements:coverage_link", args=[requirement.pk]) + f"?unit={org.administration.pk}"
    first = client.post(url, {"target": f"document:{routine.pk}", "form_token": "once"})
    second = client.post(url, {"target": f"document:{routine.pk}", "form_token": "once"})
    assert second.status_code == 302 and second["Location"] == first["Location"]
    routine.refresh_from_db()
    assert routine.version == 2  # linked once
    assert list(requirement.documents.all()) == [routine]


@pytest.mark.parametrize("target", ["", "document:abc", "nothing:1", "document:" + "9" * 20, "document:999999"])
def test_link_bad_input_changes_nothing(org, fw, world, client_for, target) -> None:
    requirement = req(fw, "2:1")
    response = client_for("quality").post(
        reverse("requirements:coverage_link", args=[requirement.pk]), {"target": target}
    )
    assert response.status_code in {200, 404}
    assert not requirement.documents.exists()


def test_bad_filters_are_ignored_or_unknown(org, fw, world, client_for) -> None:
    client = client_for("quality")
    base = reverse("requirements:coverage")
    assert client.get(base + f"?unit={org.administration.pk}&framework=abc").status_code == 200
    assert client.get(base + f"?unit={org.administration.pk}&framework={fw.pk}&chapter=999999").status_code == 200
    assert client.get(base + f"?unit={org.administration.pk}&framework={fw.pk}&status=bogus").status_code == 200
    assert client.get(base + "?unit=abc").status_code == 404
    assert client.get(base + f"?unit={org.unit_a.pk}&framework={fw.pk}&page=99999").status_code == 200


def _links(org):
    fw = import_framework()
    routine = make_routine(
        "Rutin att koppla", owner_unit=org.administration, applies=[org.administration], by=org.quality
    )
    draft = make_routine(
        "Utkast att koppla",
        owner_unit=org.administration,
        applies=[org.administration],
        by=org.quality,
        approved=False,
        draft=True,
    )
    routine.requirements.add(req(fw, "1:1"))
    return fw, routine, draft


def _matrix_url(name):
    def make(org):
        fw = import_framework()
        return reverse(name) + f"?unit={org.administration.pk}&framework={fw.pk}", None

    return make


def _link_url(name, which, requirement="2:1"):
    def make(org):
        fw, routine, draft = _links(org)
        target = routine if which == "routine" else draft
        data = {"target": f"document:{target.pk}"} if which else None
        return reverse(name, args=[req(fw, requirement).pk]), data

    return make


VIEWERS = ["director", "quality", "secretary", "committee"]
MANAGERS = ["manager_a", "manager_b", "section_head"]
# Another unit's matrix is unknown (404) to managers who read their own; staff and the
# administrator read no matrix (403).
MATRIX = statuses(403, **dict.fromkeys(MANAGERS, 404), **dict.fromkeys(VIEWERS, 200))
ROWS = [
    (
        "coverage, default scope",
        lambda org: (import_framework() and reverse("requirements:coverage"), None),
        only(200, VIEWERS + MANAGERS, 403),
    ),
    ("coverage, administration", _matrix_url("requirements:coverage"), MATRIX),
    ("excel", _matrix_url("requirements:coverage_xlsx"), MATRIX),
    (
        "pdf",
        lambda org: (_matrix_url("requirements:coverage_pdf")(org)[0], {}),
        statuses(403, **dict.fromkeys(MANAGERS, 404), **dict.fromkeys(VIEWERS, 302)),
    ),
    ("link page", _link_url("requirements:coverage_link", None), only(200, VIEWERS + MANAGERS, 403)),
    # Seeing the matrix is not enough: only whoever may change the routine links it.
    ("link approved routine", _link_url("requirements:coverage_link", "routine"), statuses(403, quality=302)),
    # A draft is unknown to those who may not see it.
    (
        "link draft",
        _link_url("requirements:coverage_link", "draft"),
        statuses(403, quality=302, **dict.fromkeys([*MANAGERS, "secretary", "committee"], 404)),
    ),
    ("unlink", _link_url("requirements:coverage_unlink", "routine", "1:1"), statuses(403, quality=302)),
]


@pytest.mark.parametrize(("label", "make", "expect"), ROWS, ids=[r[0] for r in ROWS])
@pytest.mark.parametrize("persona", list(statuses(0)))
def test_access_matrix(label, make, expect, persona, org, client_for) -> None:
    url, data = make(org)
    client = client_for(persona)
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == expect[persona], f"{persona} {label}: {response.status_code}"


def test_manager_sees_own_unit_only(org, fw, world, client_for) -> None:
    response = client_for("manager_a").get(
        reverse("requirements:coverage") + f"?unit={org.unit_a.pk}&framework={fw.pk}"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rutin för avvikelsehantering" in body  # applies to the administration above Enhet A
    assert "Hemligt utkast" not in body
    assert "Koppla rutin" not in body


def _grow(org, fw_code: str, requirements: int, routines: int):
    text = matrix_framework_yaml(code=fw_code, extra_requirements=requirements)
    fw = import_framework(text)
    reqs = list(Requirement.objects.filter(framework=fw))
    method = FollowUpMethod.objects.get(code="egenkontroll")
    for i in range(routines):
        make_routine(
            f"Rutin {i}",
            owner_unit=org.administration,
            applies=[org.unit_a if i % 2 else org.administration],
            requirements=reqs[i % len(reqs) : i % len(reqs) + 2],
            by=org.quality,
            draft=i % 3 == 0,
            next_review=YESTERDAY if i % 4 == 0 else NEXT_YEAR,
            approved=i % 5 != 0,
        )
        make_process(
            f"Process {i}",
            owner_unit=org.administration,
            applies=[org.administration],
            requirements=reqs[i % len(reqs) : i % len(reqs) + 1],
            by=org.quality,
        )
    for i in range(routines // 2):
        focus.focus_area_create(
            unit=org.administration,
            by=org.quality,
            key=f"{fw_code.split()[0].lower()}-area-{i}",
            title=f"Område {i}",
            follow_up_methods=[method],
            requirements=reqs[i : i + 3],
            responsibilities={Role.objects.get(slug="enhetschef"): "Ansvar."},
        )
    return fw


@pytest.mark.parametrize("persona", ["quality", "committee"])
def test_query_count_flat_as_data_grows(org, persona, django_assert_max_num_queries, client_for) -> None:
    """Selector: sections, requirements, routines (+ visibility, links), processes (same), focus areas,
    methods and responsibilities, roles: 13 queries, plus the person's scope and assignments once."""
    from ledningssystem.models import User

    small = _grow(org, "SMALL 1", 2, 3)
    large = _grow(org, "LARGE 1", 60, 40)
    for fw in (small, large):
        user = User.objects.get(username=persona)
        with django_assert_max_num_queries(15):
            matrix = coverage_matrix(user, org.administration, fw)
        assert matrix.rows
    # The page: session, user, scope, the filter form (units, frameworks, chapters: read for
    # validation and again for the select boxes), the selector, the menu (units, notification
    # badge) and the session save. Per-row unlink checks use the cached scope.
    client = client_for(persona)
    for fw in (small, large):
        with django_assert_max_num_queries(33):
            assert (
                client.get(
                    reverse("requirements:coverage") + f"?unit={org.administration.pk}&framework={fw.pk}"
                ).status_code
                == 200
            )
