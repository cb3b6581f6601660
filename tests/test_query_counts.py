"""Pages keep the same number of queries as the data grows.

Each case renders a page, adds many more units, people, assignments and
history rows, and renders it again under ``django_assert_max_num_queries``
with a fixed bound. The people list, for example, needs: session, person,
scope anchors (one query for every capability), the unit subtree check,
count, page, the prefetch of current assignments, the unread notification count
(navbar badge) and the session save; pages
that ask whether the viewer administers everything add one for the top units.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledningssystem import services
from ledningssystem.models import Role, Unit
from ledningssystem.models.organisation import UnitKind
from tests.factories import PersonFactory, assign, make_unit


def grow(org, n: int = 30) -> None:
    """More units, people, roles held and changes, all inside everyone's scope."""
    for i in range(n):
        unit = make_unit(f"Extra enhet {i:03}", UnitKind.UNIT, org.section_1)
        person = PersonFactory(username=f"grow{i}")
        assign(person, "medarbetare", unit)
        assign(person, "medarbetare", org.unit_a)
        fresh = Unit.objects.get(pk=org.unit_a.pk)
        services.unit_update(
            unit=fresh,
            by=org.admin,
            version=fresh.version,
            name=f"Enhet A v{i}",
            kind="unit",
            code="",
            description="",
            is_active=True,
        )


PAGES = [
    # (persona, url name, args, bound)
    ("admin", "unit_list", lambda o: [], 10),
    ("section_head", "unit_list", lambda o: [], 9),
    ("admin", "person_list", lambda o: [], 11),
    ("section_head", "person_list", lambda o: [], 10),
    ("admin", "role_list", lambda o: [], 12),
    ("admin", "role_detail", lambda o: [Role.objects.get(slug="medarbetare").pk], 12),
    ("admin", "unit_detail", lambda o: [o.unit_a.pk], 13),
    ("section_head", "unit_detail", lambda o: [o.section_1.pk], 12),
    ("admin", "person_detail", lambda o: [o.staff_a.pk], 14),  # + one per handover provider
    ("admin", "record_history", lambda o: ["unit", o.unit_a.pk], 12),
    ("section_head", "organisation_overview", lambda o: [], 9),
    # + the "Att läsa" section of read confirmations; + "Rutiner att se över" (the roles held, the documents)
    ("staff_a", "home", lambda o: [], 13),
    ("staff_a", "job_list", lambda o: [], 8),
]


@pytest.mark.parametrize(("persona", "name", "args", "bound"), PAGES, ids=[f"{p[1]}-{p[0]}" for p in PAGES])
def test_query_count_does_not_grow(org, client_for, django_assert_max_num_queries, persona, name, args, bound):
    client = client_for(persona)
    url = reverse(name, args=args(org))
    client.get(url)  # warm: daily access sync, session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(org)
    client.get(url)
    with django_assert_max_num_queries(bound):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    # History pages look up one older record once there is a second page.
    assert len(large) <= len(small) + (1 if name == "record_history" else 0)
