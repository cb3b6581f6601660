"""Who may open and change processes and their activities: one row per view."""

from __future__ import annotations

import pytest

from processes.models import ProcessStatus
from tests.access_matrix import MatrixRow, case_id, cases, check, only, statuses
from tests.processes.process_helpers import make_process

# An active process applying to Sektion Ett: read there and above, never in unit B.
READERS = statuses(200, staff_b=404, manager_b=404)
# Seen by everyone in reach, changed only by the coordinator (manage_documents at the owner unit, and the owner role).
CHANGE_ACTIVE = statuses(403, staff_b=404, manager_b=404, quality=200)
# A draft is seen by its editors only: the coordinator (owner, creator) and the director (approves at the owner unit).
DRAFT_VIEW = only(200, ["quality", "director"], 404)
DRAFT_CHANGE = {**only(200, ["quality"], 404), "director": 403}


def active(org):
    return make_process(org)


def draft(org):
    return make_process(org, status=ProcessStatus.DRAFT)


def first_activity(ctx):
    return ctx[1].activities.order_by("position").first()


def posted(expect_ok: int, table: dict[str, int]) -> dict[str, int]:
    return {p: (expect_ok if s == 200 else s) for p, s in table.items()}


ROWS = [
    MatrixRow("processes:process_list", expect=statuses(200)),
    MatrixRow("processes:process_list", label="filtered", query="?q=avvikelser&status=active", expect=statuses(200)),
    MatrixRow("processes:process_create", expect=only(200, ["quality"], 403)),
    MatrixRow("processes:process_detail", label="active", setup=active, args=lambda c: [c[1].pk], expect=READERS),
    MatrixRow("processes:process_detail", label="draft", setup=draft, args=lambda c: [c[1].pk], expect=DRAFT_VIEW),
    MatrixRow("processes:process_edit", label="active", setup=active, args=lambda c: [c[1].pk], expect=CHANGE_ACTIVE),
    MatrixRow("processes:process_edit", label="draft", setup=draft, args=lambda c: [c[1].pk], expect=DRAFT_CHANGE),
    MatrixRow(
        "record_history",
        label="process",
        setup=active,
        args=lambda c: ["process", c[1].pk],
        expect={**statuses(403, staff_b=404, manager_b=404), "quality": 200, "director": 200},
    ),
    MatrixRow("processes:activity_add", setup=active, args=lambda c: [c[1].pk], expect=CHANGE_ACTIVE),
    MatrixRow(
        "processes:activity_edit", setup=active, args=lambda c: [c[1].pk, first_activity(c).pk], expect=CHANGE_ACTIVE
    ),
    MatrixRow(
        "processes:activity_delete", setup=active, args=lambda c: [c[1].pk, first_activity(c).pk], expect=CHANGE_ACTIVE
    ),
    MatrixRow(
        "processes:activity_move",
        method="post",
        setup=active,
        args=lambda c: [c[1].pk, first_activity(c).pk, "down"],
        data=lambda c: {"version": c[1].version},
        expect=posted(302, CHANGE_ACTIVE),
    ),
    MatrixRow(
        "processes:process_status",
        method="post",
        setup=active,
        args=lambda c: [c[1].pk, "retired"],
        data=lambda c: {"version": c[1].version},
        expect=posted(302, CHANGE_ACTIVE),
    ),
    MatrixRow(
        "processes:process_status",
        label="draft",
        method="post",
        setup=draft,
        args=lambda c: [c[1].pk, "active"],
        data=lambda c: {"version": c[1].version},
        expect=posted(302, DRAFT_CHANGE),
    ),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row, persona, org, client_for):
    check(row, persona, org, client_for)
