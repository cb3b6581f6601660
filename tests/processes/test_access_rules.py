"""The access rules for controlled documents, processes and focus areas, persona by persona.

These test the one module that decides (processes/access_rules.py) directly;
the views' own matrices prove that every page goes through it.
"""

from __future__ import annotations

import pytest

from ledningssystem import access
from ledningssystem.models import Role
from processes.models import Document, DocumentVersion, Process, ProcessStatus, VersionStatus
from requirements.models import FocusArea, RoleResponsibility


def _document(org, identifier: str, owner_role: str, owner_unit, applies_to, *, approved: bool, draft: bool = False):
    document = Document.objects.create(
        identifier=identifier,
        title=identifier,
        owner_role=Role.objects.get(slug=owner_role),
        owner_unit=owner_unit,
        created_by=org.quality,
    )
    document.applies_to.set(applies_to)
    number = 0
    if approved:
        number += 1
        version = DocumentVersion.objects.create(
            document=document, number=number, status=VersionStatus.APPROVED, title=identifier, created_by=org.quality
        )
        document.current_version = version
        document.save()
    if draft:
        number += 1
        DocumentVersion.objects.create(
            document=document,
            number=number,
            status=VersionStatus.DRAFT,
            title=f"{identifier} utkast",
            created_by=org.quality,
        )
    return document


@pytest.fixture
def documents(org):
    return {
        # Enhet A's own routine: in force, with a new draft under way.
        "a": _document(org, "RUT-A", "enhetschef", org.unit_a, [org.unit_a], approved=True, draft=True),
        # The administration's guideline, never approved yet.
        "draft": _document(
            org, "RIK-D", "kvalitetssamordnare", org.administration, [org.administration], approved=False, draft=True
        ),
        # Enhet B's routine, in force.
        "b": _document(org, "RUT-B", "enhetschef", org.unit_b, [org.unit_b], approved=True),
        # A guideline for the whole administration, in force: everyone below reads it.
        "all": _document(
            org, "RIK-ALL", "kvalitetssamordnare", org.administration, [org.administration], approved=True
        ),
    }


VISIBLE = {
    "staff_a": {"a", "all"},
    "colleague_a": {"a", "all"},
    "manager_a": {"a", "all"},
    "staff_b": {"b", "all"},
    "manager_b": {"b", "all"},
    "section_head": {"a", "all"},
    "director": {"a", "draft", "b", "all"},
    "quality": {"a", "draft", "b", "all"},
    "secretary": {"a", "b", "all"},
    "committee": {"a", "b", "all"},
    "admin": {"a", "b", "all"},
}
# Who sees drafts (editors): the coordinator and approvers over the owner unit, and the owner.
SEES_DRAFT_OF_A = {"manager_a", "section_head", "director", "quality"}
CHANGES = {"manager_a": {"a"}, "manager_b": {"b"}, "quality": {"a", "draft", "b", "all"}}
APPROVES = {"manager_a": {"a"}, "manager_b": {"b"}, "section_head": {"a"}, "director": {"a", "draft", "b", "all"}}


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_documents_seen_changed_and_approved_by_persona(org, documents, persona):
    person = org.people[persona]
    names = {doc.pk: name for name, doc in documents.items()}
    seen = {names[pk] for pk in access.for_user(person, Document, "view").values_list("pk", flat=True)}
    assert seen == VISIBLE[persona]
    for name, document in documents.items():
        assert access.can(person, document, "view") == (name in VISIBLE[persona]), name
    changed = {names[pk] for pk in access.for_user(person, Document, "change").values_list("pk", flat=True)}
    assert changed == CHANGES.get(persona, set())
    approved = {names[pk] for pk in access.for_user(person, Document, "approve").values_list("pk", flat=True)}
    assert approved == APPROVES.get(persona, set())
    for name, document in documents.items():
        assert access.can(person, document, "change") == (name in CHANGES.get(persona, set())), name
        assert access.can(person, document, "approve") == (name in APPROVES.get(persona, set())), name


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_drafts_only_for_editors(org, documents, persona):
    person = org.people[persona]
    draft = documents["a"].versions.get(status=VersionStatus.DRAFT)
    in_force = documents["a"].current_version
    visible_versions = set(access.for_user(person, DocumentVersion).values_list("pk", flat=True))
    assert (draft.pk in visible_versions) == (persona in SEES_DRAFT_OF_A)
    assert access.can(person, draft, "view") == (persona in SEES_DRAFT_OF_A)
    assert (in_force.pk in visible_versions) == ("a" in VISIBLE[persona])


def test_the_writer_of_a_draft_sees_it_and_a_withdrawn_document_leaves_the_readers(org, documents):
    document = documents["a"]
    draft = document.versions.get(status=VersionStatus.DRAFT)
    draft.created_by = org.colleague_a
    draft.save()
    assert access.can(org.colleague_a, draft, "view")
    assert not access.can(org.staff_a, draft, "view")

    document.current_version.status = VersionStatus.WITHDRAWN
    document.current_version.save()
    document.current_version = None
    document.save()
    assert not access.for_user(org.staff_a, Document).filter(pk=document.pk).exists()
    assert not access.can(org.committee, document, "view")
    assert access.can(org.manager_a, document, "view")  # the owner still finds it


def test_anonymous_and_inactive_see_nothing(org, documents):
    from django.contrib.auth.models import AnonymousUser

    assert not access.for_user(AnonymousUser(), Document).exists()
    person = org.staff_a
    person.is_active = False
    person.save()
    assert not access.for_user(person, Document).exists()


def test_processes_are_read_when_in_use_and_edited_by_the_coordinator(org):
    process = Process.objects.create(
        identifier="PR-1",
        title="Avvikelseprocessen",
        owner_role=Role.objects.get(slug="kvalitetssamordnare"),
        owner_unit=org.administration,
        created_by=org.quality,
    )
    process.applies_to.set([org.section_1])
    assert not access.can(org.staff_a, process, "view")  # a draft process
    assert access.can(org.quality, process, "change")
    process.status = ProcessStatus.ACTIVE
    process.save()
    assert access.can(org.staff_a, process, "view")
    assert not access.can(org.staff_b, process, "view")  # Sektion Två is outside
    assert access.for_user(org.committee, Process).filter(pk=process.pk).exists()
    assert not access.can(org.staff_a, process, "change")
    assert not access.can(org.director, process, "change")


def test_focus_areas_read_in_reach_and_changed_by_manage_documents(org):
    area = FocusArea.objects.create(unit=org.administration, key="bemotande", title="Bemötande")
    local = FocusArea.objects.create(unit=org.unit_b, key="lokal", title="Lokalt område")
    responsibility = RoleResponsibility.objects.create(
        unit=org.administration, role=Role.objects.get(slug="enhetschef"), text="Leder arbetet."
    )
    assert set(access.for_user(org.staff_a, FocusArea)) == {area}
    assert set(access.for_user(org.staff_b, FocusArea)) == {area, local}
    assert set(access.for_user(org.committee, FocusArea)) == {area, local}
    assert access.can(org.staff_a, responsibility, "view")
    assert access.can(org.quality, area, "change")
    assert access.can(org.quality, local, "change")
    assert not access.can(org.director, area, "change")
    assert not access.for_user(org.manager_a, FocusArea, "change").exists()
