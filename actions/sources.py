"""What an action can come from. Each source app registers its model here.

A source says how it is named and linked, whether its actions are
restricted, what a new action on it needs (a deviation: at least one of its
identified causes), and what happens to it when one of its actions changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


@dataclass(frozen=True)
class SourceKind:
    model: type[models.Model]
    label: Callable[[Any], str]
    url: Callable[[Any], str]
    is_restricted: Callable[[Any], bool] = lambda obj: False
    # Called with (source, causes) before an action is created; raises DomainError.
    validate_new: Callable[[Any, Sequence[Any]], None] = _nothing
    # Called with (source, by) inside the transaction after any change to one of its actions.
    changed: Callable[[Any, Any], None] = _nothing
    extra: dict[str, Any] = field(default_factory=dict)


_SOURCES: dict[type[models.Model], SourceKind] = {}


def register_source(kind: SourceKind) -> None:
    _SOURCES[kind.model] = kind


def source_kind(obj_or_model: Any) -> SourceKind:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    model = model._meta.concrete_model
    if model not in _SOURCES:
        raise LookupError(f"{model.__name__} is not registered as an action source")
    return _SOURCES[model]
