"""A small quality management system on the shared cast's organisation, for the handbook tests.

Rows are made straight through the ORM: the handbook reads what is stored,
and the document workflow has its own tests.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

from django.utils import timezone

from ledningssystem.models import Role, Unit
from processes.models import Document, DocumentVersion, Process, ProcessActivity, ProcessStatus, VersionStatus
from requirements.models import (
    FocusArea,
    FocusAreaResponsibility,
    FollowUpMethod,
    Framework,
    Kind,
    Requirement,
    RoleResponsibility,
)

_numbers = itertools.count(1)


def role(slug: str) -> Role:
    return Role.objects.get(slug=slug)


def routine(
    org,
    title: str,
    *,
    applies_to: list[Unit],
    status: str = VersionStatus.APPROVED,
    owner_unit: Unit | None = None,
    owner_role: str = "enhetschef",
    next_review_on: datetime.date | None = None,
    decision_reference: str = "",
    requirements: list[Requirement] = (),
) -> Document:
    n = next(_numbers)
    document = Document.objects.create(
        identifier=f"RUT-T{n:04}",
        title=title,
        owner_role=role(owner_role),
        owner_unit=owner_unit or applies_to[0],
        next_review_on=next_review_on or timezone.localdate() + datetime.timedelta(days=200),
        created_by=org.quality,
    )
    document.applies_to.set(applies_to)
    document.requirements.set(requirements)
    approved = status == VersionStatus.APPROVED
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        status=status,
        title=title,
        body="<p>Text</p>",
        created_by=org.quality,
        approved_by=org.director if approved else None,
        approved_at=timezone.now() - datetime.timedelta(days=10) if approved else None,
        decision_reference=decision_reference,
    )
    if approved:
        document.current_version = version
        document.save(update_fields=["current_version"])
    return document


@dataclass
class Handbook:
    framework: Framework
    unused_framework: Framework
    areas: list[FocusArea]
    approved: list[Document]
    drafts: list[Document]
    elsewhere: list[Document] = field(default_factory=list)
    process: Process | None = None
    draft_process: Process | None = None


def build_handbook_data(org) -> Handbook:
    framework = Framework.objects.create(
        code="SOSFS TEST:9",
        title="Ledningssystem för testets kvalitetsarbete",
        issuer="Testmyndigheten",
        source_url="https://example.org/sosfs-test-9",
    )
    unused = Framework.objects.create(code="OANVÄND 1:1", title="Regler ingen hänvisar till", issuer="Ingen")
    requirement = Requirement.objects.create(
        framework=framework, identifier="t-1", reference="4 kap. 1 §", title="Processer", kind=Kind.REGULATION
    )
    Requirement.objects.create(
        framework=unused, identifier="u-1", reference="1 §", title="Oanvänt", kind=Kind.REGULATION
    )
    method, _created = FollowUpMethod.objects.get_or_create(code="egenkontroll", defaults={"name": "Egenkontroll"})
    areas = []
    for position, (key, title) in enumerate(
        [
            ("bemotande", "Bemötande i vardagen"),
            ("samverkan", "Samverkan med andra"),
            ("avvikelser", "Avvikelser och lärande"),
        ]
    ):
        area = FocusArea.objects.create(
            unit=org.administration,
            key=key,
            title=title,
            description=f"Beskrivning av {title.lower()}.",
            how="Rutiner ska finnas.\n- första punkten\n- andra punkten",
            follow_up="Följs upp årligen.",
            position=position,
        )
        area.follow_up_methods.add(method)
        FocusAreaResponsibility.objects.create(
            focus_area=area, role=role("enhetschef"), text="Ser till att rutinen följs."
        )
        areas.append(area)
    areas[0].requirements.add(requirement)
    # A focus area of another branch and an inactive one are not part of Sektion Ett's handbook.
    areas.append(FocusArea.objects.create(unit=org.section_2, key="bara-tva", title="Bara för Sektion Två"))
    areas.append(
        FocusArea.objects.create(unit=org.administration, key="nedlagt", title="Nedlagt område", is_active=False)
    )
    RoleResponsibility.objects.create(
        unit=org.administration, role=role("enhetschef"), text="Leder enheten (förvaltningens text)."
    )
    RoleResponsibility.objects.create(
        unit=org.section_1, role=role("enhetschef"), text="Leder enheten (sektionens egen text)."
    )
    RoleResponsibility.objects.create(
        unit=org.committee_unit, role=role("namnd"), text="Fastställer mål.\n\n- följer upp\n- beslutar"
    )
    today = timezone.localdate()
    approved = [
        routine(org, "Rutin för bemötande", applies_to=[org.unit_a], decision_reference="SN 2024-01-17 § 7"),
        routine(
            org, "Riktlinje för hela förvaltningen", applies_to=[org.administration], owner_role="kvalitetssamordnare"
        ),
        routine(
            org, "Rutin som är försenad", applies_to=[org.section_1], next_review_on=today - datetime.timedelta(days=3)
        ),
        routine(
            org, "Rutin för nämndens alla verksamheter", applies_to=[org.committee_unit], requirements=[requirement]
        ),
    ]
    drafts = [
        routine(org, "Hemligt utkast till rutin", applies_to=[org.unit_a], status=VersionStatus.DRAFT),
        routine(org, "Rutin under granskning", applies_to=[org.section_1], status=VersionStatus.IN_REVIEW),
    ]
    elsewhere = [routine(org, "Rutin för Enhet B", applies_to=[org.unit_b])]
    process = Process.objects.create(
        identifier="PR-T1",
        title="Process för avvikelsehantering",
        status=ProcessStatus.ACTIVE,
        owner_role=role("sektionschef"),
        owner_unit=org.section_1,
        created_by=org.quality,
    )
    process.applies_to.set([org.section_1])
    ProcessActivity.objects.create(process=process, position=1, title="Ta emot", responsible_role=role("enhetschef"))
    draft_process = Process.objects.create(
        identifier="PR-T2",
        title="Process som är utkast",
        status=ProcessStatus.DRAFT,
        owner_role=role("sektionschef"),
        owner_unit=org.section_1,
        created_by=org.quality,
    )
    draft_process.applies_to.set([org.section_1])
    return Handbook(framework, unused, areas, approved, drafts, elsewhere, process, draft_process)
