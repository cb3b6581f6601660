"""Who may open the read-confirmation pages: one row per view and persona."""

from __future__ import annotations

import pytest

from processes import reading
from tests.access_matrix import MatrixRow, case_id, cases, check, only, statuses
from tests.processes.reading_helpers import make_document

# A routine of Sektion Ett (owner: the section head), applying to Sektion Ett.
SEES = statuses(200, staff_b=404, manager_b=404)


def asked(org):
    _document, version = make_document(
        owner_unit=org.section_1, applies_to=[org.section_1], by=org.quality, owner_role="sektionschef"
    )
    reading.read_request_create(version=version, by=org.section_head)
    return version


def not_asked(org):
    return make_document(
        owner_unit=org.section_1, applies_to=[org.section_1], by=org.quality, owner_role="sektionschef"
    )[1]


def draft(org):
    return make_document(
        owner_unit=org.section_1, applies_to=[org.section_1], by=org.quality, owner_role="sektionschef", approved=False
    )[1]


def version_args(ctx):
    return [ctx[1].document_id, ctx[1].pk]


# In scope (at or below Sektion Ett) confirm; others who see the routine get the page back with the reason.
CONFIRM = {**SEES, "staff_a": 302, "colleague_a": 302, "manager_a": 302, "section_head": 302}
APPROVERS = {**statuses(403, staff_b=404, manager_b=404), "section_head": 200, "director": 200}
# Editors of the routine, and those who see people in a unit it applies to.
PROGRESS = {
    **statuses(403, staff_b=404, manager_b=404),
    **dict.fromkeys(["section_head", "director", "quality", "manager_a", "admin"], 200),
}
DRAFT_EDITORS = only(403, ["section_head", "director", "quality"], 404)

ROWS = [
    MatrixRow("processes:reading_mine", expect=statuses(200)),
    MatrixRow("processes:reading_confirm", setup=asked, args=version_args, expect=SEES),
    MatrixRow("processes:reading_confirm", label="post", method="post", setup=asked, args=version_args, expect=CONFIRM),
    MatrixRow(
        "processes:reading_confirm", label="draft", method="post", setup=draft, args=version_args, expect=DRAFT_EDITORS
    ),
    MatrixRow("processes:reading_request", setup=not_asked, args=version_args, expect=APPROVERS),
    MatrixRow(
        "processes:reading_request",
        label="post",
        method="post",
        setup=not_asked,
        args=version_args,
        data=lambda c: {"message": "Läs den nya versionen"},
        expect={**APPROVERS, "section_head": 302, "director": 302},
    ),
    MatrixRow("processes:reading_request", label="draft", setup=draft, args=version_args, expect=DRAFT_EDITORS),
    MatrixRow("processes:reading_progress", setup=asked, args=version_args, expect=PROGRESS),
    MatrixRow("processes:reading_progress", label="draft", setup=draft, args=version_args, expect=DRAFT_EDITORS),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row, persona, org, client_for):
    check(row, persona, org, client_for)
