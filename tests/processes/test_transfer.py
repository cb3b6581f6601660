"""Moving a handbook in and out: round trips, re-imports, the version rule, bad input, stale previews."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from ledningssystem.models import Unit
from ledningssystem.services import DomainError
from processes.models import Document, DocumentVersion, TransferDraft, TransferStatus, VersionStatus
from processes.transfer import services
from processes.transfer.reading import MAX_ROWS, HandbookError, read_file, read_xlsx, read_yaml
from processes.transfer.workbook import handbook_workbook
from requirements.models import FocusArea, FocusAreaResponsibility, RoleResponsibility
from tests.processes.conftest import handbook_yaml

pytestmark = pytest.mark.usefixtures("catalogue")


def import_text(text: str, by, unit=None):
    return services.handbook_apply(raw=read_yaml(text), by=by, unit=unit)


def content_counts() -> tuple[int, ...]:
    return (
        RoleResponsibility.objects.count(),
        FocusArea.objects.count(),
        FocusAreaResponsibility.objects.count(),
        Document.objects.count(),
        DocumentVersion.objects.count(),
    )


def history_rows() -> int:
    return sum(
        m.history.count() for m in (RoleResponsibility, FocusArea, FocusAreaResponsibility, Document, DocumentVersion)
    )


def wipe() -> None:
    """Empty the handbook content, leaving the organisation, roles and catalogue."""
    Document.objects.update(current_version=None)
    DocumentVersion.objects.all().delete()
    Document.objects.all().delete()
    FocusAreaResponsibility.objects.all().delete()
    FocusArea.objects.all().delete()
    RoleResponsibility.objects.all().delete()


# --- What an import does ---------------------------------------------------------------


def test_import_creates_everything_with_history_and_an_approved_version(org) -> None:
    plan = import_text(handbook_yaml(), org.quality)
    assert plan.counts() == {"added": 6, "changed": 0, "unchanged": 0}
    area = FocusArea.objects.get(unit=org.administration, key="bemotande")
    assert sorted(m.code for m in area.follow_up_methods.all()) == ["brukarundersokning", "egenkontroll"]
    assert [d.role.slug for d in area.responsibilities.order_by("position")] == ["enhetschef", "medarbetare"]
    assert area.history.first().history_change_reason == "focusarea.imported"
    assert RoleResponsibility.objects.get(unit=org.administration, role__slug="enhetschef").text.startswith("Leder")

    routine = Document.objects.get(identifier="RUT-0100")
    version = routine.current_version
    assert version.status == VersionStatus.APPROVED
    assert version.approved_by == org.quality
    assert version.decision_reference == "SN 2024-01-17 § 7"
    assert version.valid_from.isoformat() == "2024-01-17"
    assert routine.next_review_on.isoformat() == "2025-01-17"  # approved on + 12 months
    assert version.history.first().history_change_reason == "document.imported"
    assert (
        version.body
        == "<p>Alla medarbetare rapporterar avvikelser samma dag.</p><p>Enhetschefen tar emot och utreder.</p>"
    )
    assert sorted(u.name for u in routine.applies_to.all()) == ["Enhet A", "Enhet A2"]
    assert [a.key for a in routine.focus_areas.all()] == ["avvikelser"]

    # No identifier in the file: one is given; the draft's script is gone.
    guideline = Document.objects.get(title="Riktlinje för bemötande")
    assert guideline.identifier == "RIK-0001"
    assert guideline.current_version is None
    draft = guideline.versions.get()
    assert draft.status == VersionStatus.DRAFT
    assert "<script>" not in draft.body and "<strong>alla</strong>" in draft.body
    assert guideline.owner_unit == org.administration  # no owner unit: the file's unit


def test_reimporting_the_same_file_changes_nothing_not_even_history(org) -> None:
    import_text(handbook_yaml(), org.quality)
    before, rows = content_counts(), history_rows()
    plan = import_text(handbook_yaml(), org.quality)
    assert plan.counts() == {"added": 0, "changed": 0, "unchanged": 6}
    assert content_counts() == before
    assert history_rows() == rows


def test_changed_text_on_an_approved_routine_becomes_a_new_approved_version(org) -> None:
    import_text(handbook_yaml(), org.quality)
    text = handbook_yaml(**{"samma dag.": "samma dag, senast vid arbetspassets slut.", "§ 7": "§ 12"})
    plan = import_text(text, org.quality)
    [entry] = plan.documents.changed
    assert {c.field for c in entry.changes} == {"body", "decision_reference"}
    routine = Document.objects.get(identifier="RUT-0100")
    old, new = routine.versions.order_by("number")
    assert (old.status, new.status) == (VersionStatus.SUPERSEDED, VersionStatus.APPROVED)
    assert routine.current_version == new and new.number == 2
    assert new.decision_reference == "SN 2024-01-17 § 12" and "arbetspassets slut" in new.body
    assert old.history.first().history_change_reason == "document.superseded"


def test_changed_text_on_a_draft_updates_the_draft(org) -> None:
    import_text(handbook_yaml(), org.quality)
    import_text(handbook_yaml(**{"med respekt.</p>": "med respekt och värme.</p>"}), org.quality)
    guideline = Document.objects.get(identifier="RIK-0001")
    assert guideline.versions.count() == 1
    assert "värme" in guideline.versions.get().body


def test_left_out_metadata_keeps_its_value(org) -> None:
    import_text(handbook_yaml(), org.quality)
    text = handbook_yaml(**{"    decision_reference: SN 2024-01-17 § 7\n": "", "    approved_on: 2024-01-17\n": ""})
    plan = import_text(text, org.quality)
    assert plan.counts()["changed"] == 0
    assert Document.objects.get(identifier="RUT-0100").current_version.decision_reference == "SN 2024-01-17 § 7"


def test_responsibilities_inside_a_focus_area_follow_the_file(org) -> None:
    import_text(handbook_yaml(), org.quality)
    text = handbook_yaml(**{"      - role: medarbetare\n        text: Bemöter brukare enligt rutinen.\n": ""})
    import_text(text, org.quality)
    area = FocusArea.objects.get(key="bemotande")
    assert [d.role.slug for d in area.responsibilities.all()] == ["enhetschef"]


# --- Round trips --------------------------------------------------------------------


def test_yaml_round_trip_into_an_empty_organisation(org) -> None:
    import_text(handbook_yaml(), org.quality)
    first = services.handbook_yaml(services.handbook_export(org.administration))
    wipe()
    assert content_counts() == (0, 0, 0, 0, 0)
    plan = import_text(first, org.quality)
    assert plan.counts()["added"] == 6
    second = services.handbook_yaml(services.handbook_export(org.administration))
    assert second == first
    assert "RIK-0001" in first and "SN 2024-01-17 § 7" in first


def test_excel_round_trip_into_an_empty_organisation(org) -> None:
    import_text(handbook_yaml(), org.quality)
    first = services.handbook_export(org.administration)
    workbook = handbook_workbook(first)
    wipe()
    raw, file_format = read_file(workbook, "handbok.xlsx")
    assert file_format == "xlsx"
    services.handbook_apply(raw=raw, by=org.quality)
    second = services.handbook_export(org.administration)
    assert second == first
    # And the workbook itself reads back to the same content.
    assert services.handbook_plan(read_xlsx(handbook_workbook(second)), by=org.quality).counts()["unchanged"] == 6


def test_the_template_is_an_empty_workbook_with_lists(org) -> None:
    book = load_workbook(io.BytesIO(handbook_workbook()))
    assert book.sheetnames == [
        "Instruktioner",
        "Ansvarsfördelning",
        "Fokusområden",
        "Ansvar per fokusområde",
        "Rutiner",
    ]
    routines = book["Rutiner"]
    assert [c.value for c in routines[1]][:3] == ["Identifierare", "Typ", "Rubrik"]
    formulas = [v.formula1 for v in routines.data_validations.dataValidation]
    assert '"riktlinje,rutin,instruktion,policy,plan"' in formulas
    assert '"utkast,fastställd"' in formulas
    assert any("enhetschef" in f for f in formulas)
    assert routines.max_row == 1
    with pytest.raises(HandbookError) as exc:
        read_xlsx(handbook_workbook())
    assert "innehåller ingen ansvarsfördelning" in str(exc.value.problems[0])


def test_text_starting_with_equals_stays_text_in_excel(org) -> None:
    text = handbook_yaml(**{"Brukare ska mötas med respekt.": '"=SUM(A1:A2) är ingen formel"'})
    import_text(text, org.quality)
    data = services.handbook_export(org.administration)
    book = load_workbook(io.BytesIO(handbook_workbook(data)))
    cell = book["Fokusområden"]["C2"]
    assert cell.value == "=SUM(A1:A2) är ingen formel" and cell.data_type == "s"


# --- Bad input: a clear Swedish message, nothing changed ------------------------------

BAD_YAML = [
    ("unknown-unit", {"unit: Socialförvaltningen": "unit: Okänd förvaltning"}, "okänd enhet ”Okänd förvaltning”"),
    ("unknown-role", {"role: medarbetare": "role: städare"}, "okänd roll ”städare”"),
    ("unknown-requirement", {'"TEST 2026:1/1:1-AR"': '"TEST 2026:1/9:9"'}, "okänt krav ”TEST 2026:1/9:9”"),
    ("requirement-without-framework", {'"TEST 2026:1/1:1-AR"': '"1:1-AR"'}, "skriv ett krav som"),
    ("unknown-method", {"brukarundersokning]": "enkät]"}, "okänd uppföljningsmetod ”enkät”"),
    ("unknown-focus-area", {"focus_areas: [avvikelser]": "focus_areas: [okant]"}, "okänt fokusområde ”okant”"),
    ("duplicate-key", {"key: avvikelser": "key: bemotande"}, "Fokusområdesnyckeln ”bemotande” förekommer mer än en"),
    (
        "duplicate-identifier",
        {"  - kind: riktlinje": "  - identifier: RUT-0100\n    kind: riktlinje"},
        "Identifieraren ”RUT-0100” förekommer mer än en gång",
    ),
    (
        "duplicate-field",
        {"    title: Avvikelser\n": "    title: Avvikelser\n    title: Igen\n"},
        "fältet förekommer två gånger",
    ),
    ("empty-title", {"title: Bemötande": 'title: ""'}, "fältet får inte vara tomt"),
    ("bad-date", {"approved_on: 2024-01-17": "approved_on: 17 januari"}, "ÅÅÅÅ-MM-DD"),
    ("bad-months", {"review_interval_months: 12": "review_interval_months: tolv"}, "helt antal månader"),
    ("unknown-kind", {"kind: rutin": "kind: rutiner"}, "okänd typ ”rutiner”"),
    ("unknown-status", {"status: draft": "status: klar"}, "okänd status ”klar”"),
    ("bad-key", {"key: bemotande": "key: Bemötande"}, "ingen giltig nyckel"),
    ("unknown-field", {"how: Rutiner": "hur: Rutiner"}, "okänt fält"),
    ("wrong-format", {"format: 1": "format: 2"}, "okänd formatversion"),
    ("owner-outside", {"unit: Enhet A}": "unit: Socialnämnden}"}, "är varken ”Socialförvaltningen” eller"),
    ("list-not-text", {"text: Bemöter brukare enligt rutinen.": "text: [a, b]"}, "ett enda värde"),
]


@pytest.mark.parametrize(("replacements", "message"), [c[1:] for c in BAD_YAML], ids=[c[0] for c in BAD_YAML])
def test_bad_yaml_names_the_problem_and_changes_nothing(org, replacements, message) -> None:
    with pytest.raises(HandbookError) as exc:
        import_text(handbook_yaml(**replacements), org.quality)
    text = "\n".join(str(p) for p in exc.value.problems)
    assert message in text, text
    assert content_counts() == (0, 0, 0, 0, 0)


def test_problems_name_the_line(org) -> None:
    with pytest.raises(HandbookError) as exc:
        import_text(handbook_yaml(**{"role: medarbetare": "role: städare"}), org.quality)
    assert str(exc.value.problems[0]).startswith("Rad 19, focus_areas[1].responsibilities[2].role:")


def test_every_problem_is_reported_at_once(org) -> None:
    """All problems of the file's shape together; then all problems of its references together."""
    with pytest.raises(HandbookError) as exc:
        import_text(
            handbook_yaml(**{"approved_on: 2024-01-17": "approved_on: x", "kind: rutin": "kind: x"}), org.quality
        )
    assert len(exc.value.problems) == 2
    with pytest.raises(HandbookError) as exc:
        import_text(handbook_yaml(**{"role: medarbetare": "role: x", "[egenkontroll,": "[x,"}), org.quality)
    assert len(exc.value.problems) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"format: 1\nunit: [\n", "inte giltig YAML"),
        (b"", "Filen är tom"),
        (b"- a\n- b\n", "här ska det stå fält"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"format: 1\nunit: &a SF\nrole_responsibilities: *a\n", "ankare och alias"),
        (b"format: 1\nunit: Socialf\xc3\xb6rvaltningen\n", "innehåller ingen ansvarsfördelning"),
        (b"x" * (5 * 1024 * 1024 + 1), "för stor"),
    ],
    ids=["malformed", "empty", "not-a-mapping", "not-utf8", "aliases", "nothing", "huge"],
)
def test_malformed_files(org, data, message) -> None:
    with pytest.raises(HandbookError) as exc:
        services.handbook_plan(read_yaml(data), by=org.quality)
    assert message in str(exc.value), str(exc.value)


