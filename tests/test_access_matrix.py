"""Who may open which page: persona × object in/out of scope × action."""

from __future__ import annotations

import pytest

from ledningssystem.jobs import job_run, job_start
from ledningssystem.models import Role, Unit
from tests.access_matrix import MatrixRow, case_id, cases, check, only, statuses

ALL = [
    "staff_a",
    "colleague_a",
    "manager_a",
    "staff_b",
    "manager_b",
    "section_head",
    "director",
    "quality",
    "secretary",
    "committee",
    "admin",
]
SEE_PEOPLE = ["manager_a", "manager_b", "section_head", "director", "quality", "admin"]
SEE_UNIT_A = [
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
STATISTICS = ["manager_a", "manager_b", "section_head", "director", "quality", "secretary", "committee"]
SEE_STAFF_A = ["staff_a", "manager_a", "section_head", "director", "quality", "admin"]
HISTORY_UNIT_A = ["manager_a", "section_head", "director", "quality", "admin"]


def see_but_not_change(visible: list[str], admin_status: int = 200) -> dict[str, int]:
    """Admin may act; others who can see get 403; those who cannot see get 404."""
    table = only(403, visible, 404)
    table["admin"] = admin_status
    return table


def unit_form(org):
    version = Unit.objects.get(pk=org.unit_a.pk).version
    return {
        "name": "Enhet A nytt namn",
        "kind": "unit",
        "code": "",
        "description": "",
        "is_active": "on",
        "version": version,
    }


def staff_a_job(org):
    job = job_start(kind="organisation_export", by=org.staff_a)
    job_run(job_id=str(job.pk))  # tests run in a transaction: on_commit never fires
    return job


def staff_a_assignment(org):
    return org.staff_a.assignments.get()


ROWS = [
    MatrixRow("home", expect=statuses(200)),
    MatrixRow("healthz", expect=statuses(200, anonymous=200)),
    MatrixRow("password_change", expect=statuses(200)),
    MatrixRow("unit_list", expect=statuses(200)),
    MatrixRow("organisation_overview", expect=only(200, STATISTICS, 403)),
    MatrixRow("organisation_export", method="post", expect=statuses(302)),
    MatrixRow("unit_detail", label="in A", args=lambda o: [o.unit_a.pk], expect=only(200, SEE_UNIT_A, 404)),
    MatrixRow(
        "unit_detail",
        label="in B",
        args=lambda o: [o.unit_b.pk],
        expect=only(200, ["staff_b", "manager_b", "director", "quality", "secretary", "committee", "admin"], 404),
    ),
    MatrixRow("unit_edit", args=lambda o: [o.unit_a.pk], expect=see_but_not_change(SEE_UNIT_A)),
    MatrixRow(
        "unit_edit",
        label="post",
        method="post",
        args=lambda o: [o.unit_a.pk],
        data=unit_form,
        expect=see_but_not_change(SEE_UNIT_A, admin_status=302),
    ),
    MatrixRow("unit_move", args=lambda o: [o.unit_a.pk], expect=see_but_not_change(SEE_UNIT_A)),
    MatrixRow(
        "unit_move",
        label="post",
        method="post",
        args=lambda o: [o.unit_a.pk],
        data=lambda o: {"parent": o.section_2.pk},
        expect=see_but_not_change(SEE_UNIT_A, admin_status=302),
    ),
    MatrixRow("unit_create", query="?parent=0", label="no parent", expect=only(404, ALL, 404)),
    MatrixRow(
        "unit_create", args=lambda o: [], label="below A", expect=see_but_not_change(SEE_UNIT_A), query="__parent_a__"
    ),
    MatrixRow("person_list", expect=only(200, SEE_PEOPLE, 403)),
    MatrixRow("person_create", expect=only(200, ["admin"], 403)),
    MatrixRow("person_detail", args=lambda o: [o.staff_a.pk], expect=only(200, SEE_STAFF_A, 404)),
    MatrixRow(
        "person_detail",
        label="other section",
        args=lambda o: [o.staff_b.pk],
        expect=only(200, ["staff_b", "manager_b", "director", "quality", "admin"], 404),
    ),
    MatrixRow("person_edit", args=lambda o: [o.staff_a.pk], expect=see_but_not_change(SEE_STAFF_A)),
    MatrixRow("assignment_create", args=lambda o: [o.staff_a.pk], expect=see_but_not_change(SEE_STAFF_A)),
    MatrixRow("person_deactivate", args=lambda o: [o.staff_a.pk], expect=see_but_not_change(SEE_STAFF_A)),
    MatrixRow(
        "person_reactivate",
        method="post",
        args=lambda o: [o.staff_a.pk],
        expect=see_but_not_change(SEE_STAFF_A, admin_status=302),
    ),
    MatrixRow(
        "assignment_end",
        setup=staff_a_assignment,
        args=lambda ctx: [ctx[1].pk],
        expect=see_but_not_change(["manager_a", "section_head", "director", "quality"]),
    ),
    MatrixRow("role_list", expect=only(200, SEE_PEOPLE, 403)),
    MatrixRow("role_create", expect=only(200, ["admin"], 403)),
    MatrixRow(
        "role_detail", args=lambda o: [Role.objects.get(slug="medarbetare").pk], expect=only(200, SEE_PEOPLE, 404)
    ),
    MatrixRow(
        "role_edit", args=lambda o: [Role.objects.get(slug="medarbetare").pk], expect=see_but_not_change(SEE_PEOPLE)
    ),
    MatrixRow(
        "record_history",
        label="unit A",
        args=lambda o: ["unit", o.unit_a.pk],
        expect={**only(403, SEE_UNIT_A, 404), **dict.fromkeys(HISTORY_UNIT_A, 200)},
    ),
    MatrixRow(
        "record_history", label="person", args=lambda o: ["person", o.staff_a.pk], expect=only(200, SEE_STAFF_A, 404)
    ),
    MatrixRow(
        "record_history",
        label="role",
        args=lambda o: ["role", Role.objects.get(slug="medarbetare").pk],
        expect=only(200, SEE_PEOPLE, 404),
    ),
    MatrixRow(
        "record_history",
        label="assignment",
        setup=staff_a_assignment,
        args=lambda ctx: ["assignment", ctx[1].pk],
        expect=only(200, ["manager_a", "section_head", "director", "quality", "admin"], 404),
    ),
    MatrixRow("record_history", label="unknown kind", args=lambda o: ["nothing", 1], expect=only(404, ALL, 404)),
    MatrixRow("job_list", expect=statuses(200)),
    MatrixRow("job_detail", setup=staff_a_job, args=lambda ctx: [ctx[1].pk], expect=only(200, ["staff_a"], 404)),
    MatrixRow("job_download", setup=staff_a_job, args=lambda ctx: [ctx[1].pk], expect=only(200, ["staff_a"], 404)),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row: MatrixRow, persona: str, org, client_for) -> None:
    if row.query == "__parent_a__":
        row = MatrixRow(row.name, expect=row.expect, query=f"?parent={org.unit_a.pk}", label=row.label)
    check(row, persona, org, client_for)


@pytest.mark.parametrize("persona", ["staff_a", "manager_a", "committee"])
def test_admin_site_only_for_system_administrators(persona: str, org, client_for) -> None:
    org.people[persona].is_staff = True
    org.people[persona].save()
    response = client_for(persona).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_site_open_to_administrator(org, client_for) -> None:
    org.admin.is_staff = True
    org.admin.save()
    assert client_for("admin").get("/admin/").status_code == 200
