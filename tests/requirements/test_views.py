"""Catalogue screens: who may open what, search, the upload flow, and query counts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requirements.models import DraftStatus, Framework, ImportDraft, Requirement
from requirements.selectors import requirement_search_for_user
from tests.access_matrix import MatrixRow, case_id, cases, check, only, statuses
from tests.requirements.conftest import framework_yaml

EVERYONE = statuses(200)


def with_catalogue(org):
    from requirements.loader import parse_catalogue
    from requirements.services import catalogue_import

    catalogue_import(parsed=parse_catalogue(framework_yaml()), by=None)
    return Framework.objects.get()


def with_draft(org):
    from requirements.services import import_draft_create

    draft, _diff = import_draft_create(by=org.admin, file_name="test.yaml", text=framework_yaml())
    return draft


ROWS = [
    MatrixRow("requirements:catalogue", expect=EVERYONE),
    MatrixRow("requirements:catalogue", label="search", query="?q=kvalitet", expect=EVERYONE),
    MatrixRow(
        "requirements:framework", label="framework", setup=with_catalogue, args=lambda c: [c[1].pk], expect=EVERYONE
    ),
    MatrixRow(
        "requirements:detail",
        label="requirement",
        setup=with_catalogue,
        args=lambda c: [c[1].requirements.first().pk],
        expect=EVERYONE,
    ),
    MatrixRow(
        "record_history",
        label="requirement",
        setup=with_catalogue,
        args=lambda c: ["requirement", c[1].requirements.first().pk],
        expect=EVERYONE,
    ),
    MatrixRow("requirements:import", expect=only(200, ["admin"], 403)),
    MatrixRow(
        "requirements:import",
        label="upload",
        method="post",
        data=lambda org: {"file": SimpleUploadedFile("f.yaml", b"format: 1\n")},
        expect=only(200, ["admin"], 403),
    ),
    MatrixRow(
        "requirements:import_preview", setup=with_draft, args=lambda c: [c[1].pk], expect=only(200, ["admin"], 403)
    ),
    MatrixRow(
        "requirements:import_preview",
        label="confirm",
        method="post",
        setup=with_draft,
        args=lambda c: [c[1].pk],
        data=lambda c: {"sha256": c[1].sha256},
        expect=only(302, ["admin"], 403),
    ),
]


@pytest.mark.parametrize(("row", "persona"), cases(ROWS), ids=case_id)
def test_access(row: MatrixRow, persona: str, org, client_for) -> None:
    check(row, persona, org, client_for)


def test_menu_shows_requirements_to_everyone_logged_in(org, client_for):
    for persona in ("staff_a", "committee", "admin"):
        assert 'href="/requirements/"' in client_for(persona).get(reverse("home")).content.decode()


def test_binding_and_advice_are_marked_apart_and_unverified_needs_review(org, client_for):
    framework = with_catalogue(org)
    page = client_for("staff_a").get(reverse("requirements:framework", args=[framework.pk])).content.decode()
    assert "req-kind-binding" in page and "Föreskrift" in page
    assert "req-kind-advice" in page and "Allmänt råd" in page
    assert page.count("Behöver granskas") == 1  # only the unverified one
    assert "Det är författningstexten som gäller" in page
    advice = Requirement.objects.get(identifier="1:1-AR")
    detail = client_for("staff_a").get(reverse("requirements:detail", args=[advice.pk])).content.decode()
    assert "Behöver granskas" in detail and "inte bindande" in detail
    assert 'href="https://example.se/test"' in detail


def test_search_finds_by_word_and_reference(org, client_for):
    with_catalogue(org)
    staff = org.staff_a
    assert [r.identifier for r in requirement_search_for_user(staff, "kvalitetsberättelse")] == ["1:1-AR"]
    assert [r.identifier for r in requirement_search_for_user(staff, "ledningssystem")] == ["1:1"]
    assert requirement_search_for_user(staff, "1 kap. 1 §").first().identifier == "1:1"
    assert not requirement_search_for_user(staff, "ingenting sådant").exists()
    page = client_for("staff_a").get(reverse("requirements:catalogue"), {"q": "kvalitetsberättelse"})
    assert "1 krav hittades" in page.content.decode()
    page = client_for("staff_a").get(reverse("requirements:catalogue"), {"kind": "general_advice"})
    assert "Kvalitetsberättelse" in page.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Swedish stemming needs PostgreSQL")
def test_swedish_full_text_search_matches_inflected_forms(org):
    with_catalogue(org)
    # "klagomålen" (definite plural) finds "klagomål"; "avvikelsen" finds "avvikelser".
    assert [r.identifier for r in requirement_search_for_user(org.staff_a, "klagomålen")] == ["1:1"]
    assert [r.identifier for r in requirement_search_for_user(org.staff_a, "avvikelsen")] == ["1:1"]


def test_upload_preview_and_confirm(org, client_for):
    with_catalogue(org)
    admin = client_for("admin")
    newer = framework_yaml(version="2").replace("Ledningssystem ska finnas", "Ledningssystem ska finnas i alla delar")
    response = admin.post(reverse("requirements:import"), {"file": SimpleUploadedFile("ny.yaml", newer.encode())})
    draft = ImportDraft.objects.get()
    assert response.url == reverse("requirements:import_preview", args=[draft.pk])
    preview = admin.get(response.url).content.decode()
    assert "Ledningssystem ska finnas i alla delar" in preview and "Före" in preview
    assert Requirement.objects.get(identifier="1:1").title == "Ledningssystem ska finnas"
    response = admin.post(reverse("requirements:import_preview", args=[draft.pk]), {"sha256": draft.sha256})
    assert response.status_code == 302
    assert Requirement.objects.get(identifier="1:1").title == "Ledningssystem ska finnas i alla delar"
    draft.refresh_from_db()
    assert draft.status == DraftStatus.APPLIED
    # Another administrator's upload is not even visible.
    other = with_draft(org)
    other.created_by = org.staff_a
    other.save()
    assert admin.get(reverse("requirements:import_preview", args=[other.pk])).status_code == 404


def test_bad_upload_lists_problems_and_changes_nothing(org, client_for):
    with_catalogue(org)
    bad = framework_yaml().replace("kind: regulation", "kind: föreskrift").replace('id: "1:1-AR"', 'id: "1:1"')
    response = client_for("admin").post(
        reverse("requirements:import"), {"file": SimpleUploadedFile("fel.yaml", bad.encode())}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Filen kan inte importeras. Inget har ändrats." in page
    assert "okänd typ ”föreskrift”" in page and "används redan på rad" in page
    assert not ImportDraft.objects.exists()
    assert Requirement.objects.count() == 2


def _grow(count: int, start: int) -> None:
    from requirements.loader import parse_catalogue
    from requirements.services import catalogue_import

    items = "".join(
        f'- id: "x{i}"\n  reference: "{i} §"\n  title: "Krav {i}"\n  summary: "Kvalitet nummer {i}"\n'
        f"  kind: {'regulation' if i % 2 else 'general_advice'}\n  applies_to: [social_services, lss]\n"
        f'  source_url: "https://example.se/{i}"\n  verified: {"true" if i % 3 else "false"}\n'
        for i in range(start, start + count)
    )
    catalogue_import(parsed=parse_catalogue(framework_yaml(items, code="GROW 1")), by=None)


PAGES = [
    ("requirements:catalogue", lambda f: [], ""),
    ("requirements:catalogue", lambda f: [], "?q=kvalitet"),
    ("requirements:framework", lambda f: [f.pk], ""),
    ("requirements:framework", lambda f: [f.pk], "?section=1"),
    ("requirements:detail", lambda f: [f.requirements.first().pk], ""),
]


@pytest.mark.parametrize(("name", "args", "query"), PAGES, ids=[f"{p[0]}{p[2]}" for p in PAGES])
def test_query_counts_do_not_grow_with_the_catalogue(org, client_for, django_assert_max_num_queries, name, args, query):
    _grow(3, 0)
    framework = Framework.objects.get(code="GROW 1")
    client = client_for("staff_a")
    url = reverse(name, args=args(framework)) + query
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(120, 0)  # the same framework, now with 120 requirements over three pages
    with django_assert_max_num_queries(13):  # includes the menu's unread-notification count
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) <= len(small)
