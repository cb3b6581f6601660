"""Who may open which deviation page."""

from __future__ import annotations

import pytest

from tests.access_matrix import MatrixRow, case_id, cases, check, only, statuses
from tests.deviations.conftest import report

REPORTERS = ["staff_a", "colleague_a", "manager_a", "staff_b", "manager_b", "section_head", "director", "quality"]
HANDLE_A = ["manager_a", "section_head", "director", "quality"]
LEX_A = ["director", "quality"]


def see_handle(visible_handlers: list[str], reporter: str, handler_status: int = 200) -> dict[str, int]:
    table = only(handler_status, visible_handlers, 404)
    table[reporter] = 200 if reporter not in visible_handlers else handler_status
    return table


def with_deviation(org):
    return report(org)


def with_lex(org):
    return report(org, lex=True)


def post_version(ctx):
    return {"version": ctx[1].version}


def investigating(org):
    from deviations import services

    deviation = report(org)
    deviation = services.deviation_receive(deviation=deviation, by=org.manager_a, version=None)
    return services.deviation_start_investigation(deviation=deviation, by=org.manager_a, version=None)


def cause_data(ctx):
    from deviations.models import CauseCategory

    return {"category": CauseCategory.objects.first().pk, "description": "Rutin saknas"}


ROWS = [
    MatrixRow("report_start", expect=only(302, REPORTERS, 403)),
    MatrixRow("deviations:report", expect=only(200, REPORTERS, 403)),
    MatrixRow("deviations:mine", expect=statuses(200)),
    MatrixRow(
        "deviations:inbox", expect=only(200, ["manager_a", "manager_b", "section_head", "director", "quality"], 403)
    ),
    MatrixRow(
        "deviations:detail",
        label="deviation A",
        setup=with_deviation,
        args=lambda ctx: [ctx[1].pk],
        expect=see_handle(HANDLE_A, "staff_a"),
    ),
    MatrixRow(
        "deviations:detail",
        label="lex Sarah A",
        setup=with_lex,
        args=lambda ctx: [ctx[1].pk],
        expect=see_handle(LEX_A, "staff_a"),
    ),
    MatrixRow(
        "deviations:receipt", setup=with_deviation, args=lambda ctx: [ctx[1].pk], expect=only(200, ["staff_a"], 404)
    ),
    MatrixRow(
        "record_history",
        label="deviation",
        setup=with_deviation,
        args=lambda ctx: ["deviation", ctx[1].pk],
        expect={**only(200, HANDLE_A, 404), "staff_a": 403},
    ),
    MatrixRow(
        "record_history",
        label="lex Sarah",
        setup=with_lex,
        args=lambda ctx: ["deviation", ctx[1].pk],
        expect={**only(200, LEX_A, 404), "staff_a": 403},
    ),
    MatrixRow(
        "deviations:transition",
        label="receive",
        method="post",
        setup=with_deviation,
        args=lambda ctx: [ctx[1].pk, "receive"],
        data=post_version,
        expect={**only(404, [], 404), **dict.fromkeys(HANDLE_A, 302), "staff_a": 403},
    ),
    MatrixRow(
        "deviations:transition",
        label="receive lex",
        method="post",
        setup=with_lex,
        args=lambda ctx: [ctx[1].pk, "receive"],
        data=post_version,
        expect={**only(404, [], 404), **dict.fromkeys(LEX_A, 302), "staff_a": 403},
    ),
    MatrixRow(
        "deviations:investigation",
        method="post",
        setup=investigating,
        args=lambda ctx: [ctx[1].pk],
        data=lambda ctx: {"version": ctx[1].version, "investigation_method": "simple", "findings": "Utrett"},
        expect={**only(404, [], 404), **dict.fromkeys(HANDLE_A, 302), "staff_a": 403},
    ),
    MatrixRow(
        "deviations:cause_add",
        method="post",
        setup=investigating,
        args=lambda ctx: [ctx[1].pk],
        data=cause_data,
        expect={**only(404, [], 404), **dict.fromkeys(HANDLE_A, 302), "staff_a": 403},
    ),
    MatrixRow(
        "deviations:assign",
        method="post",
        setup=with_deviation,
        args=lambda ctx: [ctx[1].pk],
        data=lambda ctx: {"version": ctx[1].version, "handler": ctx[0].manager_a.pk},
        expect={**only(404, [], 404), **dict.fromkeys(HANDLE_A, 302), "staff_a": 403},
    ),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row: MatrixRow, persona: str, org, client_for) -> None:
    check(row, persona, org, client_for)
