"""A tiny harness so each view's access rules are one readable table.

    MatrixRow("unit_detail", args=lambda o: [o.unit_a.pk],
              expect=statuses(200, staff_b=404, manager_b=404))

``statuses(default, **overrides)`` fills in every persona; anonymous
visitors default to a redirect to the login page (302).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from tests.conftest import PERSONAS


def statuses(default: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    unknown = set(overrides) - set(PERSONAS)
    if unknown:
        raise ValueError(f"Unknown personas: {unknown}")
    table = dict.fromkeys(PERSONAS, default)
    table["anonymous"] = anonymous
    table.update(overrides)
    return table


def only(allowed: int, who: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    table = {p: (allowed if p in who else others) for p in PERSONAS}
    table["anonymous"] = anonymous
    return table


@dataclass
class MatrixRow:
    name: str
    args: Callable[[Any], list[Any]] = lambda org: []
    expect: dict[str, int] = field(default_factory=dict)
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] = lambda org: {}
    query: str = ""
    label: str = ""
    setup: Callable[[Any], Any] | None = None

    @property
    def id(self) -> str:
        return f"{self.name}{'[' + self.label + ']' if self.label else ''}"


def cases(rows: list[MatrixRow]) -> list[tuple[MatrixRow, str]]:
    return [(row, persona) for row in rows for persona in PERSONAS]


def case_id(value: Any) -> str:
    return value.id if isinstance(value, MatrixRow) else str(value)


def check(row: MatrixRow, persona: str, org: Any, client_for: Callable[[str], Any]) -> None:
    extra = row.setup(org) if row.setup else None
    args = row.args(org) if extra is None else row.args((org, extra))
    url = reverse(row.name, args=args) + row.query
    client = client_for(persona)
    data = row.data(org) if extra is None else row.data((org, extra))
    response = getattr(client, row.method)(url, data) if row.method == "post" else client.get(url)
    expected = row.expect[persona]
    assert response.status_code == expected, (
        f"{persona} {row.method.upper()} {url}: expected {expected}, got {response.status_code}"
    )
