"""Who may open the statistics page, and proof that seeing statistics opens no case.

Committee members and the committee secretary see aggregates for the whole
organisation; they must still get nowhere on the pages of single cases.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access_matrix import MatrixRow, case_id, cases, check, only
from tests.deviations.conftest import report

STATISTICS = ["manager_a", "manager_b", "section_head", "director", "quality", "secretary", "committee"]
HANDLE_A = ["manager_a", "section_head", "director", "quality"]
LEX_A = ["director", "quality"]
INBOX = ["manager_a", "manager_b", "section_head", "director", "quality"]


def with_deviation(org):
    return report(org)


def with_lex(org):
    return report(org, lex=True)


def seen_by(who: list[str], reporter: str = "staff_a") -> dict[str, int]:
    return only(200, [*who, reporter], 404)


ROWS = [
    MatrixRow("reports:statistics", expect=only(200, STATISTICS, 403)),
    MatrixRow("reports:statistics", label="year", query="?year=2025", expect=only(200, STATISTICS, 403)),
    # Seeing statistics gives no way into single cases.
    MatrixRow("deviations:inbox", expect=only(200, INBOX, 403)),
    MatrixRow(
        "deviations:detail",
        label="deviation A",
        setup=with_deviation,
        args=lambda ctx: [ctx[1].pk],
        expect=seen_by(HANDLE_A),
    ),
    MatrixRow(
        "deviations:detail",
        label="lex Sarah A",
        setup=with_lex,
        args=lambda ctx: [ctx[1].pk],
        expect=seen_by(LEX_A),
    ),
    MatrixRow(
        "record_history",
        label="deviation",
        setup=with_deviation,
        args=lambda ctx: ["deviation", ctx[1].pk],
        expect={**only(200, HANDLE_A, 404), "staff_a": 403},
    ),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row: MatrixRow, persona: str, org, client_for) -> None:
    check(row, persona, org, client_for)


@pytest.mark.parametrize("persona", ["committee", "secretary"])
def test_statistics_readers_without_case_access_never_reach_a_case(persona, org, client_for) -> None:
    deviation = report(org)
    lex = report(org, lex=True)
    client = client_for(persona)
    for pk in (deviation.pk, lex.pk):
        assert client.get(reverse("deviations:detail", args=[pk])).status_code == 404
        assert client.get(reverse("record_history", args=["deviation", pk])).status_code == 404
    assert client.get(reverse("deviations:inbox")).status_code == 403
