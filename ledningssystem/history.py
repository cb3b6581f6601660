"""Audit history helpers on top of django-simple-history.

Services save through ``save_tracked`` so every row in a history table says
who made the change and why (a stable reason code, shown translated).
Web requests also record the acting user through simple-history's
middleware; tasks and commands pass ``by`` explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Reason codes set by services → what the history page shows.
REASONS: dict[str, Any] = {
    "unit.created": _("Unit created"),
    "unit.updated": _("Unit updated"),
    "unit.moved": _("Unit moved to another place in the organisation"),
    "role.created": _("Role created"),
    "role.updated": _("Role updated"),
    "person.created": _("Person created"),
    "person.updated": _("Person updated"),
    "person.deactivated": _("Person deactivated"),
    "person.reactivated": _("Person reactivated"),
    "person.language_changed": _("Language changed"),
    "person.password_changed": _("Password changed"),
    "assignment.created": _("Role assigned"),
    "assignment.ended": _("Assignment ended"),
    "assignment.handed_over": _("Role handed over to successor"),
    "job.started": _("Job started"),
    "job.finished": _("Job finished"),
    "demo.loaded": _("Demo data loaded"),
}

# Models whose history can be opened at /history/<key>/<pk>/.
_HISTORY_MODELS: dict[str, type[models.Model]] = {}


def register_history(key: str, model: type[models.Model]) -> None:
    _HISTORY_MODELS[key] = model


def history_model(key: str) -> type[models.Model] | None:
    return _HISTORY_MODELS.get(key)


def history_key_for(obj: models.Model) -> str | None:
    for key, model in _HISTORY_MODELS.items():
        if isinstance(obj, model):
            return key
    return None


# How a related object is named in a change list, where str() is not for people.
RELATED_LABELS: dict[type[models.Model], Any] = {}


def save_tracked(instance: models.Model, *, by: Any, reason: str, **save_kwargs: Any) -> None:
    """Save ``instance`` with the acting person and reason in its history row."""
    if reason not in REASONS:
        raise ValueError(f"Unknown history reason {reason!r}: add it to history.REASONS")
    instance._history_user = by if getattr(by, "is_authenticated", False) else None  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save(**save_kwargs)


def reason_label(code: str | None) -> str:
    if not code:
        return ""
    label = REASONS.get(code)
    return str(label) if label else code


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: Any
    who: Any
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _display(model: type[models.Model], field_name: str, value: Any, related: dict[tuple[str, Any], str]) -> str:
    if value is None or value == "":
        return "–"
    try:
        f = model._meta.get_field(field_name)
    except Exception:
        return str(value)
    if isinstance(value, list):  # many-to-many, as simple-history reports it
        names = [related.get((field_name, _related_pk(f, v)), "") for v in value]
        return ", ".join(sorted(n for n in names if n)) or "–"
    if f.is_relation:
        return related.get((field_name, value), f"#{value}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(f, models.DateTimeField):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(f, models.DateField):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


HIDDEN_FIELDS = {"version", "path", "depth", "numchild", "access_synced_on", "id"}


def entries(model: type[models.Model], records: list[Any], previous: Any | None) -> list[Entry]:
    """Turn a page of historical records (newest first) into readable entries.

    ``previous`` is the record just older than the page, so the last entry
    on a page can still show what changed. Related names are fetched in one
    query per related model, not one per cell.
    """
    pairs = []
    chain = [*records, previous] if previous is not None else list(records)
    for i, record in enumerate(records):
        older = chain[i + 1] if i + 1 < len(chain) else None
        delta = record.diff_against(older) if older is not None else None
        pairs.append((record, delta))

    wanted: dict[str, set[Any]] = {}
    for _record, delta in pairs:
        if delta is None:
            continue
        for change in delta.changes:
            f = _field(model, change.field)
            if f is not None and f.is_relation:
                for value in (change.old, change.new):
                    for v in value if isinstance(value, list) else [value]:
                        pk = _related_pk(f, v)
                        if pk is not None:
                            wanted.setdefault(change.field, set()).add(pk)
    related: dict[tuple[str, Any], str] = {}
    for field_name, pks in wanted.items():
        f = _field(model, field_name)
        target = f.related_model
        label = RELATED_LABELS.get(target, str)
        for obj in target._default_manager.filter(pk__in=pks):
            related[(field_name, obj.pk)] = label(obj)

    result = []
    for record, delta in pairs:
        entry = Entry(
            when=record.history_date,
            who=record.history_user,
            kind=record.history_type,
            reason=reason_label(record.history_change_reason),
        )
        if delta is not None:
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                f = _field(model, change.field)
                label = str(f.verbose_name) if f is not None else change.field
                entry.changes.append(
                    Change(
                        label=label.capitalize(),
                        old=_display(model, change.field, change.old, related),
                        new=_display(model, change.field, change.new, related),
                    )
                )
        result.append(entry)
    return result


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _related_pk(f: Any, value: Any) -> Any:
    # simple-history reports many-to-many values as {"<source>": id, "<target>": id}
    if isinstance(value, dict):
        return value.get(f.related_model._meta.model_name)
    return value
