from __future__ import annotations

import textwrap

import pytest

from requirements.loader import parse_catalogue
from requirements.services import catalogue_import


def framework_yaml(requirements: str = "", *, code: str = "TEST 2026:1", version: str = "1", extra: str = "") -> str:
    """A small valid framework file; ``requirements`` replaces the chapter's list."""
    body = requirements or textwrap.dedent(
        """\
        - id: "1:1"
          reference: "1 kap. 1 §"
          title: "Ledningssystem ska finnas"
          summary: "Huvudmannen ska ha ett ledningssystem för klagomål och avvikelser."
          kind: regulation
          applies_to: [social_services, lss]
          source_url: "https://example.se/test"
          verified: true
        - id: "1:1-AR"
          reference: "1 kap. 1 § (allmänna råd)"
          title: "Kvalitetsberättelse"
          summary: "Huvudmannen bör skriva en årlig kvalitetsberättelse."
          kind: general_advice
          applies_to: [social_services]
          source_url: "https://example.se/test"
          verified: false
        """
    )
    return textwrap.dedent(
        f"""\
            format: 1
            framework:
              code: "{code}"
              title: "Testföreskrifter"
              issuer: "Testmyndigheten"
              in_force_from: 2026-01-01
              source_url: "https://example.se/test"
              version: "{version}"
            {extra}sections:
              - key: "1"
                reference: "1 kap."
                title: "Allmänt"
                requirements:
            """
    ) + textwrap.indent(body, " " * 6)


@pytest.fixture
def imported(db):
    """Import a framework file (text) as the command line would."""

    def run(text: str, by=None):
        return catalogue_import(parsed=parse_catalogue(text), by=by, text=text)

    return run
