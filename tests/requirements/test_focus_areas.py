"""Focus areas and role responsibilities: services, pages, access, bad input, history and query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ledningssystem.models import Role
from ledningssystem.services import ConflictError, DomainError
from requirements import focus
from requirements.models import FocusArea, FollowUpMethod, RoleResponsibility
from tests.access_matrix import statuses
from tests.requirements.coverage_helpers import import_framework, make_process, make_routine, req


def role(slug: str) -> Role:
    return Role.objects.get(slug=slug)


@pytest.fixture
def area(org):
    fw = import_framework()
    return focus.focus_area_create(
        unit=org.administration,
        by=org.quality,
        key="bemotande",
        title="Bemötande",
        description="Brukare ska känna sig trygga.",
        how="Rutiner för information.",
        follow_up="Brukarundersökning varje år.",
        follow_up_methods=[FollowUpMethod.objects.get(code="brukarundersokning")],
        requirements=[req(fw, "1:1"), req(fw, "1:2-AR")],
        responsibilities={role("enhetschef"): "Ser till att rutinerna följs.", role("medarbetare"): ""},
    )


def test_create_records_everything_and_history(org, area) -> None:
    assert area.unit == org.administration
    assert [m.code for m in area.follow_up_methods.all()] == ["brukarundersokning"]
    assert area.requirements.count() == 2
    assert [(r.role.slug, r.text) for r in area.responsibilities.all()] == [
        ("enhetschef", "Ser till att rutinerna följs.")
    ]
    record = area.history.first()
    assert record.history_change_reason == "focusarea.created" and record.history_user == org.quality
    duty = area.responsibilities.get().history.first()
    assert duty.history_user == org.quality


def test_duplicate_key_and_empty_title_are_refused(org, area) -> None:
    with pytest.raises(DomainError) as exc:
        focus.focus_area_create(unit=org.administration, by=org.quality, key="bemotande", title="Igen")
    assert exc.value.field == "key"
    with pytest.raises(DomainError):
        focus.focus_area_create(unit=org.administration, by=org.quality, key="ny", title="   ")
    # The same key at another unit is fine: keys are unique within a unit.
    focus.focus_area_create(unit=org.unit_a, by=org.quality, key="bemotande", title="Bemötande i Enhet A")
    assert FocusArea.objects.filter(key="bemotande").count() == 2


def test_update_with_a_stale_version_changes_nothing(org, area) -> None:
    common = {
        "title": "Nytt",
        "description": "",
        "how": "",
        "follow_up": "",
        "follow_up_methods": [],
        "requirements": [],
        "responsibilities": {},
    }
    focus.focus_area_update(area=area, by=org.quality, version=1, **common)
    with pytest.raises(ConflictError):
        focus.focus_area_update(area=area, by=org.quality, version=1, **{**common, "title": "Äldre"})
    area.refresh_from_db()
    assert area.title == "Nytt" and area.version == 2
    assert area.requirements.count() == 0


def test_effective_responsibilities_inherit_from_the_nearest_level(org) -> None:
    focus.role_responsibility_set(
        unit=org.administration, role=role("enhetschef"), by=org.quality, text="Leder enheten.", version=None
    )
    focus.role_responsibility_set(
        unit=org.section_1, role=role("enhetschef"), by=org.quality, text="Leder enheten i sektion ett.", version=None
    )
    focus.role_responsibility_set(
        unit=org.administration, role=role("medarbetare"), by=org.quality, text="Rapporterar.", version=None
    )
    by_role = {r.role.slug: r for r in focus.effective_responsibilities(org.unit_a)}
    assert by_role["enhetschef"].text == "Leder enheten i sektion ett."
    assert by_role["enhetschef"].defined_at == org.section_1 and by_role["enhetschef"].inherited
    assert by_role["medarbetare"].defined_at == org.administration
    assert by_role["namnd"].text == "" and by_role["namnd"].defined_at is None
    at_admin = {r.role.slug: r for r in focus.effective_responsibilities(org.administration)}
    assert not at_admin["enhetschef"].inherited


def test_clearing_a_responsibility_falls_back_to_the_level_above(org) -> None:
    focus.role_responsibility_set(
        unit=org.administration, role=role("enhetschef"), by=org.quality, text="Övergripande.", version=None
    )
    record = focus.role_responsibility_set(
        unit=org.unit_a, role=role("enhetschef"), by=org.quality, text="Lokalt.", version=None
    )
    with pytest.raises(ConflictError):
        focus.role_responsibility_set(unit=org.unit_a, role=role("enhetschef"), by=org.quality, text="x", version=9)
    focus.role_responsibility_set(unit=org.unit_a, role=role("enhetschef"), by=org.quality, text="", version=1)
    assert not RoleResponsibility.objects.filter(pk=record.pk).exists()
    assert RoleResponsibility.history.filter(id=record.pk).first().history_change_reason == "responsibility.cleared"
    effective = {r.role.slug: r for r in focus.effective_responsibilities(org.unit_a)}
    assert effective["enhetschef"].text == "Övergripande."


# --- Pages -------------------------------------------------------------------------


def test_list_shows_areas_defined_at_the_unit_and_above(org, area, client_for) -> None:
    focus.focus_area_create(unit=org.unit_b, by=org.quality, key="b-eget", title="Enhet B:s eget område")
    body = client_for("staff_a").get(reverse("requirements:focus_list")).content.decode()
    assert "Bemötande" in body and "Ärvd från Socialförvaltningen" in body
    assert "Enhet B:s eget" not in body
    body_b = client_for("staff_b").get(reverse("requirements:focus_list")).content.decode()
    assert "Enhet B:s eget" in body_b


def test_detail_shows_binding_and_advice_apart_and_linked_routines(org, area, client_for) -> None:
    visible = make_routine(
        "Rutin för bemötande", owner_unit=org.administration, applies=[org.administration], by=org.quality
    )
    visible.focus_areas.add(area)
    hidden = make_routine(
        "Utkast om bemötande",
        owner_unit=org.administration,
        applies=[org.administration],
        by=org.quality,
        approved=False,
        draft=True,
    )
    hidden.focus_areas.add(area)
    process = make_process("Bemötandeprocessen", owner_unit=org.administration, applies=[org.unit_a], by=org.quality)
    process.focus_areas.add(area)
    body = client_for("staff_a").get(reverse("requirements:focus_detail", args=[area.pk])).content.decode()
    assert "req-kind-binding" in body and "req-kind-advice" in body
    assert "Rutin för bemötande" in body and "Bemötandeprocessen" in body
    assert "Utkast om bemötande" not in body
    assert "Ser till att rutinerna följs." in body and "Brukarundersökning" in body
    assert "Redigera" not in body.split("<main")[1]  # staff may not edit
    coordinator = client_for("quality").get(reverse("requirements:focus_detail", args=[area.pk])).content.decode()
    assert "Utkast om bemötande" in coordinator


def _form(area_or_none, fw, **extra):
    data = {
        "key": "samverkan",
        "title": "Samverkan",
        "description": "Om samverkan.",
        "how": "Planer.",
        "follow_up": "Avtalsuppföljning.",
        "follow_up_methods": [FollowUpMethod.objects.get(code="internkontroll").pk],
        "requirements": [req(fw, "2:1").pk],
        f"resp_{role('forvaltningschef').pk}": "Riktlinjer för samverkan.",
        "form_token": "t-" + extra.pop("token", "1"),
    }
    if area_or_none is not None:
        data["version"] = area_or_none.version
    data.update(extra)
    return data


def test_create_edit_and_deactivate_through_the_pages(org, area, client_for) -> None:
    fw = import_framework()
    client = client_for("quality")
    response = client.post(reverse("requirements:focus_create") + f"?unit={org.administration.pk}", _form(None, fw))
    created = FocusArea.objects.get(key="samverkan")
    assert response.status_code == 302 and response["Location"] == reverse(
        "requirements:focus_detail", args=[created.pk]
    )
    assert created.responsibilities.get().role.slug == "forvaltningschef"
    # A double submit creates nothing more.
    client.post(reverse("requirements:focus_create") + f"?unit={org.administration.pk}", _form(None, fw))
    assert FocusArea.objects.filter(key="samverkan").count() == 1

    edit = reverse("requirements:focus_edit", args=[created.pk])
    client.post(edit, _form(created, fw, title="Samverkan och samordning", token="2", requirements=[]))
    created.refresh_from_db()
    assert created.title == "Samverkan och samordning" and created.version == 2
    assert created.requirements.count() == 0
    stale = client.post(edit, _form(created, fw, title="Gammalt", token="3", version=1))
    assert "Någon annan ändrade detta medan du redigerade" in stale.content.decode()
    created.refresh_from_db()
    assert created.title == "Samverkan och samordning"

    client.post(
        reverse("requirements:focus_deactivate", args=[created.pk]), {"version": created.version, "form_token": "t-4"}
    )
    created.refresh_from_db()
    assert not created.is_active
    assert "Samverkan och samordning" not in client.get(reverse("requirements:focus_list")).content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "Rubrik"),
        ({"key": "Inte en nyckel!"}, "Nyckel"),
        ({"how": "x" * 20_001}, "Hur"),
        ({"requirements": ["999999"]}, "finns inte längre"),
        ({"requirements": ["abc"]}, "finns inte längre"),
        ({"follow_up_methods": ["999999"]}, "Uppföljningsmetoder"),
    ],
)
def test_create_bad_input_shows_errors_and_saves_nothing(org, client_for, change, message) -> None:
    fw = import_framework()
    response = client_for("quality").post(
        reverse("requirements:focus_create") + f"?unit={org.administration.pk}", _form(None, fw, **change)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in body and message in body
    assert not FocusArea.objects.filter(key="samverkan").exists()


def test_responsibility_pages_show_inheritance_and_edit(org, client_for) -> None:
    focus.role_responsibility_set(
        unit=org.administration, role=role("enhetschef"), by=org.quality, text="Leder enheten.", version=None
    )
    body = client_for("manager_a").get(reverse("requirements:responsibilities")).content.decode()
    assert "Ärvd från Socialförvaltningen" in body and "Leder enheten." in body
    client = client_for("quality")
    url = reverse("requirements:responsibility_edit", args=[org.section_1.pk, role("enhetschef").pk])
    page = client.get(url).content.decode()
    assert "I dag gäller texten från Socialförvaltningen" in page
    client.post(url, {"text": "Leder enheterna i sektion ett.", "form_token": "r1"})
    assert RoleResponsibility.objects.get(unit=org.section_1).text == "Leder enheterna i sektion ett."
    stale = client.post(url, {"text": "Gammalt", "form_token": "r2"})  # no version: written meanwhile
    assert stale.status_code == 200
    assert RoleResponsibility.objects.get(unit=org.section_1).text == "Leder enheterna i sektion ett."
    too_long = client.post(url, {"text": "x" * 20_001, "version": 1, "form_token": "r3"})
    assert 'id="error-summary"' in too_long.content.decode()


# --- Access ---------------------------------------------------------------------------


def _area_at(unit_attr):
    def make(org):
        unit = getattr(org, unit_attr)
        return focus.focus_area_create(unit=unit, by=None, key=f"k-{unit_attr}", title=f"Område {unit_attr}")

    return make


READ_ALL = statuses(200)
ONLY_COORDINATOR = statuses(403, quality=200)
ROWS = [
    ("list", lambda org: (reverse("requirements:focus_list"), None), READ_ALL),
    (
        "list for unit B",
        lambda org: (reverse("requirements:focus_list") + f"?unit={org.unit_b.pk}", None),
        # A unit outside the person's scope is not offered: the page falls back to their own.
        READ_ALL,
    ),
    (
        "detail at administration",
        lambda org: (reverse("requirements:focus_detail", args=[_area_at("administration")(org).pk]), None),
        READ_ALL,
    ),
    (
        "detail at unit B",
        lambda org: (reverse("requirements:focus_detail", args=[_area_at("unit_b")(org).pk]), None),
        statuses(200, staff_a=404, colleague_a=404, manager_a=404, section_head=404),
    ),
    (
        "edit",
        lambda org: (reverse("requirements:focus_edit", args=[_area_at("administration")(org).pk]), None),
        ONLY_COORDINATOR,
    ),
    (
        "edit at unit B",
        lambda org: (reverse("requirements:focus_edit", args=[_area_at("unit_b")(org).pk]), None),
        statuses(403, quality=200, staff_a=404, colleague_a=404, manager_a=404, section_head=404),
    ),
    (
        "create",
        lambda org: (reverse("requirements:focus_create") + f"?unit={org.administration.pk}", None),
        ONLY_COORDINATOR,
    ),
    (
        "deactivate",
        lambda org: (
            reverse("requirements:focus_deactivate", args=[_area_at("administration")(org).pk]),
            {"version": 1, "form_token": "d"},
        ),
        statuses(403, quality=302),
    ),
    ("responsibilities", lambda org: (reverse("requirements:responsibilities"), None), READ_ALL),
    (
        "responsibility edit",
        lambda org: (reverse("requirements:responsibility_edit", args=[org.administration.pk, role("namnd").pk]), None),
        # The administration is outside the scope of those below it: unknown to them.
        statuses(
            403,
            quality=200,
            **dict.fromkeys(["staff_a", "colleague_a", "manager_a", "staff_b", "manager_b", "section_head"], 404),
        ),
    ),
    (
        "responsibility save",
        lambda org: (
            reverse("requirements:responsibility_edit", args=[org.administration.pk, role("namnd").pk]),
            {"text": "Beslutar om mål.", "form_token": "s"},
        ),
        statuses(
            403,
            quality=302,
            **dict.fromkeys(["staff_a", "colleague_a", "manager_a", "staff_b", "manager_b", "section_head"], 404),
        ),
    ),
]


@pytest.mark.parametrize(("label", "make", "expect"), ROWS, ids=[r[0] for r in ROWS])
@pytest.mark.parametrize("persona", list(statuses(0)))
def test_access_matrix(label, make, expect, persona, org, client_for) -> None:
    url, data = make(org)
    client = client_for(persona)
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == expect[persona], f"{persona} {label}: {response.status_code}"
    if data is not None and response.status_code != 302:
        assert not RoleResponsibility.objects.exists()


def test_anonymous_and_unknown_ids(org, client_for) -> None:
    client = client_for("quality")
    assert client.get(reverse("requirements:focus_detail", args=[999999])).status_code == 404
    assert (
        client.get(reverse("requirements:responsibility_edit", args=[org.administration.pk, 999999])).status_code == 404
    )
    assert client.get(reverse("requirements:focus_create") + "?unit=abc").status_code == 200  # falls back to own unit


@pytest.mark.parametrize("persona", ["staff_a", "quality"])
def test_query_counts_flat_as_focus_areas_grow(org, persona, django_assert_max_num_queries, client_for) -> None:
    fw = import_framework()
    client = client_for(persona)
    counts = []
    for n in (2, 25):
        for i in range(n):
            a = focus.focus_area_create(
                unit=org.administration,
                by=None,
                key=f"a{n}-{i}",
                title=f"Område {n}-{i}",
                follow_up_methods=list(FollowUpMethod.objects.all()[:3]),
                requirements=[req(fw, "1:1"), req(fw, "2:1")],
                responsibilities={role("enhetschef"): "Ansvar.", role("medarbetare"): "Deltar."},
            )
            make_routine(
                f"R{n}-{i}", owner_unit=org.administration, applies=[org.administration], by=org.quality
            ).focus_areas.add(a)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        per_page = []
        for url in (
            reverse("requirements:focus_list"),
            reverse("requirements:focus_detail", args=[a.pk]),
            reverse("requirements:responsibilities"),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            per_page.append(len(queries))
        counts.append(per_page)
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(25):
        client.get(reverse("requirements:focus_list"))
