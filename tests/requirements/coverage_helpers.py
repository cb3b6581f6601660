"""Routines, processes and a two-chapter framework made with the ORM, for the coverage tests.

The document and process pages live on other branches; these tests only
need rows in the tables, with an approved version in force or a draft.
"""

from __future__ import annotations

import datetime
import itertools
import textwrap
from collections.abc import Iterable

from django.utils import timezone

from ledningssystem.models import Role, Unit, User
from processes.models import Document, DocumentVersion, Process, ProcessStatus, VersionStatus
from requirements.loader import parse_catalogue
from requirements.models import Framework, Requirement
from requirements.services import catalogue_import

_numbers = itertools.count(1)


def matrix_framework_yaml(code: str = "MATRIS 2026:1", extra_requirements: int = 0) -> str:
    """Chapter 1 with two regulations and one piece of advice, chapter 2 with one regulation."""
    extra = "".join(
        textwrap.dedent(
            f"""\
            - id: "2:x{i}"
              reference: "2 kap. {i + 10} §"
              title: "Extra krav {i}"
              summary: "Ett krav till."
              kind: regulation
              applies_to: [social_services]
              source_url: "https://example.se/matris"
              verified: true
            """
        )
        for i in range(extra_requirements)
    )
    return textwrap.dedent(
        f"""\
        format: 1
        framework:
          code: "{code}"
          title: "Testföreskrifter för täckning"
          issuer: "Testmyndigheten"
          in_force_from: 2026-01-01
          source_url: "https://example.se/matris"
          version: "1"
        sections:
          - key: "1"
            reference: "1 kap."
            title: "Rutiner"
            requirements:
              - id: "1:1"
                reference: "1 kap. 1 §"
                title: "Rutin för avvikelser"
                summary: "Det ska finnas en rutin."
                kind: regulation
                applies_to: [social_services]
                source_url: "https://example.se/matris"
                verified: true
              - id: "1:2"
                reference: "1 kap. 2 §"
                title: "Rutin för klagomål"
                summary: "Det ska finnas en rutin."
                kind: regulation
                applies_to: [social_services]
                source_url: "https://example.se/matris"
                verified: true
              - id: "1:2-AR"
                reference: "1 kap. 2 § (allmänna råd)"
                title: "Råd om klagomål"
                summary: "Det bör finnas en broschyr."
                kind: general_advice
                applies_to: [social_services]
                source_url: "https://example.se/matris"
                verified: true
          - key: "2"
            reference: "2 kap."
            title: "Uppföljning"
            requirements:
              - id: "2:1"
                reference: "2 kap. 1 §"
                title: "Egenkontroll"
                summary: "Verksamheten ska följas upp."
                kind: regulation
                applies_to: [social_services]
                source_url: "https://example.se/matris"
                verified: true
        """
    ) + textwrap.indent(extra, " " * 6)


def import_framework(text: str | None = None) -> Framework:
    text = text or matrix_framework_yaml()
    parsed = parse_catalogue(text)
    catalogue_import(parsed=parsed, by=None, text=text)
    return Framework.objects.get(code=parsed.framework.code)


def req(framework: Framework, identifier: str) -> Requirement:
    return Requirement.objects.get(framework=framework, identifier=identifier)


def make_routine(
    title: str,
    *,
    owner_unit: Unit,
    applies: Iterable[Unit],
    requirements: Iterable[Requirement] = (),
    by: User,
    approved: bool = True,
    draft: bool = False,
    next_review: datetime.date | None = None,
    owner_role: str = "kvalitetssamordnare",
) -> Document:
    n = next(_numbers)
    document = Document.objects.create(
        identifier=f"RUT-{n:05d}",
        title=title,
        owner_role=Role.objects.get(slug=owner_role),
        owner_unit=owner_unit,
        created_by=by,
        next_review_on=next_review,
    )
    document.applies_to.set(list(applies))
    document.requirements.set(list(requirements))
    number = 0
    if approved:
        number += 1
        version = DocumentVersion.objects.create(
            document=document,
            number=number,
            status=VersionStatus.APPROVED,
            title=title,
            created_by=by,
            approved_by=by,
            approved_at=timezone.now(),
        )
        document.current_version = version
        document.save()
    if draft:
        number += 1
        DocumentVersion.objects.create(
            document=document, number=number, status=VersionStatus.DRAFT, title=title, created_by=by
        )
    return document


def make_process(
    title: str,
    *,
    owner_unit: Unit,
    applies: Iterable[Unit],
    requirements: Iterable[Requirement] = (),
    by: User,
    status: str = ProcessStatus.ACTIVE,
) -> Process:
    n = next(_numbers)
    process = Process.objects.create(
        identifier=f"PRO-{n:05d}",
        title=title,
        status=status,
        owner_role=Role.objects.get(slug="sektionschef"),
        owner_unit=owner_unit,
        created_by=by,
    )
    process.applies_to.set(list(applies))
    process.requirements.set(list(requirements))
    return process
