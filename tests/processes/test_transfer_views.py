"""The handbook transfer screens: who may open what, the upload flow, double submits, exports, query counts."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ledningssystem.models.organisation import UnitKind
from processes.models import Document, TransferDraft, TransferStatus
from processes.transfer import services
from processes.transfer.reading import read_yaml
from requirements.models import FocusArea
from tests.access_matrix import MatrixRow, case_id, cases, check, only
from tests.conftest import PERSONAS
from tests.factories import PersonFactory, assign, make_unit
from tests.processes.conftest import handbook_yaml

pytestmark = pytest.mark.usefixtures("catalogue")

COORDINATOR_ONLY = only(200, ["quality"], 403)


def with_draft(org):
    draft, _plan = services.transfer_draft_create(
        by=org.quality, unit=org.administration, file_name="h.yaml", data=handbook_yaml().encode()
    )
    return draft


ROWS = [
    MatrixRow("processes:transfer_upload", expect=COORDINATOR_ONLY),
    MatrixRow(
        "processes:transfer_upload",
        label="upload",
        method="post",
        data=lambda org: {"unit": org.administration.pk, "file": SimpleUploadedFile("h.yaml", b"format: 1\n")},
        expect=COORDINATOR_ONLY,
    ),
    MatrixRow("processes:transfer_template", expect=COORDINATOR_ONLY),
    MatrixRow("processes:transfer_preview", setup=with_draft, args=lambda c: [c[1].pk], expect=COORDINATOR_ONLY),
    MatrixRow(
        "processes:transfer_preview",
        label="confirm",
        method="post",
        setup=with_draft,
        args=lambda c: [c[1].pk],
        data=lambda c: {"sha256": c[1].sha256},
        expect=only(302, ["quality"], 403),
    ),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row: MatrixRow, persona: str, org, client_for) -> None:
    check(row, persona, org, client_for)


@pytest.mark.parametrize("persona", PERSONAS)
def test_export_access(persona, org, client_for) -> None:
    url = reverse("processes:transfer_export") + f"?unit={org.administration.pk}&format=yaml"
    assert client_for(persona).get(url).status_code == COORDINATOR_ONLY[persona]


def test_export_of_a_unit_outside_the_scope_is_not_found(org, client_for) -> None:
    url = reverse("processes:transfer_export") + f"?unit={org.committee_unit.pk}&format=yaml"
    assert client_for("quality").get(url).status_code == 404
    assert client_for("quality").get(reverse("processes:transfer_export") + "?unit=x").status_code == 404


def test_another_coordinators_upload_is_not_found(org, client_for) -> None:
    other = PersonFactory(username="quality_2")
    assign(other, "kvalitetssamordnare", org.administration)
    draft = with_draft(org)
    client = client_for("quality")
    client.force_login(other)
    assert client.get(reverse("processes:transfer_preview", args=[draft.pk])).status_code == 404


def test_export_holds_only_the_units_content(org, client_for) -> None:
    services.handbook_apply(raw=read_yaml(handbook_yaml()), by=org.quality)
    # A second administration with its own coordinator and content, outside the first one's reach.
    other_admin = make_unit("Utbildningsförvaltningen", UnitKind.ADMINISTRATION, org.committee_unit)
    other = PersonFactory(username="school_quality")
    assign(other, "kvalitetssamordnare", other_admin)
    text = handbook_yaml(**{"unit: Socialförvaltningen": "unit: Utbildningsförvaltningen"})
    text = text.replace("unit: Enhet A}", "unit: Utbildningsförvaltningen}").replace(
        "applies_to: [Enhet A, Enhet A2]", "applies_to: [Utbildningsförvaltningen]"
    )
    text = text.replace("RUT-0100", "RUT-0900").replace("title: Riktlinje för bemötande", "title: Skolans riktlinje")
    services.handbook_apply(raw=read_yaml(text), by=other)

    response = client_for("quality").get(
        reverse("processes:transfer_export") + f"?unit={org.administration.pk}&format=yaml"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = yaml.safe_load(response.content)
    assert sorted(d["identifier"] for d in data["documents"]) == ["RIK-0001", "RUT-0100"]
    assert "RUT-0900" not in response.content.decode() and "Skolans riktlinje" not in response.content.decode()
    assert len(data["focus_areas"]) == 2


def test_excel_export_and_template_download(org, client_for) -> None:
    services.handbook_apply(raw=read_yaml(handbook_yaml()), by=org.quality)
    client = client_for("quality")
    response = client.get(reverse("processes:transfer_export") + f"?unit={org.administration.pk}&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book["Rutiner"]["A2"].value == "RIK-0001"
    template = client.get(reverse("processes:transfer_template"))
    assert template["Content-Disposition"] == 'attachment; filename="handboksmall.xlsx"'
    assert load_workbook(io.BytesIO(template.content))["Rutiner"].max_row == 1


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([0-9a-f]+)"', html).group(1)


def test_upload_preview_confirm_and_double_submit(org, client_for) -> None:
    client = client_for("quality")
    page = client.get(reverse("processes:transfer_upload"))
    assert "Flytta in handbok" in page.content.decode()
    response = client.post(
        reverse("processes:transfer_upload"),
        {
            "unit": org.administration.pk,
            "file": SimpleUploadedFile("handbok.yaml", handbook_yaml().encode()),
            "form_token": _token(page.content.decode()),
        },
    )
    draft = TransferDraft.objects.get()
    assert response.status_code == 302 and response.url == reverse("processes:transfer_preview", args=[draft.pk])
    preview = client.get(response.url).content.decode()
    assert "Förhandsgranskning av handboksimporten" in preview
    assert "Rutin för avvikelsehantering" in preview and "får en identifierare vid importen" in preview
    assert Document.objects.count() == 0

    data = {"sha256": draft.sha256, "form_token": _token(preview)}
    first = client.post(reverse("processes:transfer_preview", args=[draft.pk]), data, follow=True)
    body = first.content.decode()
    assert "Handboken är importerad: 6 tillagda, 0 ändrade, 0 oförändrade." in body
    assert "Importen är klar" in body and "6 tillagda, 0 ändrade, 0 oförändrade." in body
    # The same form sent again (a double click, a reload): nothing is applied twice.
    second = client.post(reverse("processes:transfer_preview", args=[draft.pk]), data, follow=True)
    assert "Formuläret var redan skickat; det sparades inte två gånger." in second.content.decode()
    assert Document.objects.count() == 2
    # A fresh form for a used upload is refused.
    third = client.post(reverse("processes:transfer_preview", args=[draft.pk]), {"sha256": draft.sha256})
    assert "Den här filen har redan införts eller kasserats." in third.content.decode()
    draft.refresh_from_db()
    assert draft.status == TransferStatus.APPLIED


def test_a_bad_upload_lists_the_problems_and_saves_nothing(org, client_for) -> None:
    client = client_for("quality")
    response = client.post(
        reverse("processes:transfer_upload"),
        {
            "unit": org.administration.pk,
            "file": SimpleUploadedFile("h.yaml", handbook_yaml(**{"role: medarbetare": "role: städare"}).encode()),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Filen kan inte importeras. Inget har ändrats." in body
    assert "Rad 19, focus_areas[1].responsibilities[2].role: okänd roll ”städare”" in body
    assert TransferDraft.objects.count() == 0 and FocusArea.objects.count() == 0


def test_upload_form_errors(org, client_for) -> None:
    client = client_for("quality")
    response = client.post(reverse("processes:transfer_upload"), {"unit": org.committee_unit.pk})
    body = response.content.decode()
    assert "error-summary" in body
    assert TransferDraft.objects.count() == 0
    empty = client.post(
        reverse("processes:transfer_upload"),
        {"unit": org.administration.pk, "file": SimpleUploadedFile("h.yaml", b"")},
    )
    assert "error-summary" in empty.content.decode()
    huge = client.post(
        reverse("processes:transfer_upload"),
        {"unit": org.administration.pk, "file": SimpleUploadedFile("h.yaml", b"#" * (5 * 1024 * 1024 + 1))},
    )
    assert "Filen är för stor; gränsen är 5 MB." in huge.content.decode()
    broken = client.post(
        reverse("processes:transfer_upload"),
        {"unit": org.administration.pk, "file": SimpleUploadedFile("h.xlsx", b"PK\x03\x04 no workbook")},
    )
    assert "Filen är ingen Excelarbetsbok (.xlsx)." in broken.content.decode()
    assert TransferDraft.objects.count() == 0


def test_preview_is_stale_after_a_change(org, client_for) -> None:
    services.handbook_apply(raw=read_yaml(handbook_yaml()), by=org.quality)
    draft, _plan = services.transfer_draft_create(
        by=org.quality,
        unit=org.administration,
        file_name="h.yaml",
        data=handbook_yaml(**{"samma dag.": "genast."}).encode(),
    )
    FocusArea.objects.filter(key="avvikelser").update(title="Avvikelser och risker")
    response = client_for("quality").post(
        reverse("processes:transfer_preview", args=[draft.pk]), {"sha256": draft.sha256}
    )
    assert "Handboken har ändrats sedan förhandsgranskningen gjordes." in response.content.decode()
    assert Document.objects.get(identifier="RUT-0100").versions.count() == 1


def _many_documents(org, n: int) -> str:
    docs = "".join(
        f"""  - identifier: RUT-{i:04d}
    kind: rutin
    title: Rutin {i}
    owner: {{role: enhetschef, unit: Enhet A}}
    applies_to: [Enhet A, Enhet A2]
    status: approved
    requirements: ["TEST 2026:1/1:1"]
    focus_areas: [avvikelser]
    body: Text {i}
"""
        for i in range(n)
    )
    return handbook_yaml().split("documents:\n")[0] + "documents:\n" + docs


@pytest.mark.parametrize("n", [2, 12])
def test_export_and_preview_queries_do_not_grow_with_documents(
    org, client_for, n, django_assert_max_num_queries
) -> None:
    services.handbook_apply(raw=read_yaml(_many_documents(org, n)), by=org.quality)
    client = client_for("quality")
    url = reverse("processes:transfer_export") + f"?unit={org.administration.pk}&format=yaml"
    client.get(url)  # warm the session
    # Session, person, access scopes, roles, units, then one query per kind of content and prefetch.
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    draft, _plan = services.transfer_draft_create(
        by=org.quality, unit=org.administration, file_name="h.yaml", data=_many_documents(org, n).encode()
    )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("processes:transfer_preview", args=[draft.pk])).status_code == 200
    assert len(queries) <= 30, [q["sql"][:120] for q in queries.captured_queries]
