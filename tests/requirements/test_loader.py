"""The framework file format: every problem is named with its line and field, in Swedish."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from requirements.loader import MAX_FILE_BYTES, CatalogueError, parse_catalogue
from requirements.models import Framework, Requirement
from tests.requirements.conftest import framework_yaml

AREAS = ["social_services", "lss", "health_care", "adult_education"]


def problems(text: str | bytes) -> list[str]:
    with translation.override("sv"), pytest.raises(CatalogueError) as info:
        parse_catalogue(text, areas=AREAS)
    return [str(p) for p in info.value.problems]


def test_a_valid_file_is_read_in_order_with_its_tree():
    parsed = parse_catalogue(framework_yaml(), areas=AREAS)
    assert parsed.framework.code == "TEST 2026:1"
    assert parsed.framework.in_force_from.isoformat() == "2026-01-01"
    assert [s.key for s in parsed.sections] == ["1"]
    assert [(r.identifier, r.kind, r.is_verified, r.section_key) for r in parsed.requirements] == [
        ("1:1", "regulation", True, "1"),
        ("1:1-AR", "general_advice", False, "1"),
    ]
    assert parsed.requirements[0].areas == ["social_services", "lss"]


def test_unknown_kind_names_line_and_field_in_swedish():
    text = framework_yaml().replace("kind: general_advice", "kind: bör")
    [message] = problems(text)
    line = text.splitlines().index("        kind: bör") + 1
    assert message.startswith(f"Rad {line}, sections[1].requirements[2].kind:")
    assert "okänd typ" in message.lower()


def test_unknown_area_and_unknown_field_are_both_reported():
    text = (
        framework_yaml()
        .replace("applies_to: [social_services]", "applies_to: [skola]")
        .replace('title: "Kvalitetsberättelse"', 'title: "Kvalitetsberättelse"\n        rubrik: "x"')
    )
    found = problems(text)
    assert len(found) == 2
    assert any("applies_to" in p and "skola" in p for p in found)
    assert any("rubrik" in p and "okänt fält" in p.lower() for p in found)


def test_duplicate_identifier_names_the_first_line():
    text = framework_yaml().replace('id: "1:1-AR"', 'id: "1:1"')
    [message] = problems(text)
    first = text.splitlines().index('      - id: "1:1"') + 1
    assert f"rad {first}" in message.lower()
    assert "1:1" in message


def test_missing_fields_and_bad_values():
    text = (
        re.sub(r"^ *summary: \"Huvudmannen ska ha.*\n", "", framework_yaml(), flags=re.MULTILINE)
        .replace("verified: true", "verified: kanske")
        .replace("https://example.se/test", "inte en adress", 1)
    )
    found = problems(text)
    assert any("summary" in p and "saknas" in p for p in found)
    assert any("verified" in p and "true eller false" in p for p in found)
    assert any("framework.source_url" in p for p in found)


def test_duplicate_keys_and_aliases_are_refused():
    text = framework_yaml().replace('  issuer: "Testmyndigheten"', '  issuer: "A"\n  issuer: "B"')
    assert any("framework.issuer" in p and "två gånger" in p for p in problems(text))
    bomb = (
        framework_yaml()
        .replace('title: "Testföreskrifter"', "title: &t Testföreskrifter")
        .replace('issuer: "Testmyndigheten"', "issuer: *t")
    )
    assert any("alias" in p for p in problems(bomb))


def test_broken_yaml_too_large_and_not_utf8():
    [message] = problems("format: 1\nframework: [\n")
    assert message.startswith("Rad ") and "YAML" in message
    [message] = problems(b"x" * (MAX_FILE_BYTES + 1))
    assert "för stor" in message
    [message] = problems("format: 1\n".encode("latin-1") + "title: åäö\n".encode("latin-1"))
    assert "UTF-8" in message


def test_wrong_format_version_and_no_requirements():
    assert any("format" in p for p in problems(framework_yaml().replace("format: 1", "format: 2")))
    empty = "format: 1\nframework:\n  code: X\n  title: Y\n  source_url: https://example.se\n"
    assert any("inga krav" in p for p in problems(empty))


@pytest.mark.django_db
def test_a_bad_file_changes_nothing(imported):
    imported(framework_yaml())
    before = list(Requirement.objects.values_list("identifier", "title", "is_active"))
    bad = (
        framework_yaml(version="2")
        .replace("Ledningssystem ska finnas", "Ny rubrik")
        .replace("kind: regulation", "kind: x")
    )
    with pytest.raises(CatalogueError):
        imported(bad)
    assert list(Requirement.objects.values_list("identifier", "title", "is_active")) == before
    assert Framework.objects.get().version_label == "1"
