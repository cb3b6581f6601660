"""The handbook PDF, read back: approved content in, drafts out, PDF/A identification and Swedish language."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from reports.handbook import build_handbook_pdf, handbook_context, text_blocks
from reports.models import HandbookText, HandbookTextKey
from tests.reports.handbook_data import build_handbook_data


def read(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return reader, text


@pytest.fixture
def data(org):
    return build_handbook_data(org)


@pytest.fixture
def pdf_of_section(org, data):
    content = build_handbook_pdf(org.section_1, by=org.secretary)
    return read(content)


def test_approved_content_is_in_and_drafts_are_not(org, data, pdf_of_section) -> None:
    _reader, text = pdf_of_section
    assert "Ledningssystem för systematiskt kvalitetsarbete" in text
    assert "Sektion Ett" in text
    for area in data.areas[:3]:
        assert area.title in text
    assert "Bara för Sektion Två" not in text  # another branch's focus area
    assert "Nedlagt område" not in text  # inactive
    for document in data.approved:
        assert document.title in text
        assert document.identifier in text
    for document in data.drafts + data.elsewhere:
        assert document.title not in text
    assert "Process för avvikelsehantering" in text
    assert "Process som är utkast" not in text
    # The nearest responsibility text per role wins; roles defined higher up still show.
    assert "sektionens egen text" in text
    assert "förvaltningens text" not in text
    assert "Fastställer mål." in text
    # Frameworks in use, with their link among the references; an unused framework is left out.
    assert "SOSFS TEST:9" in text
    assert "https://example.org/sosfs-test-9" in text
    assert "OANVÄND" not in text
    # Decision reference, and the overdue routine marked in words.
    assert "SN 2024-01-17 § 7" in text
    assert "Översyn försenad" in text
    # Chapters in Swedish, with the default texts when none is written.
    for heading in [
        "Innehåll",
        "Inledning",
        "Syfte",
        "Lagrum",
        "Definition av kvalitet",
        "Ansvarsfördelning",
        "Kvalitetsarbetets fokusområden",
        "Processer och rutiner",
        "Referenser",
    ]:
        assert heading in text


def test_pages_are_numbered_and_the_contents_show_page_numbers(pdf_of_section) -> None:
    reader, text = pdf_of_section
    n = len(reader.pages)
    assert n >= 8  # cover, contents and a page per main chapter
    assert f"Sida 1 av {n}" in text
    assert f"Sida {n} av {n}" in text
    contents = " ".join(reader.pages[1].extract_text().split())
    # "Referenser ....... 9": the last chapter's entry ends with its page number.
    assert re.search(r"Referenser[ .]*" + str(n), contents)


def test_pdfa_identification_language_title_and_tags(pdf_of_section) -> None:
    reader, _text = pdf_of_section
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "sv"
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part="2"|<pdfaid:part>2</pdfaid:part>', xmp)
    assert re.search(r'pdfaid:conformance="U"|<pdfaid:conformance>U</pdfaid:conformance>', xmp)
    assert "Ledningssystem för systematiskt kvalitetsarbete" in xmp
    assert "/StructTreeRoot" in catalog  # tagged
    assert catalog["/MarkInfo"]["/Marked"]
    assert reader.metadata.title.startswith("Ledningssystem för systematiskt kvalitetsarbete")


def test_without_pdfa_there_is_no_pdfa_identification(org, data) -> None:
    reader, text = read(build_handbook_pdf(org.section_1, by=org.secretary, pdfa=False))
    assert "Rutin för bemötande" in text
    metadata = reader.trailer["/Root"].get("/Metadata")
    assert metadata is None or b"pdfaid" not in metadata.get_object().get_data()


def test_the_units_own_texts_replace_the_defaults_and_are_inherited_below(org, data) -> None:
    for key, text in [
        (HandbookTextKey.INTRODUCTION, "Vår egen inledning om förvaltningen."),
        (HandbookTextKey.ADOPTION, "Antagen av socialnämnden 2025-02-12 § 4"),
    ]:
        HandbookText.objects.create(unit=org.administration, key=key, text=text, updated_by=org.quality)
    _reader, text = read(build_handbook_pdf(org.unit_a, by=org.quality))
    assert "Vår egen inledning om förvaltningen." in text
    assert "Antagen av socialnämnden 2025-02-12 § 4" in text
    assert "Den här handboken beskriver ledningssystemet" not in text  # the default introduction
    assert "bästa tillgängliga kunskap" in text  # the default definition of quality still applies


def test_text_blocks_make_paragraphs_and_lists() -> None:
    blocks = text_blocks("Första stycket\nfortsätter.\n\nLista:\n- ett\n• två\nEfter.")
    assert [(b.text, b.items) for b in blocks] == [
        ("Första stycket fortsätter.", ()),
        ("Lista:", ()),
        ("", ("ett", "två")),
        ("Efter.", ()),
    ]


def test_unit_far_down_sees_what_applies_above_it_only(org, data) -> None:
    context = handbook_context(org.unit_b)
    titles = {row.title for row in context["documents"]}
    assert titles == {"Riktlinje för hela förvaltningen", "Rutin för nämndens alla verksamheter", "Rutin för Enhet B"}
    assert [a["title"] for a in context["focus_areas"]] == [
        "Bemötande i vardagen",
        "Samverkan med andra",
        "Avvikelser och lärande",
        "Bara för Sektion Två",
    ]
