"""Document pages: what the list shows and counts, the forms, the comparison, Min sida, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ledningssystem.models import Role
from processes import documents
from processes.models import Document, DocumentVersion, VersionStatus
from tests.processes.conftest import approve, approved, draft, first_version, with_new_draft

pytestmark = pytest.mark.django_db


def listed(client, query: str = "") -> tuple[list[str], str]:
    response = client.get(reverse("processes:document_list") + query)
    assert response.status_code == 200
    page = response.context["page"]
    return [d.identifier for d in page.object_list], str(page.paginator.count)


def test_the_list_shows_and_counts_only_what_the_person_may_see(org, client_for) -> None:
    in_force = approved(org, title="Rutin i kraft")
    only_draft = draft(org, title="Rutin under arbete")
    other = approved(org, title="Rutin för Enhet B", units=[org.unit_b])
    staff = client_for("staff_a")
    ids, count = listed(staff)
    assert ids == [in_force.identifier] and count == "1"
    response = staff.get(reverse("processes:document_list") + "?q=arbete")
    assert response.context["page"].paginator.count == 0
    assert "Rutin under arbete" not in response.content.decode()
    # The draft's existence does not leak through the status filter either.
    assert listed(staff, "?status=draft") == ([], "0")
    ids, _count = listed(client_for("quality"))
    assert set(ids) == {in_force.identifier, only_draft.identifier, other.identifier}
    assert listed(client_for("quality"), "?status=draft")[0] == [only_draft.identifier]
    assert set(listed(client_for("committee"))[0]) == {in_force.identifier, other.identifier}
    assert listed(client_for("staff_b"))[0] == [other.identifier]


def test_readers_do_not_see_that_a_new_version_is_being_written(org, client_for) -> None:
    document, _v2 = with_new_draft(org)
    staff_page = client_for("staff_a").get(reverse("processes:document_detail", args=[document.pk])).content.decode()
    assert "Ny version" not in staff_page and "Version 2" not in staff_page
    quality_page = client_for("quality").get(reverse("processes:document_list")).content.decode()
    assert "Ny version: utkast" in quality_page


def test_search_filters_and_overdue(org, client_for) -> None:
    a = approved(org, title="Rutin vid hot och våld")
    b = approved(org, title="Riktlinje för dokumentation", kind="guideline")
    Document.objects.filter(pk=b.pk).update(next_review_on=timezone.localdate() - datetime.timedelta(days=3))
    quality = client_for("quality")
    assert listed(quality, "?q=hot")[0] == [a.identifier]
    assert listed(quality, f"?q={b.identifier.lower()}")[0] == [b.identifier]
    assert listed(quality, "?kind=guideline")[0] == [b.identifier]
    assert listed(quality, "?overdue=on")[0] == [b.identifier]
    assert listed(quality, "?mine=on")[1] == "2"  # the coordinator holds the owner role
    assert listed(client_for("director"), "?mine=on")[1] == "0"
    assert listed(client_for("director"), "?overdue=on")[0] == [b.identifier]  # a manager above the owner
    # Staff read the guideline but review is not theirs to see.
    assert listed(client_for("staff_a"), "?overdue=on")[1] == "0"
    page = quality.get(reverse("processes:document_list")).content.decode()
    assert ">Översyn försenad</span>" in page
    staff_page = client_for("staff_a").get(reverse("processes:document_list")).content.decode()
    assert "Översyn försenad" not in staff_page and "Som jag äger" not in staff_page


def test_detail_shows_the_sanitised_text_links_and_overdue_warning(org, client_for) -> None:
    from requirements.models import Framework, Requirement

    framework = Framework.objects.create(code="SOSFS 2011:9", title="Ledningssystem")
    binding = Requirement.objects.create(
        framework=framework, identifier="5:4", reference="5 kap. 4 §", title="Avvikelser", kind="regulation"
    )
    advice = Requirement.objects.create(
        framework=framework, identifier="5:2-AR", reference="5 kap. 2 §", title="Egenkontroll", kind="general_advice"
    )
    document = approved(org, requirements=[binding, advice])
    # A body written around the services is still cleaned on output.
    DocumentVersion.objects.filter(pk=document.current_version_id).update(
        body='<p>Hej<script>alert(1)</script><a href="javascript:alert(1)">x</a></p>'
    )
    Document.objects.filter(pk=document.pk).update(next_review_on=timezone.localdate() - datetime.timedelta(days=1))
    page = client_for("quality").get(reverse("processes:document_detail", args=[document.pk])).content.decode()
    assert "<script>alert" not in page and "javascript:" not in page
    assert "req-kind-binding" in page and "req-kind-advice" in page
    assert "Översyn försenad:" in page
    assert "SN 2024-01-17 § 7" in page
    staff = client_for("staff_a").get(reverse("processes:document_detail", args=[document.pk])).content.decode()
    assert "Översyn försenad" not in staff and "Ändra uppgifter" not in staff and "Godkänn" not in staff


def test_create_through_the_form_strips_unsafe_html(org, client_for) -> None:
    client = client_for("quality")
    response = client.get(reverse("processes:document_create"))
    token = response.context["form"].initial["form_token"]
    data = {
        "form_token": token,
        "kind": "routine",
        "title": "Rutin för synpunkter och klagomål",
        "owner_role": Role.objects.get(slug="kvalitetssamordnare").pk,
        "owner_unit": org.administration.pk,
        "applies_to": [org.unit_a.pk],
        "review_interval_months": 12,
        "body": '<p>Ta emot <img src=x onerror="alert(1)">klagomål</p>',
    }
    response = client.post(reverse("processes:document_create"), data)
    assert response.status_code == 302
    document = Document.objects.get()
    assert first_version(document).body == "<p>Ta emot klagomål</p>"
    # The same form again (double click, reload) does not create a second document.
    response = client.post(reverse("processes:document_create"), data)
    assert response.status_code == 302 and Document.objects.count() == 1


def test_create_form_errors_are_in_swedish_and_save_nothing(org, client_for) -> None:
    client = client_for("quality")
    response = client.post(
        reverse("processes:document_create"),
        {"kind": "routine", "title": "", "review_interval_months": "tolv", "body": "x" * 200_001},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "problem att åtgärda" in text
    assert "Fältet måste fyllas i." in text and "Fyll i ett heltal." in text
    assert not Document.objects.exists()


def test_draft_form_saves_and_detects_a_concurrent_change(org, client_for) -> None:
    document = draft(org)
    version = first_version(document)
    client = client_for("quality")
    url = reverse("processes:draft_edit", args=[document.pk])
    data = {"version": version.lock_version, "title": "Ny titel", "body": "<p>Nytt</p>", "change_note": ""}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "title": "Gammal bild"})
    assert response.status_code == 200
    assert "Någon annan ändrade detta" in response.content.decode()
    assert DocumentVersion.objects.get(pk=version.pk).title == "Ny titel"
    fresh = DocumentVersion.objects.get(pk=version.pk)
    response = client.post(url, {**data, "version": fresh.lock_version, "submit_for_review": "1"})
    assert response.status_code == 302
    assert DocumentVersion.objects.get(pk=version.pk).status == VersionStatus.IN_REVIEW
    # In review: the draft form sends the person back to the document.
    assert client.get(url).status_code == 302


def test_approve_without_reference_shows_the_error_on_the_form(org, client_for) -> None:
    document = draft(org)
    version = documents.version_submit(version=first_version(document), by=org.quality, lock_version=None)
    url = reverse("processes:version_step", args=[document.pk, 1, "approve"])
    response = client_for("director").post(url, {"version": version.lock_version, "decision_reference": ""})
    assert response.status_code == 200
    assert "Fältet måste fyllas i." in response.content.decode()
    assert DocumentVersion.objects.get(pk=version.pk).status == VersionStatus.IN_REVIEW


def test_compare_marks_insertions_and_deletions_in_words(org, client_for) -> None:
    document, _v2 = with_new_draft(org)
    approve(org, document)
    url = reverse("processes:version_compare", args=[document.pk]) + "?a=1&b=2"
    page = client_for("staff_a").get(url).content.decode()
    assert 'avvikelser rapporteras<ins><span class="visually-hidden">Tillagt: </span> genast</ins>.' in page
    assert "1 tillägg och 0 borttagningar" in page
    assert '<p class="diff-line diff-equal">Syfte</p>' in page
    assert (
        client_for("staff_a").get(reverse("processes:version_compare", args=[document.pk]) + "?a=1&b=9").status_code
        == 200
    )


def test_my_page_lists_routines_to_review_for_owner_and_managers_only(org, client_for) -> None:
    document = approved(org, title="Rutin för egenkontroll")
    Document.objects.filter(pk=document.pk).update(next_review_on=timezone.localdate() - datetime.timedelta(days=10))
    for persona in ("quality", "director"):
        page = client_for(persona).get(reverse("home")).content.decode()
        assert "Rutiner att se över" in page and "Rutin för egenkontroll" in page
    for persona in ("staff_a", "manager_a", "committee"):
        assert "Rutiner att se över" not in client_for(persona).get(reverse("home")).content.decode()


def test_nav_has_routines_for_everyone(org, client_for) -> None:
    for persona in ("staff_a", "committee", "admin"):
        assert ">Rutiner</a>" in client_for(persona).get(reverse("home")).content.decode()


def _grow(org, n: int) -> None:
    from requirements.models import Framework, Requirement

    framework, _created = Framework.objects.get_or_create(code="GROW", defaults={"title": "Krav"})
    for i in range(n):
        document, _v2 = with_new_draft(org, title=f"Rutin {i:03}", units=[org.unit_a, org.unit_b])
        requirement = Requirement.objects.create(
            framework=framework, identifier=f"g{document.pk}", reference=f"{i} §", title="Krav", kind="regulation"
        )
        document.requirements.add(requirement)
        approve(org, document)
    draft(org, title="Bara utkast")


@pytest.mark.parametrize("persona", ["staff_a", "quality", "director", "committee"])
@pytest.mark.parametrize("page", ["list", "detail", "compare", "home"])
def test_query_counts_stay_flat(org, client_for, django_assert_max_num_queries, persona, page) -> None:
    first = approved(org, title="Rutin för avvikelsehantering", units=[org.unit_a, org.unit_b])
    Document.objects.filter(pk=first.pk).update(next_review_on=timezone.localdate() - datetime.timedelta(days=1))
    urls = {
        "list": reverse("processes:document_list") + "?q=rutin",
        "detail": reverse("processes:document_detail", args=[first.pk]),
        "compare": reverse("processes:version_compare", args=[first.pk]) + "?a=1&b=1",
        "home": reverse("home"),
    }
    client = client_for(persona)
    url = urls[page]
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(org, 12)
    client.get(url)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) <= len(small), [q["sql"] for q in large.captured_queries]
    # session, person, anchors, owned roles, (list: owner-unit choices, count, page), badge, session save …
    # and on the detail page the read-confirmation panel and the processes it governs.
    with django_assert_max_num_queries(18):
        client.get(url)


def test_compare_replaces_words_and_keeps_unchanged_lines() -> None:
    from processes.compare import compare_texts

    result = compare_texts("Rutin", "<p>Tre dagar gäller.</p><p>Oförändrad</p>", "Rutin", "<p>Fem dagar gäller.</p>")
    kinds = [line.kind for line in result.lines]
    assert kinds == ["equal", "change", "delete"]
    change = result.lines[1].pieces
    assert [(p.kind, p.text) for p in change[:2]] == [("delete", "Tre"), ("insert", "Fem")]
    assert change[1].follows_deletion
    assert (result.inserted, result.deleted) == (1, 2)
    assert not compare_texts("A", "<p>x</p>", "A", "<p>x</p>").has_changes


def test_attachments_are_checked_and_served_through_access(org, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = draft(org)
    version = first_version(document)
    client = client_for("quality")
    url = reverse("processes:attachment_add", args=[document.pk])
    fake = SimpleUploadedFile("rutin.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(url, {"version": version.lock_version, "files": fake}, follow=True)
    assert "är inte den sortens fil som namnet säger" in response.content.decode()
    assert not version.attachments.exists()
    good = SimpleUploadedFile("rutin.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(url, {"version": version.lock_version, "files": good}, follow=True)
    assert "Filen bifogades." in response.content.decode()
    attachment = version.attachments.get()
    download = client.get(reverse("processes:attachment_download", args=[document.pk, attachment.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    # Another document's id in the address does not reach this file.
    other = draft(org, title="Annan")
    assert client.get(reverse("processes:attachment_download", args=[other.pk, attachment.pk])).status_code == 404


def test_detail_lists_the_processes_it_governs_that_the_reader_may_see(org, client_for) -> None:
    from processes.models import Process, ProcessActivity, ProcessStatus

    document = approved(org, title="Rutin för avvikelsehantering")
    owner = Role.objects.get(slug="kvalitetssamordnare")
    in_use = Process.objects.create(
        identifier="PR-1",
        title="Avvikelseprocessen",
        status=ProcessStatus.ACTIVE,
        owner_role=owner,
        owner_unit=org.administration,
        created_by=org.quality,
    )
    in_use.applies_to.set([org.unit_a])
    drafted = Process.objects.create(
        identifier="PR-2",
        title="Processutkastet",
        owner_role=owner,
        owner_unit=org.administration,
        created_by=org.quality,
    )
    drafted.applies_to.set([org.unit_a])
    for process in (in_use, drafted):
        activity = ProcessActivity.objects.create(process=process, position=1, title="Ta emot rapporten")
        activity.routines.add(document)
    url = reverse("processes:document_detail", args=[document.pk])
    staff = client_for("staff_a").get(url).content.decode()
    assert "Avvikelseprocessen" in staff and "aktivitet 1, Ta emot rapporten" in staff
    assert "Processutkastet" not in staff  # a draft process is for its editors only
    assert "Processutkastet" in client_for("quality").get(url).content.decode()
