"""Who may open and change actions, the lex Sarah steps, the IVO PDF and the settings."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from actions import services as action_services
from deviations import services
from deviations.models import CauseCategory
from tests.access_matrix import MatrixRow, case_id, cases, check, only, statuses
from tests.deviations.conftest import report

HANDLE_A = ["manager_a", "section_head", "director", "quality"]
LEX_A = ["director", "quality"]


def _investigating(org, *, lex: bool):
    handler = org.director if lex else org.manager_a
    deviation = report(org, lex=lex)
    deviation = services.deviation_receive(deviation=deviation, by=handler, version=None)
    return services.deviation_start_investigation(deviation=deviation, by=handler, version=None)


def _with_action(org, *, lex: bool = False, done: bool = False):
    deviation = _investigating(org, lex=lex)
    handler = org.director if lex else org.manager_a
    cause = services.cause_add(
        deviation=deviation, by=handler, category=CauseCategory.objects.first(), description="Oklar rutin"
    )
    action = action_services.action_create(
        source=deviation,
        by=handler,
        title="Ny rutin",
        description="",
        owner=org.colleague_a,
        unit=deviation.unit,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        effect_planned_on=None,
        effect_measure="",
        causes=[cause],
    )
    if done:
        action = action_services.action_complete(action=action, by=org.colleague_a, version=None, note="Klart")
    return deviation, action, cause


def action(org):
    return _with_action(org)


def lex_action(org):
    return _with_action(org, lex=True)


def done_action(org):
    return _with_action(org, done=True)


def investigating(org):
    deviation = _investigating(org, lex=False)
    cause = services.cause_add(
        deviation=deviation, by=org.manager_a, category=CauseCategory.objects.first(), description="Oklar rutin"
    )
    return deviation, cause


def lex_investigating(org):
    return _investigating(org, lex=True)


def lex_serious(org):
    deviation = _investigating(org, lex=True)
    return services.lex_assess(
        deviation=deviation, by=org.director, version=None, assessment="serious", reason="Allvarligt"
    )


def owner_and(statuses_for: list[str], allowed: int, forbidden_visible: int | None = None) -> dict[str, int]:
    table = only(allowed, [*statuses_for, "colleague_a"], 404)
    if forbidden_visible is not None:
        table["colleague_a"] = forbidden_visible
    return table


def handlers(allowed: int, who: list[str], reporter: int = 403) -> dict[str, int]:
    table = only(allowed, who, 404)
    table["staff_a"] = reporter  # the reporter sees the case but does not handle it
    return table


ROWS = [
    MatrixRow("actions:list", expect=statuses(200)),
    MatrixRow("actions:export", expect=statuses(200)),
    MatrixRow("actions:export_excel", method="post", expect=statuses(302)),
    MatrixRow(
        "actions:detail",
        label="ordinary",
        setup=action,
        args=lambda ctx: [ctx[1][1].pk],
        expect=owner_and(HANDLE_A, 200),
    ),
    MatrixRow(
        "actions:detail",
        label="lex Sarah",
        setup=lex_action,
        args=lambda ctx: [ctx[1][1].pk],
        expect=owner_and(LEX_A, 200),
    ),
    MatrixRow(
        "actions:edit",
        setup=action,
        args=lambda ctx: [ctx[1][1].pk],
        expect=owner_and(HANDLE_A, 200, forbidden_visible=403),
    ),
    MatrixRow(
        "actions:step",
        label="start",
        method="post",
        setup=action,
        args=lambda ctx: [ctx[1][1].pk, "start"],
        data=lambda ctx: {"version": ctx[1][1].version},
        expect=owner_and(HANDLE_A, 302),
    ),
    MatrixRow(
        "actions:step",
        label="cancel",
        method="post",
        setup=action,
        args=lambda ctx: [ctx[1][1].pk, "cancel"],
        data=lambda ctx: {"version": ctx[1][1].version, "note": "Behövs inte"},
        expect=owner_and(HANDLE_A, 302, forbidden_visible=403),
    ),
    MatrixRow(
        "actions:step",
        label="lex cancel",
        method="post",
        setup=lex_action,
        args=lambda ctx: [ctx[1][1].pk, "cancel"],
        data=lambda ctx: {"version": ctx[1][1].version, "note": "Behövs inte"},
        expect=owner_and(LEX_A, 302, forbidden_visible=403),
    ),
    MatrixRow(
        "actions:effect",
        method="post",
        setup=done_action,
        args=lambda ctx: [ctx[1][1].pk],
        data=lambda ctx: {"version": ctx[1][1].version, "result": "effective"},
        expect=owner_and(HANDLE_A, 302),
    ),
    MatrixRow(
        "deviations:action_new",
        method="post",
        setup=investigating,
        args=lambda ctx: [ctx[1][0].pk],
        data=lambda ctx: {
            "title": "Ny rutin",
            "owner": ctx[0].colleague_a.pk,
            "due_date": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
            "causes": [ctx[1][1].pk],
        },
        expect=handlers(302, HANDLE_A),
    ),
    MatrixRow(
        "deviations:lex_protective",
        method="post",
        setup=lex_investigating,
        args=lambda ctx: [ctx[1].pk],
        data=lambda ctx: {"version": ctx[1].version, "protective_measures": "Extra tillsyn"},
        expect=handlers(302, LEX_A),
    ),
    MatrixRow(
        "deviations:lex_entry",
        method="post",
        setup=lex_investigating,
        args=lambda ctx: [ctx[1].pk],
        data=lambda ctx: {
            "documented_on": timezone.localdate().isoformat(),
            "topic": "when_noticed",
            "kind": "fact",
            "source": "Samtal",
            "text": "Upptäcktes kl. 7",
            "author_title": "Socialchef",
        },
        expect=handlers(302, LEX_A),
    ),
    MatrixRow(
        "deviations:lex_assess",
        method="post",
        setup=lex_investigating,
        args=lambda ctx: [ctx[1].pk],
        data=lambda ctx: {"version": ctx[1].version, "assessment": "risk", "assessment_reason": "Risk"},
        expect=handlers(302, LEX_A),
    ),
    MatrixRow(
        "deviations:lex_ivo",
        method="post",
        setup=lex_serious,
        args=lambda ctx: [ctx[1].pk],
        data=lambda ctx: {
            "version": ctx[1].version,
            "notified_on": timezone.localdate().isoformat(),
            "reference": "8.5-1/2026",
            "decided_by": ctx[0].director.pk,
        },
        expect=handlers(302, LEX_A),
    ),
    MatrixRow(
        "deviations:ivo_pdf",
        setup=lex_investigating,
        args=lambda ctx: [ctx[1].pk],
        expect=handlers(200, LEX_A),
    ),
    MatrixRow(
        "deviations:learning",
        method="post",
        setup=lex_investigating,
        args=lambda ctx: [ctx[1].pk],
        data=lambda ctx: {"version": ctx[1].version, "learning": "Larmrutin"},
        expect=handlers(302, LEX_A),
    ),
    MatrixRow("deviations:settings", expect=only(200, ["admin"], 403)),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row: MatrixRow, persona: str, org, client_for) -> None:
    check(row, persona, org, client_for)


def test_actions_list_never_shows_or_counts_what_the_person_may_not_see(org, client_for) -> None:
    from django.urls import reverse

    _deviation, visible, _cause = _with_action(org)
    _lex, hidden, _lex_cause = _with_action(org, lex=True)
    page = client_for("manager_a").get(reverse("actions:list"), {"whose": "scope", "show": "all"})
    body = page.content.decode()
    assert page.context["page"].paginator.count == 1
    assert reverse("actions:detail", args=[visible.pk]) in body
    assert reverse("actions:detail", args=[hidden.pk]) not in body
    other = client_for("manager_b").get(reverse("actions:list"), {"whose": "scope", "show": "all"})
    assert other.context["page"].paginator.count == 0


def test_actions_csv_holds_what_the_list_shows_and_nothing_more(org, client_for) -> None:
    from django.urls import reverse

    _deviation, visible, _cause = _with_action(org)
    _lex, hidden, _lex_cause = _with_action(org, lex=True)
    visible.title = "=HYPERLINK(1)"
    visible.save()
    response = client_for("manager_a").get(reverse("actions:export"), {"whose": "scope", "show": "all"})
    body = b"".join(response.streaming_content).decode("utf-8")
    lines = body.strip().splitlines()
    assert len(lines) == 2  # heading and the one visible action
    assert "'=HYPERLINK(1)" in body
    assert hidden.title == "Ny rutin" and "Ny rutin" not in body
    owner = client_for("colleague_a").get(reverse("actions:export"), {"show": "all"})
    assert len(b"".join(owner.streaming_content).decode("utf-8").strip().splitlines()) == 3
    nobody = client_for("staff_b").get(reverse("actions:export"), {"whose": "scope", "show": "all"})
    assert len(b"".join(nobody.streaming_content).decode("utf-8").strip().splitlines()) == 1


def test_actions_excel_job_holds_what_the_list_shows(org, client_for, django_capture_on_commit_callbacks) -> None:
    from django.urls import reverse
    from openpyxl import load_workbook

    from ledningssystem.models import BackgroundJob

    _with_action(org)
    _with_action(org, lex=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("manager_a").post(reverse("actions:export_excel") + "?whose=scope&show=all&page=2")
    assert response.status_code == 302
    job = BackgroundJob.objects.get()
    rows = list(load_workbook(job.result.open("rb")).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "Ny rutin" and rows[1][4] == "Planerad"
    # Someone who may not use the scope gets their own actions only, whatever the querystring says.
    with django_capture_on_commit_callbacks(execute=True):
        client_for("staff_b").post(reverse("actions:export_excel") + "?whose=scope&show=all")
    job = BackgroundJob.objects.filter(created_by=org.staff_b).get()
    assert len(list(load_workbook(job.result.open("rb")).active.iter_rows())) == 1
