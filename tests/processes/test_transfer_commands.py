"""manage.py import_handbook and export_handbook."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from processes.models import Document
from requirements.models import FocusArea
from tests.processes.conftest import handbook_yaml

pytestmark = pytest.mark.usefixtures("catalogue")


def test_import_dry_run_then_apply_then_export_round_trip(org, tmp_path) -> None:
    source = tmp_path / "handbok.yaml"
    source.write_text(handbook_yaml(), encoding="utf-8")
    out = io.StringIO()
    call_command("import_handbook", str(source), "--by", "quality", "--dry-run", stdout=out)
    assert "provkörning" in out.getvalue() and "6 tillagda" in out.getvalue()
    assert FocusArea.objects.count() == 0
    call_command("import_handbook", str(source), "--by", "quality", stdout=io.StringIO())
    assert Document.objects.count() == 2

    exported = tmp_path / "export.yaml"
    call_command("export_handbook", "Socialförvaltningen", "--format", "yaml", "-o", str(exported))
    workbook = tmp_path / "export.xlsx"
    call_command("export_handbook", "Socialförvaltningen", "--format", "xlsx", "-o", str(workbook))
    for path in (exported, workbook):
        out = io.StringIO()
        call_command("import_handbook", str(path), "--by", "quality", stdout=out)
        assert "0 tillagda, 0 ändrade, 6 oförändrade." in out.getvalue()


def test_import_errors_are_listed_in_swedish(org, tmp_path) -> None:
    source = tmp_path / "fel.yaml"
    source.write_text(handbook_yaml(**{"kind: rutin": "kind: rutiner"}), encoding="utf-8")
    with pytest.raises(CommandError, match="inget har ändrats") as exc:
        call_command("import_handbook", str(source), "--by", "quality")
    assert "okänd typ ”rutiner”" in str(exc.value)
    with pytest.raises(CommandError, match="Ingen aktiv användare"):
        call_command("import_handbook", str(source), "--by", "nobody")
    with pytest.raises(CommandError, match="Okänd eller tvetydig enhet"):
        call_command("export_handbook", "Finns inte")


def test_the_example_handbook_imports(org) -> None:
    from pathlib import Path

    from django.conf import settings

    call_command("import_requirements", "--shipped", verbosity=0, stdout=io.StringIO())
    org.administration.code = "SF"
    org.administration.save()
    example = Path(settings.BASE_DIR) / "docs" / "examples" / "handbok-socialtjanst.yaml"
    out = io.StringIO()
    call_command("import_handbook", str(example), "--by", "quality", stdout=out)
    assert "10 tillagda" in out.getvalue()
    assert Document.objects.get(identifier="RUT-EX-01").current_version.decision_reference == "SN 2024-01-17 § 7"
