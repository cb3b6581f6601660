"""The demo processes and the demo read request."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ledningssystem.builtin_roles import ensure_builtin_roles
from ledningssystem.models import Unit, User
from processes import demo_processes, reading
from processes.models import Process, ProcessStatus, ReadRequest
from tests.processes.reading_helpers import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    ensure_builtin_roles()
    call_command("load_demo", verbosity=0)


def test_demo_has_processes_with_ordered_activities_and_collaboration(demo):
    processes = {p.identifier: p for p in Process.objects.prefetch_related("activities")}
    assert set(processes) == {"PR-01", "PR-02", "PR-03", "PR-04"}
    for process in processes.values():
        count = process.activities.count()
        assert 4 <= count <= 7
        positions = list(process.activities.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, count + 1))
    assert processes["PR-04"].status == ProcessStatus.DRAFT
    assert processes["PR-01"].status == ProcessStatus.ACTIVE
    assert processes["PR-01"].activities.filter(collaboration_with__icontains="IVO").exists()
    assert processes["PR-02"].activities.filter(collaboration_with__icontains="Försäkringskassan").exists()
    assert processes["PR-01"].requirements.filter(framework__code="SOSFS 2011:9").exists()


def test_the_demo_read_request_lands_on_the_care_workers_page(demo):
    units = {u.name: u for u in Unit.objects.all()}
    people = {p.username: p for p in User.objects.all()}
    if not ReadRequest.objects.exists():  # without the document demo, make one routine to ask about
        make_document(
            owner_unit=units["Äldreomsorg"],
            applies_to=[units["Äldreomsorg"]],
            by=people["kvalitetssamordnare"],
            title="Rutin för läkemedelshantering i hemtjänsten",
            owner_role="sektionschef",
        )
        demo_processes._read_request(people)
    worker = people["medarbetare"]
    owed = list(reading.owed_by(worker))
    assert len(owed) >= 1
    # Running it again asks for nothing more.
    before = ReadRequest.objects.count()
    demo_processes._read_request(people)
    assert ReadRequest.objects.count() == before
    assert len(list(reading.owed_by(worker))) == len(owed)
