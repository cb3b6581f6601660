"""The benchmark generator builds what it promises, deterministically, and twice side by side."""

from __future__ import annotations

from bench.qms_data import build
from processes.models import Document, DocumentVersion, Process, ProcessActivity, VersionStatus
from requirements.models import FocusArea, Framework, Requirement, RoleResponsibility


def _shape(top):
    administration = top.get_children().get()
    framework = Framework.objects.filter(requirements__focus_areas__unit=administration).distinct().get()
    documents = Document.objects.filter(owner_unit__path__startswith=top.path)
    return {
        "requirements": Requirement.objects.filter(framework=framework).count(),
        "focus_areas": FocusArea.objects.filter(unit=administration).count(),
        "responsibilities": RoleResponsibility.objects.filter(unit=administration).count(),
        "documents": documents.count(),
        "in_force": documents.in_force().count(),
        "overdue": documents.review_overdue().count(),
        "drafts": DocumentVersion.objects.filter(document__in=documents, status=VersionStatus.DRAFT).count(),
        "processes": Process.objects.filter(owner_unit__path__startswith=top.path).count(),
        "activities": ProcessActivity.objects.filter(process__owner_unit__path__startswith=top.path).count(),
        "titles": sorted(documents.values_list("title", flat=True))[:5],
    }


def test_build_twice_gives_two_separate_organisations_of_the_same_shape(db) -> None:
    first = build(n_requirements=40, n_documents=200, seed=3)
    second = build(n_requirements=40, n_documents=200, seed=3)
    assert first.pk != second.pk
    a, b = _shape(first), _shape(second)
    assert a == b
    assert a["requirements"] == 40
    assert a["documents"] == 200
    assert a["in_force"] == 180  # two in twenty are drafts only
    assert a["overdue"] == 20
    assert a["drafts"] == 30  # the 20 drafts only and 10 new drafts on top of a version in force
    assert a["focus_areas"] == 12
    assert a["processes"] == 3
    assert a["activities"] == 15
    # Every requirement answers one focus area.
    assert not Requirement.objects.filter(framework__code__startswith="BENCH", focus_areas__isnull=True).exists()
