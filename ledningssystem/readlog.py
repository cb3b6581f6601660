"""Who read a sensitive record: the registry and the one way to write the log.

Each app declares which of its records are sensitive and who may see their
read log (``register``); views and exports then call ``log_read`` (one
record) or ``log_reads`` (many, e.g. an export), which write one INSERT per
read — or one per batch — and nothing for records that are not sensitive.

    readlog.register(
        "deviation",
        Deviation,
        is_sensitive=lambda d: d.is_lex_sarah or d.has_client_identity,
        queryset=lambda: Deviation.objects.annotate(has_client_identity=...),
        may_view_log=lambda user, d: access.can(user, d, "handle"),
    )

The log page (``/read-log/<key>/<pk>/``) first asks the access module
whether the person may see the record at all (404 if not), then the
registered ``may_view_log`` (403 if not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from ledningssystem.models import ReadLogEntry, ReadPurpose

__all__ = [
    "ReadPurpose",
    "SensitiveKind",
    "entries_for",
    "is_sensitive",
    "kind_for",
    "log_read",
    "log_reads",
    "may_view_log",
    "read_log_key",
    "register",
    "sensitive_kind",
]

# Cached on the object so that the template asking again costs nothing.
_SENSITIVE_ATTR = "_readlog_is_sensitive"
BULK_BATCH_SIZE = 1000


@dataclass(frozen=True)
class SensitiveKind:
    key: str
    model: type[models.Model]
    # Decides on one loaded object; should use only loaded fields or
    # annotations from ``queryset`` so it costs no query.
    is_sensitive: Callable[[Any], bool]
    # Who may read the log of an object they can already see.
    may_view_log: Callable[[Any, Any], bool]
    # The queryset the log page fetches from (with the annotations
    # ``is_sensitive`` reads); the model's default manager if None.
    queryset: Callable[[], models.QuerySet[Any]] | None = None

    def base_queryset(self) -> models.QuerySet[Any]:
        return self.queryset() if self.queryset else self.model._default_manager.all()


_KINDS: dict[str, SensitiveKind] = {}


def register(
    key: str,
    model: type[models.Model],
    *,
    is_sensitive: Callable[[Any], bool],
    may_view_log: Callable[[Any, Any], bool],
    queryset: Callable[[], models.QuerySet[Any]] | None = None,
) -> None:
    """Declare ``model``'s sensitive records. Apps call this from ``AppConfig.ready``."""
    _KINDS[key] = SensitiveKind(key, model, is_sensitive, may_view_log, queryset)


def sensitive_kind(key: str) -> SensitiveKind | None:
    return _KINDS.get(key)


def kind_for(obj_or_model: Any) -> SensitiveKind | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for kind in _KINDS.values():
        if issubclass(model, kind.model):
            return kind
    return None


def is_sensitive(obj: models.Model) -> bool:
    """Is every read of ``obj`` to be logged? False for unregistered models."""
    cached = getattr(obj, _SENSITIVE_ATTR, None)
    if cached is not None:
        return cached
    kind = kind_for(obj)
    result = bool(kind and kind.is_sensitive(obj))
    setattr(obj, _SENSITIVE_ATTR, result)
    return result


def may_view_log(user: Any, obj: models.Model) -> bool:
    """May ``user`` (who can already see ``obj``) see who read it?"""
    kind = kind_for(obj)
    return bool(kind and user.is_authenticated and kind.may_view_log(user, obj))


def entries_for(obj: models.Model) -> models.QuerySet[ReadLogEntry]:
    """The reads of ``obj``, newest first, with the reader joined (no access check)."""
    return (
        ReadLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk)
        )
        .select_related("person")
        .order_by("-read_at", "-pk")
    )


def _entry(person: Any, obj: models.Model, purpose: str, now: Any) -> ReadLogEntry:
    return ReadLogEntry(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        person=person,
        read_at=now,
        purpose=purpose,
    )


def log_read(person: Any, obj: models.Model, purpose: str) -> bool:
    """Record that ``person`` read ``obj`` if it is sensitive (one INSERT).

    Returns whether a row was written. Content types are cached by Django
    after their first lookup, so a read costs exactly the INSERT.
    """
    if not person.is_authenticated or not is_sensitive(obj):
        return False
    _entry(person, obj, purpose, timezone.now()).save(force_insert=True)
    return True


def log_reads(person: Any, objs: Iterable[models.Model], purpose: str) -> int:
    """Record reads of the sensitive ones among ``objs`` (e.g. an export's rows).

    One INSERT per ``BULK_BATCH_SIZE`` sensitive objects; returns how many
    rows were written. The caller passes objects already loaded, with what
    ``is_sensitive`` needs, so deciding costs no query.
    """
    if not person.is_authenticated:
        return 0
    now = timezone.now()
    entries = [_entry(person, obj, purpose, now) for obj in objs if is_sensitive(obj)]
    if entries:
        ReadLogEntry.objects.bulk_create(entries, batch_size=BULK_BATCH_SIZE)
    return len(entries)


def read_log_key(obj: models.Model) -> str | None:
    kind = kind_for(obj)
    return kind.key if kind else None
