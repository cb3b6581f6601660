from __future__ import annotations

import pytest

from ledningssystem import personnummer


@pytest.mark.parametrize(
    "text",
    [
        "Brukaren 19121212-1212 föll",
        "pnr 121212-1212",
        "1212121212",
        "191212121212",
        "121212+1212",
        "samordningsnummer 701063-2391",
    ],
)
def test_finds_valid_numbers(text: str) -> None:
    assert personnummer.find(text)


@pytest.mark.parametrize(
    "text",
    ["121212-1213", "Ring 0701234567", "ordernr 2026-11-24", "991332-1234", "kl 1230 rum 4501", "", "12345678901234"],
)
def test_ignores_what_is_not_a_valid_number(text: str) -> None:
    assert personnummer.find(text) == []


def test_redact_replaces_the_number() -> None:
    text = "Brukaren 19121212-1212 föll"
    assert personnummer.redact(text, personnummer.find(text), "[flyttat]") == "Brukaren [flyttat] föll"


def test_dashes_from_word_processors_are_found() -> None:
    assert personnummer.find("pnr 121212\u20131212")  # en dash
    assert personnummer.find("pnr 121212\u20111212")  # non-breaking hyphen


def test_redact_replaces_longer_numbers_first() -> None:
    text = "121212-1212 och 19121212-1212"
    assert personnummer.redact(text, personnummer.find(text), "[x]") == "[x] och [x]"
