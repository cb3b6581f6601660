"""Who may open and act on which document page (persona × document state × action).

Documents are owned by kvalitetssamordnare at Socialförvaltningen and apply
to Enhet A (tests/processes/conftest.py).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from processes import documents
from tests.access_matrix import MatrixRow, case_id, cases, check, only, statuses
from tests.processes.conftest import approved, draft, first_version, with_new_draft

# Everyone whose view scope meets Enhet A: the unit, those above it, the committee.
READ_A = [
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
EDITORS = ["director", "quality"]  # approve_documents / manage_documents at the owner unit
NOT_A = ["staff_b", "manager_b"]


def see(visible: list[str], allowed: list[str], ok: int = 200) -> dict[str, int]:
    """``allowed`` get ``ok``; others who can see the document 403; the rest 404."""
    table = only(403, visible, 404)
    table.update(dict.fromkeys(allowed, ok))
    return table


def with_approved(org):
    return approved(org)


def with_draft(org):
    return draft(org)


def with_second_draft(org):
    return with_new_draft(org)


def with_review(org):
    document, version = with_new_draft(org)
    version = documents.version_submit(version=version, by=org.quality, lock_version=version.lock_version)
    return document, version


def with_attachment(org):
    document = draft(org)
    v1 = first_version(document)
    (attachment,) = documents.attachment_add(
        version=v1,
        by=org.quality,
        lock_version=v1.lock_version,
        files=[(SimpleUploadedFile("bilaga.txt", b"Hej"), "text/plain; charset=utf-8")],
    )
    return document, attachment


def with_approved_attachment(org):
    document, attachment = with_attachment(org)
    v1 = first_version(document)
    v1 = documents.version_submit(version=v1, by=org.quality, lock_version=v1.lock_version)
    documents.version_approve(version=v1, by=org.director, lock_version=None, decision_reference="SN 1 § 1")
    return document, attachment


def doc(ctx):
    return [ctx[1].pk if not isinstance(ctx[1], tuple) else ctx[1][0].pk]


ROWS = [
    MatrixRow("processes:document_list", expect=statuses(200)),
    MatrixRow("processes:document_create", expect=only(200, ["quality"], 403)),
    MatrixRow(
        "processes:document_create",
        label="post",
        method="post",
        data=lambda o: {
            "kind": "routine",
            "title": "Ny rutin",
            "owner_role": documents.Role.objects.get(slug="kvalitetssamordnare").pk,
            "owner_unit": o.administration.pk,
            "applies_to": [o.unit_a.pk],
            "review_interval_months": 12,
            "body": "<p>Text</p>",
        },
        expect=only(302, ["quality"], 403),
    ),
    # In force: read in scope; never by Enhet B.
    MatrixRow(
        "processes:document_detail",
        label="approved",
        setup=with_approved,
        args=doc,
        expect=only(200, READ_A, 404),
    ),
    # Never approved: only editors (and the owner, the coordinator) see it.
    MatrixRow("processes:document_detail", label="draft", setup=with_draft, args=doc, expect=only(200, EDITORS, 404)),
    MatrixRow(
        "processes:version_detail",
        label="approved v1",
        setup=with_second_draft,
        args=lambda ctx: [ctx[1][0].pk, 1],
        expect=only(200, READ_A, 404),
    ),
    MatrixRow(
        "processes:version_detail",
        label="draft v2",
        setup=with_second_draft,
        args=lambda ctx: [ctx[1][0].pk, 2],
        expect=only(200, EDITORS, 404),
    ),
    MatrixRow(
        "processes:version_compare",
        setup=with_second_draft,
        args=doc,
        query="?a=1&b=1",
        expect=only(200, READ_A, 404),
    ),
    MatrixRow(
        "processes:document_edit",
        label="approved",
        setup=with_approved,
        args=doc,
        expect=see(READ_A, ["quality"]),
    ),
    MatrixRow("processes:document_edit", label="draft", setup=with_draft, args=doc, expect=see(EDITORS, ["quality"])),
    MatrixRow("processes:draft_edit", setup=with_second_draft, args=doc, expect=see(READ_A, ["quality"])),
    MatrixRow(
        "processes:version_step",
        label="submit",
        method="post",
        setup=with_second_draft,
        args=lambda ctx: [ctx[1][0].pk, 2, "submit"],
        data=lambda ctx: {"version": ctx[1][1].lock_version},
        expect={**only(404, [], 404), **dict.fromkeys(EDITORS, 403), "quality": 302},
    ),
    MatrixRow(
        "processes:version_step",
        label="approve",
        method="post",
        setup=with_review,
        args=lambda ctx: [ctx[1][0].pk, 2, "approve"],
        data=lambda ctx: {"version": ctx[1][1].lock_version, "decision_reference": "SN 2025-01-01 § 1"},
        expect={**only(404, [], 404), "quality": 403, "director": 302},
    ),
    MatrixRow(
        "processes:version_step",
        label="return",
        method="post",
        setup=with_review,
        args=lambda ctx: [ctx[1][0].pk, 2, "return"],
        data=lambda ctx: {"version": ctx[1][1].lock_version},
        expect={**only(404, [], 404), "quality": 302, "director": 302},
    ),
    MatrixRow(
        "processes:document_step",
        label="withdraw",
        method="post",
        setup=with_approved,
        args=lambda ctx: [ctx[1].pk, "withdraw"],
        data=lambda ctx: {"version": ctx[1].version, "reason": "Ersatt"},
        expect=see(READ_A, ["director"], 302),
    ),
    MatrixRow(
        "processes:document_step",
        label="new draft",
        method="post",
        setup=with_approved,
        args=lambda ctx: [ctx[1].pk, "new-draft"],
        data=lambda ctx: {"version": ctx[1].version},
        expect=see(READ_A, ["quality"], 302),
    ),
    MatrixRow(
        "processes:document_step",
        label="reviewed",
        method="post",
        setup=with_approved,
        args=lambda ctx: [ctx[1].pk, "reviewed"],
        data=lambda ctx: {"version": ctx[1].version},
        expect=see(READ_A, ["quality"], 302),
    ),
    MatrixRow(
        "processes:attachment_download",
        label="approved",
        setup=with_approved_attachment,
        args=lambda ctx: [ctx[1][0].pk, ctx[1][1].pk],
        expect=only(200, READ_A, 404),
    ),
    MatrixRow(
        "processes:attachment_download",
        label="draft",
        setup=with_attachment,
        args=lambda ctx: [ctx[1][0].pk, ctx[1][1].pk],
        expect=only(200, EDITORS, 404),
    ),
    MatrixRow(
        "processes:attachment_add",
        method="post",
        setup=with_second_draft,
        args=doc,
        data=lambda ctx: {
            "version": ctx[1][1].lock_version,
            "files": SimpleUploadedFile("lista.txt", b"Checklista", content_type="text/plain"),
        },
        expect=see(READ_A, ["quality"], 302),
    ),
    MatrixRow(
        "processes:attachment_remove",
        method="post",
        setup=with_attachment,
        args=lambda ctx: [ctx[1][0].pk, ctx[1][1].pk],
        data=lambda ctx: {"version": ctx[1][1].version.lock_version},
        expect={**only(404, [], 404), "director": 403, "quality": 302},
    ),
    MatrixRow(
        "record_history",
        label="document",
        setup=with_approved,
        args=lambda ctx: ["document", ctx[1].pk],
        expect={**only(404, [], 404), **dict.fromkeys(READ_A, 403), **dict.fromkeys(EDITORS, 200)},
    ),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row: MatrixRow, persona: str, org, client_for) -> None:
    check(row, persona, org, client_for)
