"""Processes for tests, made through the services."""

from __future__ import annotations

from ledningssystem.models import Role
from processes import process_services
from processes.models import Process, ProcessStatus


def make_process(
    org,
    *,
    status: str = ProcessStatus.ACTIVE,
    title: str = "Hantering av avvikelser",
    activities: int = 2,
    identifier: str | None = None,
) -> Process:
    """Owned by the coordinator role at the administration, applying to Sektion Ett."""
    process = process_services.process_create(
        by=org.quality,
        identifier=identifier or f"PR-{Process.objects.count() + 1:03d}",
        title=title,
        purpose="Att avvikelser tas om hand.",
        owner_role=Role.objects.get(slug="kvalitetssamordnare"),
        owner_unit=org.administration,
        applies_to=[org.section_1],
    )
    for i in range(activities):
        process_services.activity_add(
            process=process,
            by=org.quality,
            version=None,
            title=f"Steg {i + 1}",
            description="",
            responsible_role=Role.objects.get(slug="enhetschef"),
            routines=[],
            needs_collaboration=False,
            collaboration_with="",
        )
    if status != ProcessStatus.DRAFT and not activities:
        # A fixture for tests that add their own activities: the status is set directly.
        Process.objects.filter(pk=process.pk).update(status=status)
    elif status != ProcessStatus.DRAFT:
        process = process_services.process_set_status(
            process=process, by=org.quality, version=None, status=ProcessStatus.ACTIVE
        )
    if status == ProcessStatus.RETIRED:
        process = process_services.process_set_status(
            process=process, by=org.quality, version=None, status=ProcessStatus.RETIRED
        )
    return Process.objects.get(pk=process.pk)
