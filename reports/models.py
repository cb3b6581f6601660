"""The handbook ("Ledningssystem för systematiskt kvalitetsarbete"): its editable texts and every PDF made of it.

``HandbookText`` holds the prose a unit writes itself (introduction,
purpose, definition of quality, who adopted the handbook). A unit without
its own text uses the nearest text above it, and failing that a default
written into the product (reports/handbook.py).

``HandbookRendition`` is one produced PDF, kept for good: background job
results expire after a few days, renditions do not. The file is stored
privately and served through an access-checked view.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class HandbookTextKey(models.TextChoices):
    INTRODUCTION = "introduction", _("Introduction")
    PURPOSE = "purpose", _("Purpose")
    QUALITY_DEFINITION = "quality_definition", _("Definition of quality")
    ADOPTION = "adoption", _("Adopted by")


class HandbookText(models.Model):
    unit = models.ForeignKey(
        "ledningssystem.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="handbook_texts"
    )
    key = models.CharField(_("text"), max_length=30, choices=HandbookTextKey.choices)
    # Plain text: paragraphs separated by a blank line, lines starting with "- " are list items.
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(verbose_name=_("historical handbook text"))

    class Meta:
        verbose_name = _("handbook text")
        verbose_name_plural = _("handbook texts")
        ordering = ["unit__path", "key"]
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="handbook_text_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ({self.unit})"


def rendition_path(instance: HandbookRendition, filename: str) -> str:
    return f"handbooks/{instance.unit_id}/{filename}"


class HandbookRendition(models.Model):
    unit = models.ForeignKey(
        "ledningssystem.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="handbook_renditions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to=rendition_path)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    page_count = models.PositiveIntegerField(_("pages"), default=0)
    pdf_variant = models.CharField(_("PDF variant"), max_length=20, blank=True)
    job = models.ForeignKey(
        "ledningssystem.BackgroundJob",
        verbose_name=_("job"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(verbose_name=_("historical handbook rendition"))

    class Meta:
        verbose_name = _("handbook rendition")
        verbose_name_plural = _("handbook renditions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "-created_at"])]

    def __str__(self) -> str:
        return self.file_name
