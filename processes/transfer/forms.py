"""Forms of the handbook transfer: upload, confirmation, export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ledningssystem.forms import AppForm, UnitChoiceField
from ledningssystem.models import Unit
from processes.models import TransferFormat
from processes.transfer.reading import MAX_FILE_BYTES


class UploadForm(AppForm):
    unit = UnitChoiceField(
        label=_("Unit the handbook belongs to"),
        queryset=Unit.objects.none(),
        help_text=_("Focus areas and role responsibilities are defined here; routines are owned here or below."),
    )
    file = forms.FileField(
        label=_("Handbook file (YAML or Excel)"),
        help_text=_("A file in the format described in the documentation, or the Excel template; at most 5 MB."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.select_related("parent").order_by("path")
        self.fields["file"].widget.attrs["accept"] = ".yaml,.yml,.xlsx"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large; the limit is %(mb)s MB.") % {"mb": MAX_FILE_BYTES // 1024 // 1024}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class ConfirmForm(AppForm):
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ExportForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    format = forms.ChoiceField(choices=TransferFormat.choices)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.select_related("parent").order_by("path")
        self.fields["unit"].widget.attrs["class"] = "form-select"
