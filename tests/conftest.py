"""The shared cast: one organisation and one persona per kind of user.

Socialnämnden (committee)          namnd, admin
└── Socialförvaltningen            quality (kvalitetssamordnare), director (förvaltningschef)
    ├── Sektion Ett                section_head
    │   ├── Enhet A                staff_a, colleague_a, manager_a
    │   └── Enhet A2
    └── Sektion Två
        └── Enhet B                staff_b, manager_b
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from ledningssystem import celery_app
from ledningssystem.builtin_roles import ensure_builtin_roles
from ledningssystem.models import Unit, User
from ledningssystem.models.organisation import UnitKind
from tests.factories import PersonFactory, assign, make_unit

PERSONAS = [
    "staff_a",
    "colleague_a",
    "manager_a",
    "staff_b",
    "manager_b",
    "section_head",
    "director",
    "quality",
    "secretary",
    "committee",
    "admin",
    "anonymous",
]


@dataclass
class Org:
    committee_unit: Unit
    administration: Unit
    section_1: Unit
    section_2: Unit
    unit_a: Unit
    unit_a2: Unit
    unit_b: Unit
    people: dict[str, User]

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture(autouse=True)
def _fast_hashing_and_eager_tasks(settings):
    """Fast password hashing, and tasks run in-process unless a test starts a worker.

    Celery reads Django settings under the CELERY_ namespace, so the
    namespaced key is the one that overrides.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    eager = celery_app.conf.CELERY_TASK_ALWAYS_EAGER
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True
    yield
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = eager


def build_org() -> Org:
    ensure_builtin_roles()
    committee_unit = make_unit("Socialnämnden", UnitKind.COMMITTEE)
    administration = make_unit("Socialförvaltningen", UnitKind.ADMINISTRATION, committee_unit)
    section_1 = make_unit("Sektion Ett", UnitKind.SECTION, administration)
    section_2 = make_unit("Sektion Två", UnitKind.SECTION, administration)
    unit_a = make_unit("Enhet A", UnitKind.UNIT, section_1)
    unit_a2 = make_unit("Enhet A2", UnitKind.UNIT, section_1)
    unit_b = make_unit("Enhet B", UnitKind.UNIT, section_2)
    cast = {
        "staff_a": ("medarbetare", unit_a),
        "colleague_a": ("medarbetare", unit_a),
        "manager_a": ("enhetschef", unit_a),
        "staff_b": ("medarbetare", unit_b),
        "manager_b": ("enhetschef", unit_b),
        "section_head": ("sektionschef", section_1),
        "director": ("forvaltningschef", administration),
        "quality": ("kvalitetssamordnare", administration),
        "secretary": ("namndsekreterare", committee_unit),
        "committee": ("namnd", committee_unit),
        "admin": ("administrator", committee_unit),
    }
    people = {}
    for name, (role, unit) in cast.items():
        person = PersonFactory(username=name)
        assign(person, role, unit)
        people[name] = User.objects.get(pk=person.pk)
    return Org(committee_unit, administration, section_1, section_2, unit_a, unit_a2, unit_b, people)


@pytest.fixture
def org(db) -> Org:
    return build_org()


@pytest.fixture
def client_for(org: Org):
    """client_for("manager_a") → a Client logged in as that persona."""

    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(User.objects.get(username=persona))
        return client

    return make
