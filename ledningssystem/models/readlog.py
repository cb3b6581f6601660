from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReadPurpose(models.TextChoices):
    VIEWED = "viewed", _("Opened the record")
    ATTACHMENT = "attachment", _("Downloaded an attachment")
    HISTORY = "history", _("Opened the history")
    EXPORTED = "exported", _("Exported in a list")
    PDF = "pdf", _("Generated a PDF")


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove a read log entry."""


class ReadLogQuerySet(models.QuerySet["ReadLogEntry"]):
    # Bulk paths bypass Model.save()/delete(): close them too.
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Read log entries are never changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Read log entries are never deleted.")


class ReadLogEntry(models.Model):
    """One read of a sensitive record: who opened it, when and how.

    Rows go in through ``ledningssystem.readlog`` only, one INSERT per read
    (one per chunk for exports), and are never changed or deleted: this
    table *is* an audit log, so it has no django-simple-history table — a
    history of rows that never change would only double the storage.
    ``save()`` refuses to update an existing row and ``delete()`` (on a row
    or a queryset) refuses always; the person and content type are
    PROTECTed so that deleting them cannot cascade into the log; the model
    is not registered in the Django admin. Removing entries after a
    retention period is a deliberate database operation, not an app feature.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("read"), default=timezone.now, editable=False)
    purpose = models.CharField(_("purpose"), max_length=20, choices=ReadPurpose.choices)

    objects = ReadLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("read log entry")
        verbose_name_plural = _("read log entries")
        indexes = [models.Index(fields=["content_type", "object_id", "-read_at"], name="readlog_object_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose} {self.content_type_id}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Read log entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Read log entries are never deleted.")
