"""The document workflow in the services: states, immutability, locking, bad input, sanitising."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ledningssystem.models import Role
from ledningssystem.services import ConflictError, DomainError
from processes import documents
from processes.models import Document, DocumentAttachment, DocumentVersion, VersionStatus
from processes.richtext import sanitise
from tests.processes.conftest import approve, approved, draft, first_version, with_new_draft

pytestmark = pytest.mark.django_db


def test_create_gives_identifiers_per_kind_and_a_first_draft(org) -> None:
    a = draft(org)
    b = draft(org, title="Andra rutinen")
    g = draft(org, title="Riktlinje för dokumentation", kind="guideline")
    p = draft(org, title="Plan för kompetensförsörjning", kind="plan")
    assert (a.identifier, b.identifier, g.identifier, p.identifier) == ("RUT-0001", "RUT-0002", "RIK-0001", "PLA-0001")
    version = first_version(a)
    assert version.status == VersionStatus.DRAFT and version.number == 1
    assert a.current_version is None
    assert a.history.first().history_change_reason == "document.created"
    assert list(a.applies_to.all()) == [org.unit_a]


def test_identifier_continues_after_the_highest_number(org) -> None:
    Document.objects.filter(pk=draft(org).pk).update(identifier="RUT-9999")
    assert draft(org, title="Nästa").identifier == "RUT-10000"
    assert draft(org, title="Och nästa").identifier == "RUT-10001"


def test_only_a_coordinator_of_the_owner_unit_creates(org) -> None:
    with pytest.raises(DomainError) as err:
        documents.document_create(
            by=org.director,
            kind="routine",
            title="X",
            owner_role=Role.objects.get(slug="enhetschef"),
            owner_unit=org.unit_a,
            applies_to=[org.unit_a],
        )
    assert err.value.field == "owner_unit"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"units": []}, "applies_to"),
        ({"review_interval_months": 0}, "review_interval_months"),
        ({"review_interval_months": 61}, "review_interval_months"),
        ({"kind": "memo"}, "kind"),
        ({"body": "<p>" + "a" * 200_001 + "</p>"}, "body"),
    ],
)
def test_bad_input_saves_nothing(org, changes, field) -> None:
    arguments = {
        "by": org.quality,
        "kind": "routine",
        "title": "Rutin",
        "owner_role": Role.objects.get(slug="kvalitetssamordnare"),
        "owner_unit": org.administration,
        "applies_to": changes.pop("units", [org.unit_a]),
        **changes,
    }
    with pytest.raises(DomainError) as err:
        documents.document_create(**arguments)
    assert err.value.field == field
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()


def test_unsafe_html_is_stripped_on_save(org) -> None:
    body = (
        '<p onclick="steal()">Text<script>alert(1)</script></p>'
        '<img src="x" onerror="alert(1)">'
        '<a href="javascript:alert(1)">klicka</a> <a href="https://example.se/">ok</a>'
        '<a href="data:text/html,hej">data</a><iframe src="https://evil"></iframe>'
        '<p style="color:red">röd</p><h1>Stor</h1><b>fet</b>'
    )
    version = first_version(draft(org, body=body))
    stored = version.body
    for unsafe in ("script", "onclick", "onerror", "<img", "javascript:", "data:", "iframe", "style=", "<h1"):
        assert unsafe not in stored
    assert '<a href="https://example.se/" rel="noopener noreferrer">ok</a>' in stored
    assert "<strong>fet</strong>" in stored
    assert sanitise(stored) == stored  # stable: output sanitising keeps what saving kept


def test_the_whole_workflow_with_supersede(org) -> None:
    document = draft(org)
    v1 = first_version(document)
    v1 = documents.version_submit(version=v1, by=org.quality, lock_version=v1.lock_version)
    assert v1.status == VersionStatus.IN_REVIEW and v1.submitted_at
    v1 = documents.version_return(version=v1, by=org.director, lock_version=v1.lock_version)
    assert v1.status == VersionStatus.DRAFT
    v1 = documents.version_submit(version=v1, by=org.quality, lock_version=v1.lock_version)
    v1 = documents.version_approve(
        version=v1,
        by=org.director,
        lock_version=v1.lock_version,
        decision_reference="SN 2024-01-17 § 7",
        valid_from=datetime.date(2024, 2, 1),
    )
    document.refresh_from_db()
    today = timezone.localdate()
    assert document.current_version == v1
    assert v1.approved_by == org.director and v1.valid_from == datetime.date(2024, 2, 1)
    assert document.next_review_on == documents.add_months(today, 12)

    document, v2 = with_new_draft(org, title="Rutin för lex Sarah")
    assert v2.number == 2 and v2.status == VersionStatus.DRAFT
    approve(org, document, "SN 2025-03-12 § 4")
    document.refresh_from_db()
    old = document.versions.get(number=1)
    assert old.status == VersionStatus.SUPERSEDED and old.ended_at
    assert document.current_version.number == 2
    reasons = list(DocumentVersion.history.filter(id=old.pk).values_list("history_change_reason", flat=True))
    assert "document.superseded" in reasons and "document.approved" in reasons


def test_approved_versions_cannot_change(org) -> None:
    document = approved(org)
    v1 = first_version(document)
    with pytest.raises(DomainError):
        documents.version_save_draft(
            version=v1, by=org.quality, lock_version=v1.lock_version, title="Ny", body="<p>ny</p>", change_note=""
        )
    # Even a direct save through the service helper refuses.
    v1.body = "<p>ändrad</p>"
    with pytest.raises(DomainError):
        documents._save_version(v1, org.quality, "document.draft_saved")
    with pytest.raises(DomainError):
        documents.attachment_add(
            version=v1,
            by=org.quality,
            lock_version=None,
            files=[(SimpleUploadedFile("a.txt", b"hej"), "text/plain; charset=utf-8")],
        )
    assert DocumentVersion.objects.get(pk=v1.pk).title == "Rutin för avvikelsehantering"


def test_double_submit_and_double_approve_are_refused(org) -> None:
    v1 = first_version(draft(org))
    v1 = documents.version_submit(version=v1, by=org.quality, lock_version=v1.lock_version)
    with pytest.raises(DomainError, match="redan"):
        documents.version_submit(version=v1, by=org.quality, lock_version=None)
    v1 = documents.version_approve(version=v1, by=org.director, lock_version=None, decision_reference="SN 1 § 1")
    with pytest.raises(DomainError, match="redan"):
        documents.version_approve(version=v1, by=org.director, lock_version=None, decision_reference="SN 1 § 1")


def test_stale_lock_versions_are_refused(org) -> None:
    document = draft(org)
    v1 = first_version(document)
    documents.version_save_draft(
        version=v1, by=org.quality, lock_version=v1.lock_version, title="Första", body="<p>a</p>", change_note=""
    )
    with pytest.raises(ConflictError):
        documents.version_save_draft(
            version=v1, by=org.quality, lock_version=v1.lock_version - 1, title="Andra", body="<p>b</p>", change_note=""
        )
    assert DocumentVersion.objects.get(pk=v1.pk).title == "Första"
    Document.objects.filter(pk=document.pk).update(version=5)
    with pytest.raises(ConflictError):
        documents.document_update(
            document=document,
            by=org.quality,
            version=1,
            kind="guideline",
            owner_role=document.owner_role,
            owner_unit=document.owner_unit,
            applies_to=[org.unit_b],
            review_interval_months=24,
            requirements=[],
            focus_areas=[],
        )
    assert Document.objects.get(pk=document.pk).kind == "routine"


def test_the_draft_title_names_the_document_until_approval(org) -> None:
    document = draft(org)
    v1 = first_version(document)
    documents.version_save_draft(
        version=v1, by=org.quality, lock_version=v1.lock_version, title="Nytt namn", body="<p>a</p>", change_note=""
    )
    assert Document.objects.get(pk=document.pk).title == "Nytt namn"


def test_submit_needs_a_text_and_approve_a_reference(org) -> None:
    v1 = first_version(draft(org, body="<p>  </p>"))
    with pytest.raises(DomainError) as err:
        documents.version_submit(version=v1, by=org.quality, lock_version=None)
    assert err.value.field == "body"
    v1 = first_version(draft(org, title="Annan"))
    v1 = documents.version_submit(version=v1, by=org.quality, lock_version=None)
    with pytest.raises(DomainError) as err:
        documents.version_approve(version=v1, by=org.director, lock_version=None, decision_reference="  ")
    assert err.value.field == "decision_reference"
    with pytest.raises(DomainError) as err:
        documents.version_approve(
            version=v1,
            by=org.director,
            lock_version=None,
            decision_reference="SN",
            valid_from=datetime.date(2099, 1, 1),
        )
    assert err.value.field == "valid_from"
    assert DocumentVersion.objects.get(pk=v1.pk).status == VersionStatus.IN_REVIEW


def test_withdraw_review_and_new_draft(org) -> None:
    document = approved(org)
    with pytest.raises(DomainError) as err:
        documents.document_withdraw(document=document, by=org.director, version=document.version, reason=" ")
    assert err.value.field == "reason"
    reviewed = documents.document_mark_reviewed(document=document, by=org.quality, version=document.version)
    assert reviewed.history.first().history_change_reason == "document.reviewed"
    document = documents.document_withdraw(
        document=reviewed, by=org.director, version=reviewed.version, reason="Ersätts av riktlinje"
    )
    assert document.current_version is None and document.next_review_on is None
    v1 = first_version(document)
    assert v1.status == VersionStatus.WITHDRAWN and v1.end_reason == "Ersätts av riktlinje"
    with pytest.raises(DomainError):
        documents.document_start_draft(document=document, by=org.quality, version=document.version)
    with pytest.raises(DomainError):
        documents.document_mark_reviewed(document=document, by=org.quality, version=document.version)


def test_new_draft_copies_text_and_attachments_and_only_one_open(org) -> None:
    document = draft(org)
    v1 = first_version(document)
    documents.attachment_add(
        version=v1,
        by=org.quality,
        lock_version=v1.lock_version,
        files=[(SimpleUploadedFile("bilaga.txt", b"Hej bilaga"), "text/plain; charset=utf-8")],
    )
    attachment = v1.attachments.get()
    assert len(attachment.sha256) == 64 and attachment.size == 10
    assert "bilaga" not in attachment.file.name  # stored under a random name
    approve(org, document)
    document.refresh_from_db()
    v2 = documents.document_start_draft(document=document, by=org.quality, version=document.version)
    assert v2.body == v1.body and v2.title == v1.title
    copied = v2.attachments.get()
    assert copied.file.name == attachment.file.name and copied.sha256 == attachment.sha256
    document.refresh_from_db()
    with pytest.raises(DomainError):
        documents.document_start_draft(document=document, by=org.quality, version=document.version)
    documents.attachment_remove(attachment=copied, by=org.quality, lock_version=None)
    assert DocumentAttachment.objects.filter(pk=attachment.pk).exists()
    assert v1.attachments.count() == 1 and v2.attachments.count() == 0


def test_metadata_update_records_links_separately(org) -> None:
    from requirements.models import Framework, Requirement

    framework = Framework.objects.create(code="LOKAL", title="Lokala krav")
    requirement = Requirement.objects.create(
        framework=framework, identifier="1", reference="1 §", title="Krav", kind="local"
    )
    document = draft(org)
    updated = documents.document_update(
        document=document,
        by=org.quality,
        version=document.version,
        kind="routine",
        owner_role=document.owner_role,
        owner_unit=document.owner_unit,
        applies_to=[org.unit_a],
        review_interval_months=12,
        requirements=[requirement],
        focus_areas=[],
    )
    assert updated.version == 2
    assert updated.history.first().history_change_reason == "document.links_changed"
    updated = documents.document_update(
        document=updated,
        by=org.quality,
        version=updated.version,
        kind="guideline",
        owner_role=document.owner_role,
        owner_unit=document.owner_unit,
        applies_to=[org.unit_a, org.unit_b],
        review_interval_months=24,
        requirements=[requirement],
        focus_areas=[],
    )
    assert updated.history.first().history_change_reason == "document.updated"
    assert updated.identifier == "RUT-0001"  # stable across a change of kind


def test_add_months_handles_month_ends() -> None:
    assert documents.add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert documents.add_months(datetime.date(2024, 11, 15), 14) == datetime.date(2026, 1, 15)


def test_files_of_a_version_in_review_are_what_the_approver_sees(org) -> None:
    v1 = first_version(draft(org))
    documents.attachment_add(
        version=v1, by=org.quality, lock_version=None, files=[(SimpleUploadedFile("a.txt", b"hej"), "text/plain")]
    )
    v1 = documents.version_submit(version=v1, by=org.quality, lock_version=None)
    with pytest.raises(DomainError, match="utkast"):
        documents.attachment_add(
            version=v1, by=org.quality, lock_version=None, files=[(SimpleUploadedFile("b.txt", b"nej"), "text/plain")]
        )
    with pytest.raises(DomainError, match="utkast"):
        documents.attachment_remove(attachment=v1.attachments.get(), by=org.quality, lock_version=None)
    assert [a.name for a in v1.attachments.all()] == ["a.txt"]


def test_identifiers_continue_the_numbered_series_past_odd_ones(org) -> None:
    first = draft(org, title="Första")
    Document.objects.filter(pk=first.pk).update(identifier="RUT-12a")  # e.g. moved in from an old handbook
    numbered = draft(org, title="Andra")
    assert numbered.identifier == "RUT-0001"
    assert documents.next_identifier("routine", taken={"RUT-0007"}) == "RUT-0008"
    assert draft(org, title="Tredje").identifier == "RUT-0002"


def test_saving_a_draft_title_counts_as_a_change_of_the_document(org) -> None:
    document = draft(org)
    v1 = first_version(document)
    documents.version_save_draft(
        version=v1, by=org.quality, lock_version=v1.lock_version, title="Nytt namn", body=v1.body, change_note=""
    )
    fresh = Document.objects.get(pk=document.pk)
    assert fresh.title == "Nytt namn"
    assert fresh.version == document.version + 1  # a details form opened before is now stale