def test_too_many_rows_in_yaml(org) -> None:
    rows = "".join(f"  - role: enhetschef\n    text: Rad {i}\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(HandbookError) as exc:
        read_yaml(f"format: 1\nunit: Socialförvaltningen\nrole_responsibilities:\n{rows}")
    assert "för många poster (högst 2000)" in str(exc.value)


def test_not_an_xlsx(org) -> None:
    with pytest.raises(HandbookError) as exc:
        read_file(b"PK\x03\x04 this is no workbook", "handbok.xlsx")
    assert "Filen är ingen Excelarbetsbok (.xlsx)." in str(exc.value)
    with pytest.raises(HandbookError):
        read_file(b"just text pretending", "handbok.xlsx")


def _workbook_with(org, change) -> bytes:
    import_text(handbook_yaml(), org.quality)
    book = load_workbook(io.BytesIO(handbook_workbook(services.handbook_export(org.administration))))
    change(book)
    wipe()
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_problems_name_sheet_row_and_column(org) -> None:
    def spoil(book):
        book["Rutiner"]["B2"] = "rutinen"
        book["Rutiner"]["J3"] = "i våras"
        book["Ansvar per fokusområde"]["A2"] = "saknas"

    data = _workbook_with(org, spoil)
    with pytest.raises(HandbookError) as exc:
        services.handbook_apply(raw=read_xlsx(data), by=org.quality)
    text = "\n".join(str(p) for p in exc.value.problems)
    assert "Bladet ”Rutiner”, rad 2, kolumn B (Typ): okänd typ ”rutinen”" in text
    assert "Bladet ”Rutiner”, rad 3, kolumn J (Fastställd): här ska det stå ett datum" in text
    assert "Bladet ”Ansvar per fokusområde”, rad 2, kolumn A (Fokusområde (nyckel))" in text
    assert content_counts() == (0, 0, 0, 0, 0)


def test_excel_missing_sheet_and_column(org) -> None:
    data = _workbook_with(org, lambda book: book.remove(book["Fokusområden"]))
    with pytest.raises(HandbookError) as exc:
        read_xlsx(data)
    assert "saknar bladen: Fokusområden" in str(exc.value)

    def drop_heading(book):
        book["Rutiner"]["C1"] = None

    with pytest.raises(HandbookError) as exc:
        read_xlsx(_workbook_with(org, drop_heading))
    assert "Bladet ”Rutiner”: rubrikraden saknar kolumnerna: Rubrik." in str(exc.value)


def test_too_many_rows_in_excel(org) -> None:
    def fill(book):
        sheet = book["Ansvarsfördelning"]
        for row in range(2, MAX_ROWS + 4):
            sheet.cell(row=row, column=1, value="enhetschef")
            sheet.cell(row=row, column=2, value=f"Rad {row}")

    with pytest.raises(HandbookError) as exc:
        read_xlsx(_workbook_with(org, fill))
    assert "för många rader (högst 2000)" in str(exc.value)


def test_the_importer_needs_manage_documents_at_the_unit(org) -> None:
    with pytest.raises(HandbookError) as exc:
        import_text(handbook_yaml(**{"unit: Socialförvaltningen": "unit: Socialnämnden"}), org.quality)
    assert "Du får inte förvalta handboken för ”Socialnämnden”." in str(exc.value)
    with pytest.raises(HandbookError):
        import_text(handbook_yaml(), org.manager_a)
    assert content_counts() == (0, 0, 0, 0, 0)


def test_the_chosen_unit_must_match_the_file(org) -> None:
    with pytest.raises(HandbookError) as exc:
        import_text(handbook_yaml(), org.quality, unit=org.section_1)
    assert "filen gäller enheten ”Socialförvaltningen” men du valde ”Sektion Ett”" in str(exc.value)


def test_an_existing_document_of_another_unit_is_refused(org) -> None:
    import_text(handbook_yaml(), org.quality)
    text = handbook_yaml(**{"unit: Socialförvaltningen": "unit: Sektion Två", "unit: Enhet A}": "unit: Enhet B}"})
    text = text.replace("applies_to: [Enhet A, Enhet A2]", "applies_to: [Enhet B]")
    text = text.replace("  - kind: riktlinje", "  - identifier: RIK-0001\n    kind: riktlinje")
    with pytest.raises(HandbookError) as exc:
        import_text(text, org.quality)
    assert "dokumentet RIK-0001 hör till ”Socialförvaltningen”, utanför ”Sektion Två”" in str(exc.value)


# --- Preview and confirmation --------------------------------------------------------


def test_confirm_applies_exactly_once(org) -> None:
    draft, plan = services.transfer_draft_create(
        by=org.quality, unit=org.administration, file_name="h.yaml", data=handbook_yaml().encode()
    )
    assert plan.counts()["added"] == 6 and content_counts() == (0, 0, 0, 0, 0)
    services.transfer_draft_confirm(draft=draft, by=org.quality, sha256=draft.sha256)
    draft.refresh_from_db()
    assert draft.status == TransferStatus.APPLIED and draft.result == {"added": 6, "changed": 0, "unchanged": 0}
    with pytest.raises(DomainError, match="redan införts"):
        services.transfer_draft_confirm(draft=draft, by=org.quality, sha256=draft.sha256)


def test_confirm_refuses_when_the_data_changed_since_the_preview(org) -> None:
    import_text(handbook_yaml(), org.quality)
    changed = handbook_yaml(**{"Brukare ska mötas med respekt.": "Brukare ska mötas med värme."})
    draft, _plan = services.transfer_draft_create(
        by=org.quality, unit=org.administration, file_name="h.yaml", data=changed.encode()
    )
    area = FocusArea.objects.get(key="bemotande")
    area.how = "Någon annan ändrade detta under tiden."
    area.save()
    with pytest.raises(DomainError, match="har ändrats sedan förhandsgranskningen"):
        services.transfer_draft_confirm(draft=draft, by=org.quality, sha256=draft.sha256)
    area.refresh_from_db()
    assert area.description == "Brukare ska mötas med respekt."
    assert TransferDraft.objects.get().status == TransferStatus.PENDING


def test_confirm_refuses_another_file(org) -> None:
    draft, _plan = services.transfer_draft_create(
        by=org.quality, unit=org.administration, file_name="h.yaml", data=handbook_yaml().encode()
    )
    with pytest.raises(DomainError, match="inte densamma"):
        services.transfer_draft_confirm(draft=draft, by=org.quality, sha256="0" * 64)
    TransferDraft.objects.filter(pk=draft.pk).update(content=b"format: 1\n")
    draft.refresh_from_db()
    with pytest.raises(DomainError, match="inte densamma"):
        services.transfer_draft_confirm(draft=draft, by=org.quality, sha256=draft.sha256)
    assert content_counts() == (0, 0, 0, 0, 0)


def test_a_failed_preview_saves_nothing(org) -> None:
    with pytest.raises(HandbookError):
        services.transfer_draft_create(
            by=org.quality, unit=org.administration, file_name="h.yaml", data=b"format: 1\nunit: [\n"
        )
    assert TransferDraft.objects.count() == 0


def test_export_leaves_out_other_units(org) -> None:
    import_text(handbook_yaml(), org.quality)
    data = services.handbook_export(org.section_2)
    assert data["documents"] == [] and data["focus_areas"] == []
    section_1 = services.handbook_export(org.section_1)
    assert [d["identifier"] for d in section_1["documents"]] == ["RUT-0100"]  # owned by Enhet A, below
    assert Unit.objects.filter(pk=org.section_1.pk).exists()


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Första stycket.\n\nRad ett\nrad två", "<p>Första stycket.</p><p>Rad ett<br>rad två</p>"),
        ("om a<b och b>c", "<p>om a&lt;b och b&gt;c</p>"),  # plain text that only looks a little like tags
        ('<p onclick="x()" style="color:red">Hej</p><script>alert(1)</script>', "<p>Hej</p>"),
        ('<a href="javascript:alert(1)">länk</a>', '<a rel="noopener noreferrer">länk</a>'),
        ("", ""),
    ],
)
def test_body_is_sanitised_and_stable(text, html) -> None:
    assert services.sanitize_body(text) == html
    assert services.sanitize_body(html) == html  # cleaning again changes nothing: exports read back the same


def test_a_taken_identifier_outside_the_persons_reach_reveals_nothing(org) -> None:
    from ledningssystem.models.organisation import UnitKind
    from tests.factories import PersonFactory, assign, make_unit

    import_text(handbook_yaml(), org.quality)
    other_admin = make_unit("Utbildningsförvaltningen", UnitKind.ADMINISTRATION, org.committee_unit)
    other = PersonFactory(username="school_quality")
    assign(other, "kvalitetssamordnare", other_admin)
    text = handbook_yaml(**{"unit: Socialförvaltningen": "unit: Utbildningsförvaltningen"})
    text = text.replace("unit: Enhet A}", "unit: Utbildningsförvaltningen}")
    text = text.replace("applies_to: [Enhet A, Enhet A2]", "applies_to: [Utbildningsförvaltningen]")
    with pytest.raises(HandbookError) as exc:
        import_text(text, other)
    message = str(exc.value)
    assert "identifieraren ”RUT-0100” används redan av ett annat dokument" in message
    assert "Enhet A" not in message and "Socialförvaltningen" not in message
