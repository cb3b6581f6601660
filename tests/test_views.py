"""Views: forms, bad input, double submit, conflicts, lists, exports."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ledningssystem.jobs import job_run
from ledningssystem.models import BackgroundJob, Role, RoleAssignment, Unit, User


def test_login_page_is_swedish_and_login_works(db, client) -> None:
    from ledningssystem.builtin_roles import ensure_builtin_roles

    ensure_builtin_roles()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    page = client.get(response["Location"])
    assert 'lang="sv"' in page.content.decode()
    assert "Logga in" in page.content.decode()


def test_login_with_real_password_and_lockout(org, client, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        response = client.post("/login/", {"username": "staff_a", "password": "fel"})
    assert response.status_code == 429
    assert "För många" in response.content.decode()
    # Even the right password is refused while locked out.
    response = client.post("/login/", {"username": "staff_a", "password": "demo-password-123"})
    assert response.status_code == 429
    # Another person from the same address is not locked out.
    response = client.post("/login/", {"username": "staff_b", "password": "demo-password-123"})
    assert response.status_code == 302


def test_wrong_password_gives_swedish_error(org, client) -> None:
    response = client.post("/login/", {"username": "staff_a", "password": "fel"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert "användarnamn" in response.content.decode().lower()


def test_security_headers(org, client_for) -> None:
    response = client_for("staff_a").get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_healthz_reports_database_and_broker(db, client, settings) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] in {"ok", "not_configured"}
    assert "SECRET" not in response.content.decode().upper()


def test_healthz_is_503_when_broker_is_down(db, client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error"


def test_healthz_is_503_when_database_is_down(db, client, monkeypatch) -> None:
    from ledningssystem.views import health

    monkeypatch.setattr(health, "_check_database", lambda: "error")
    assert client.get("/healthz").status_code == 503


def test_language_choice_is_kept_per_person(org, client_for) -> None:
    client = client_for("staff_a")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/organisation/"})
    assert response.status_code == 302
    assert response["Location"] == "/organisation/"
    assert User.objects.get(username="staff_a").language == "en"
    assert "My page" in client.get("/").content.decode()
    # The choice follows the person to a new device (a fresh client).
    assert "My page" in client_for("staff_a").get("/").content.decode()


def test_language_switch_refuses_foreign_redirect(org, client_for) -> None:
    response = client_for("staff_a").post(reverse("set_language"), {"language": "sv", "next": "https://evil.example"})
    assert response["Location"] == "/"


def test_password_change_validates_and_hashes_with_argon2(org, client_for, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    org.staff_a.set_password("demo-password-123")
    org.staff_a.save()
    client = client_for("staff_a")
    bad = client.post(
        reverse("password_change"),
        {"old_password": "demo-password-123", "new_password1": "123", "new_password2": "123"},
    )
    assert bad.status_code == 200
    assert "error-summary" in bad.content.decode()
    good = client.post(
        reverse("password_change"),
        {
            "old_password": "demo-password-123",
            "new_password1": "Vintern-kommer-2026!",
            "new_password2": "Vintern-kommer-2026!",
        },
    )
    assert good.status_code == 302
    person = User.objects.get(username="staff_a")
    assert person.password.startswith("argon2")
    assert person.history.first().history_change_reason == "person.password_changed"
    assert "Vintern" not in str(person.history.first().__dict__)


def test_unit_create_with_empty_name_shows_linked_error_and_saves_nothing(org, client_for) -> None:
    before = Unit.objects.count()
    response = client_for("admin").post(
        reverse("unit_create") + f"?parent={org.section_2.pk}", {"name": "   ", "kind": "unit"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_name"' in html
    assert 'aria-invalid="true"' in html
    assert "id_name_error" in html
    assert Unit.objects.count() == before


def test_unit_create_huge_and_wrong_values_are_refused(org, client_for) -> None:
    before = Unit.objects.count()
    client = client_for("admin")
    url = reverse("unit_create") + f"?parent={org.section_2.pk}"
    assert client.post(url, {"name": "x" * 10_000, "kind": "unit"}).status_code == 200
    assert client.post(url, {"name": "Ok", "kind": "planet"}).status_code == 200
    response = client.post(url, {"name": "Ok", "kind": "committee"})
    assert "kan inte placeras" in response.content.decode()
    assert Unit.objects.count() == before


def test_double_submit_creates_one_unit(org, client_for) -> None:
    client = client_for("admin")
    url = reverse("unit_create") + f"?parent={org.section_2.pk}"
    data = {"name": "Enhet Dubbel", "kind": "unit", "form_token": "abc123"}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Unit.objects.filter(name="Enhet Dubbel").count() == 1


def test_concurrent_edit_shows_conflict_and_keeps_the_first_change(org, client_for) -> None:
    client = client_for("admin")
    url = reverse("unit_edit", args=[org.unit_a.pk])
    version = Unit.objects.get(pk=org.unit_a.pk).version
    form = {"kind": "unit", "code": "", "description": "", "is_active": "on", "version": version}
    assert client.post(url, {**form, "name": "Första"}).status_code == 302
    response = client.post(url, {**form, "name": "Andra"})
    assert response.status_code == 200
    assert "någon annan" in response.content.decode().lower()
    assert Unit.objects.get(pk=org.unit_a.pk).name == "Första"


def test_person_create_flow_and_errors(org, client_for) -> None:
    client = client_for("admin")
    role = Role.objects.get(slug="medarbetare")
    data = {
        "username": "Ny Person!",
        "first_name": "",
        "last_name": "Ny",
        "language": "sv",
        "role": role.pk,
        "unit": org.unit_b.pk,
        "start_date": "2026-13-45",
        "password": "kort",
    }
    response = client.post(reverse("person_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    for field in ("username", "first_name", "start_date", "password"):
        assert f'href="#id_{field}"' in html
    assert not User.objects.filter(last_name="Ny").exists()
    data.update(username="ny.person", first_name="Nina", start_date="2026-01-01", password="Ett-bra-losen-99")
    response = client.post(reverse("person_create"), data)
    assert response.status_code == 302
    person = User.objects.get(username="ny.person")
    assert person.assignments.get().unit == org.unit_b


def test_scoped_administrator_cannot_place_people_outside_scope(org, client_for) -> None:
    from tests.factories import PersonFactory, assign

    local_admin = PersonFactory(username="local_admin")
    assign(local_admin, "administrator", org.section_2)
    role = Role.objects.get(slug="medarbetare")
    data = {
        "username": "x.y",
        "first_name": "X",
        "last_name": "Y",
        "language": "sv",
        "role": role.pk,
        "unit": org.unit_a.pk,
        "start_date": "2026-01-01",
    }
    response = client_for("local_admin").post(reverse("person_create"), data)
    assert response.status_code == 200
    assert 'href="#id_unit"' in response.content.decode()
    assert not User.objects.filter(username="x.y").exists()


def test_ending_last_assignment_offers_deactivation(org, client_for) -> None:
    from django.utils import timezone

    assignment = org.staff_a.assignments.get()
    today = timezone.localdate().isoformat()
    response = client_for("admin").post(reverse("assignment_end", args=[assignment.pk]), {"end_date": today})
    assert response.status_code == 302
    assert response["Location"] == reverse("person_deactivate", args=[org.staff_a.pk])


def test_ending_last_assignment_later_keeps_the_date_and_the_account(org, client_for) -> None:
    from django.utils import timezone

    assignment = org.staff_a.assignments.get()
    later = timezone.localdate() + timezone.timedelta(days=37)
    response = client_for("admin").post(reverse("assignment_end", args=[assignment.pk]), {"end_date": later})
    assert response["Location"] == reverse("person_detail", args=[org.staff_a.pk])
    assert org.staff_a.assignments.get().end_date == later
    assert User.objects.get(pk=org.staff_a.pk).is_active


def test_deactivate_with_successor_through_the_form(org, client_for) -> None:
    client = client_for("admin")
    url = reverse("person_deactivate", args=[org.manager_a.pk])
    response = client.post(url, {"transfer_roles": "on"})
    assert response.status_code == 200  # successor missing
    assert User.objects.get(pk=org.manager_a.pk).is_active
    response = client.post(url, {"transfer_roles": "on", "successor": org.manager_b.pk})
    assert response.status_code == 302
    assert RoleAssignment.objects.active().filter(person=org.manager_b, unit=org.unit_a).exists()


def test_role_edit_changes_capabilities(org, client_for) -> None:
    from ledningssystem import access

    role = Role.objects.get(slug="medarbetare")
    perms = access.capability_permissions()
    view_unit = perms.get(codename="view_unit")
    view_assignments = perms.get(codename="view_assignments")
    response = client_for("admin").post(
        reverse("role_edit", args=[role.pk]),
        {
            "name": "Medarbetare",
            "description": "",
            "permissions": [view_unit.pk, view_assignments.pk],
            "version": role.version,
        },
    )
    assert response.status_code == 302
    assert client_for("staff_a").get(reverse("person_list")).status_code == 200


def test_lists_neither_show_nor_count_what_is_out_of_scope(org, client_for) -> None:
    html = client_for("manager_b").get(reverse("person_list")).content.decode()
    assert org.staff_a.last_name not in html or org.staff_a.get_full_name() not in html
    assert "staff_a" not in html
    visible = {"manager_b", "staff_b"}
    assert f"{len(visible)} personer" in html
    units_html = client_for("staff_b").get(reverse("unit_list")).content.decode()
    assert "Enhet A" not in units_html
    assert "1 enhet" in units_html


def test_overview_counts_only_the_scope(org, client_for) -> None:
    response = client_for("section_head").get(reverse("organisation_overview"))
    kinds = dict(response.context["kinds"])
    assert sum(kinds.values()) == 3  # Sektion Ett, Enhet A, Enhet A2
    holders = {row["role__name"]: row["people"] for row in response.context["holders"]}
    assert holders == {"Sektionschef": 1, "Enhetschef": 1, "Medarbetare": 2}
    assert "staff_a" not in response.content.decode()


def test_export_contains_only_what_the_person_may_see(org, client_for) -> None:
    client = client_for("manager_b")
    response = client.post(reverse("organisation_export"))
    job = BackgroundJob.objects.get(created_by=org.manager_b)
    job_run(job_id=str(job.pk))  # the test transaction never commits, so run it here
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert "Filen är klar" in detail.content.decode()
    download = client.get(reverse("job_download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    units = [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert units == ["Enhet B"]
    people = [row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert sorted(people) == ["manager_b", "staff_b"]


def test_job_started_from_browser_finishes_after_commit(org, client_for, django_capture_on_commit_callbacks) -> None:
    client = client_for("staff_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organisation_export"))
    job = BackgroundJob.objects.get(created_by=org.staff_a)
    assert job.status == "done"
    assert job.result_sha256
    status = client.get(response["Location"], headers={"HX-Request": "true"})
    assert "hx-get" not in status.content.decode()  # finished: polling stops


def test_history_page_shows_who_and_what_in_swedish(org, client_for) -> None:
    client = client_for("admin")
    version = Unit.objects.get(pk=org.unit_a.pk).version
    client.post(
        reverse("unit_edit", args=[org.unit_a.pk]),
        {"name": "Enhet Alfa", "kind": "unit", "code": "", "description": "", "is_active": "on", "version": version},
    )
    html = client.get(reverse("record_history", args=["unit", org.unit_a.pk])).content.decode()
    assert "Enhet Alfa" in html
    assert "Enheten ändrades" in html or "Enhet uppdaterad" in html or "uppdater" in html.lower()
    assert org.admin.get_full_name() in html


@pytest.mark.parametrize("url_name", ["unit_list", "person_list"])
def test_bad_page_numbers_do_not_fail(org, client_for, url_name) -> None:
    client = client_for("admin")
    for page in ("0", "-1", "abc", "99999"):
        assert client.get(reverse(url_name), {"page": page}).status_code == 200


def test_double_submit_of_an_edit_saves_once_and_says_so(org, client_for) -> None:
    client = client_for("admin")
    url = reverse("unit_edit", args=[org.unit_a.pk])
    version = Unit.objects.get(pk=org.unit_a.pk).version
    data = {"name": "En gång", "kind": "unit", "is_active": "on", "version": version, "form_token": "tok-1"}
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302
    assert "sparades inte två gånger" in second.content.decode()
    assert Unit.objects.get(pk=org.unit_a.pk).version == version + 1


@pytest.mark.parametrize(
    "url",
    [
        "/organisation/?q=%00abc",
        "/organisation/?kind=planet&inactive=maybe",
        "/people/?q=%00&status=nonsense",
        "/organisation/units/99999999999999999999/",
        "/organisation/units/new/?parent=99999999999999999999",
        "/organisation/units/new/?parent=abc",
        "/people/99999999999999999999/",
        "/history/person/99999999999999999999/",
        "/history/unit/%00/",
        "/history/role/-1/",
        "/jobs/00000000-0000-0000-0000-000000000000/",
        "/organisation/?page=99999999999999999999999",
        "/people/?q=" + "x" * 5000,
    ],
)
def test_malformed_urls_never_fail(org, client_for, url) -> None:
    response = client_for("admin").get(url)
    assert response.status_code in {200, 404}


def test_nul_characters_in_a_form_are_a_clear_error(org, client_for) -> None:
    url = reverse("unit_create") + f"?parent={org.section_2.pk}"
    before = Unit.objects.count()
    response = client_for("admin").post(url, {"name": "Enhet\x00X", "kind": "unit"})
    assert response.status_code == 200
    assert 'href="#id_name"' in response.content.decode()
    assert Unit.objects.count() == before


def test_visitors_get_swedish_whatever_their_browser_says(db, client) -> None:
    response = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert "Logga in" in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert "Log in" in client.get(reverse("login")).content.decode()


def test_csrf_failure_is_explained_in_swedish(org) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(org.staff_a)
    response = client.post(reverse("organisation_export"))
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()


def test_too_many_fields_is_a_swedish_400(org, client_for) -> None:
    query = "&".join(f"f{i}=1" for i in range(1500))
    response = client_for("staff_a").get(reverse("unit_list") + "?" + query)
    assert response.status_code == 400
    assert "kunde inte hanteras" in response.content.decode()


def test_logging_in_writes_no_history_row(org, client) -> None:
    rows = org.staff_a.history.count()
    assert client.post("/login/", {"username": "staff_a", "password": "demo-password-123"}).status_code == 302
    person = User.objects.get(pk=org.staff_a.pk)
    assert person.last_login is not None
    assert person.history.count() == rows


def test_export_keeps_odd_names_as_text(org, client_for) -> None:
    Unit.objects.filter(pk=org.unit_b.pk).update(name='=HYPERLINK("http://x","klicka")\x0b')
    client_for("manager_b").post(reverse("organisation_export"))
    job = BackgroundJob.objects.get(created_by=org.manager_b)
    job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == "done"
    book = load_workbook(io.BytesIO(job.result.read()))
    cell = book.worksheets[0]["B2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","klicka")'


def test_old_job_files_are_deleted_and_no_longer_served(org, client_for, time_machine) -> None:
    from django.utils import timezone

    from ledningssystem.jobs import job_results_delete_expired

    client = client_for("staff_a")
    client.post(reverse("organisation_export"))
    job = BackgroundJob.objects.get(created_by=org.staff_a)
    job_run(job_id=str(job.pk))
    time_machine.move_to(timezone.now() + timezone.timedelta(days=8))
    client = client_for("staff_a")  # the old session has expired too
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    assert "tagits bort" in client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert job_results_delete_expired() == 1
    job.refresh_from_db()
    assert not job.result


def test_technical_admin_cannot_change_units_or_roles(org, client_for) -> None:
    org.admin.is_staff = True
    org.admin.save()
    client = client_for("admin")
    assert client.get(f"/admin/ledningssystem/unit/{org.unit_a.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/ledningssystem/unit/{org.unit_a.pk}/change/", {"name": "Hackad"})
    assert response.status_code == 403
    assert client.get("/admin/ledningssystem/role/add/").status_code == 403
