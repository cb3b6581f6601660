"""Importing frameworks: diff by identifier, apply in one transaction, shipped files."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ledningssystem.services import DomainError
from requirements.loader import parse_catalogue
from requirements.models import DraftStatus, Framework, Requirement
from requirements.services import catalogue_diff, import_draft_confirm, import_draft_create
from tests.requirements.conftest import framework_yaml

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "requirements" / "data"

NEWER = """\
- id: "1:1"
  reference: "1 kap. 1 §"
  title: "Ledningssystem ska finnas och vara anpassat"
  summary: "Huvudmannen ska ha ett ledningssystem för klagomål och avvikelser."
  kind: regulation
  applies_to: [social_services, lss, health_care]
  source_url: "https://example.se/test"
  verified: true
- id: "1:2"
  reference: "1 kap. 2 §"
  title: "Riskanalys"
  summary: "Huvudmannen ska bedöma risker."
  kind: regulation
  applies_to: [social_services]
  source_url: "https://example.se/test"
  verified: false
"""


def test_first_import_creates_framework_tree_and_history(imported):
    diff = imported(framework_yaml())
    assert diff.is_new_framework and len(diff.added) == 2
    framework = Framework.objects.get(code="TEST 2026:1")
    assert framework.revision == 1
    r = Requirement.objects.get(identifier="1:1")
    assert r.section.title == "Allmänt"
    assert sorted(s.code for s in r.areas.all()) == ["lss", "social_services"]
    # One row for the requirement, one for its areas of application (simple-history's many-to-many).
    assert {h.history_change_reason for h in r.history.all()} == {"requirement.imported"}
    assert not Requirement.objects.get(identifier="1:1-AR").is_verified


def test_reimport_shows_added_changed_removed_then_applies_without_deleting(imported):
    imported(framework_yaml())
    newer = framework_yaml(NEWER, version="2")
    diff = catalogue_diff(parse_catalogue(newer))
    assert [r.identifier for r in diff.added] == ["1:2"]
    assert [r.identifier for r in diff.removed] == ["1:1-AR"]
    [changed] = diff.changed
    assert changed.identifier == "1:1"
    assert {c.field: (c.old, c.new) for c in changed.changes} == {
        "title": ("Ledningssystem ska finnas", "Ledningssystem ska finnas och vara anpassat"),
        "areas": ("lss, social_services", "health_care, lss, social_services"),
    }
    assert [c.field for c in diff.framework_changes] == ["version_label"]
    # The diff only read: nothing changed yet.
    assert Requirement.objects.get(identifier="1:1").title == "Ledningssystem ska finnas"

    imported(newer)
    assert Requirement.objects.get(identifier="1:1").title == "Ledningssystem ska finnas och vara anpassat"
    removed = Requirement.objects.get(identifier="1:1-AR")
    assert removed.is_active is False  # deactivated, never deleted
    assert removed.history.first().history_change_reason == "requirement.deactivated"
    assert Framework.objects.get().revision == 2

    # Back again: the deactivated requirement returns as a change.
    diff = catalogue_diff(parse_catalogue(framework_yaml()))
    assert any(c.identifier == "1:1-AR" and c.changes[-1].field == "is_active" for c in diff.changed)


def test_importing_the_same_file_again_changes_nothing(imported):
    imported(framework_yaml())
    diff = imported(framework_yaml())
    assert not diff.has_changes and diff.unchanged == 2
    assert Framework.objects.get().revision == 1


def test_preview_confirm_refuses_a_changed_catalogue_or_file(org, imported):
    admin = org.admin
    imported(framework_yaml())
    draft, diff = import_draft_create(by=admin, file_name="ny.yaml", text=framework_yaml(NEWER, version="2"))
    assert len(diff.added) == 1
    with pytest.raises(DomainError):
        import_draft_confirm(draft=draft, by=admin, sha256="0" * 64)
    # Someone imports another version after the preview: the preview is stale.
    imported(framework_yaml(version="1b"))
    with pytest.raises(DomainError):
        import_draft_confirm(draft=draft, by=admin, sha256=draft.sha256)
    assert Requirement.objects.filter(identifier="1:2").count() == 0
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PENDING

    fresh, _diff = import_draft_create(by=admin, file_name="ny.yaml", text=framework_yaml(NEWER, version="2"))
    import_draft_confirm(draft=fresh, by=admin, sha256=fresh.sha256)
    assert Requirement.objects.filter(identifier="1:2", is_active=True).exists()
    assert Requirement.objects.get(identifier="1:2").history.first().history_user == admin
    with pytest.raises(DomainError):  # a second confirm does nothing
        import_draft_confirm(draft=fresh, by=admin, sha256=fresh.sha256)


def test_shipped_files_load_with_known_references_and_review_flags(capsys):
    call_command("import_requirements", shipped=True)
    sosfs = Framework.objects.get(code="SOSFS 2011:9")
    assert sosfs.requirements.count() == 26
    # Verified in the reference → verified; anything else needs review.
    assert Requirement.objects.get(framework=sosfs, identifier="1:1").is_verified
    chapter_4 = Requirement.objects.get(framework=sosfs, identifier="4:1")
    assert chapter_4.reference == "4 kap. 1 §" and not chapter_4.is_verified
    assert Requirement.objects.get(framework=sosfs, identifier="5:3").reference == "5 kap. 3 §"
    assert not Requirement.objects.get(framework=sosfs, identifier="5:3").is_verified
    assert Requirement.objects.get(framework=sosfs, identifier="7:1-AR-kvalitetsberattelse").kind == "general_advice"
    assert set(sosfs.requirements.filter(is_verified=True).values_list("identifier", flat=True)) == {
        "1:1",
        "1:2",
        "2:1",
    }
    # The reference's placeholder is not loaded.
    assert not Requirement.objects.filter(identifier="4:AR-rutiner").exists()
    assert all(r.source_url.startswith("https://") for r in Requirement.objects.all())

    lex = Framework.objects.get(code="SOSFS 2011:5")
    assert Requirement.objects.get(framework=lex, identifier="1:2").is_verified
    assert not Requirement.objects.get(framework=lex, identifier="5:innehall").is_verified
    komvux = Framework.objects.get(code__startswith="Skollagen")
    assert komvux.sections.filter(title="Trygghet och studiero").exists()
    assert not komvux.requirements.filter(is_verified=True).exists()
    assert "26 tillagda" in capsys.readouterr().out


def test_command_dry_run_changes_nothing_and_errors_are_named(tmp_path, capsys):
    call_command("import_requirements", str(DATA / "sosfs-2011-9.yaml"), dry_run=True)
    assert not Framework.objects.exists()
    assert "+ 4:1" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(framework_yaml().replace("kind: regulation", "kind: lag"), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("import_requirements", str(bad))
    assert "Rad " in str(info.value) and "kind" in str(info.value)
    assert not Framework.objects.exists()
