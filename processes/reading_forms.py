"""Forms for read confirmations: asking for them, and confirming."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ledningssystem.forms import AppForm, DateInput
from processes.reading import MAX_MESSAGE_LENGTH


class ReadRequestForm(AppForm):
    due_on = forms.DateField(
        label=_("Confirm by"),
        required=False,
        widget=DateInput,
        help_text=_("Optional. The date by which everyone should have read it."),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Shown to those asked, e.g. what changed and why it matters."),
    )


class ConfirmForm(AppForm):
    """Only the double-submit token: confirming has nothing to fill in."""
