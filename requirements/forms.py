from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ledningssystem.forms import AppForm
from requirements.loader import MAX_FILE_BYTES
from requirements.models import ApplicationArea, Framework, Kind


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    framework = forms.ModelChoiceField(
        label=_("Framework"), queryset=Framework.objects.none(), required=False, empty_label=_("All frameworks")
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    area = forms.ModelChoiceField(
        label=_("Applies to"), queryset=ApplicationArea.objects.all(), required=False, empty_label=_("All areas")
    )

    def __init__(self, *args: Any, frameworks: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if frameworks is not None:
            self.fields["framework"].queryset = frameworks
        for name, f in self.fields.items():
            f.widget.attrs["class"] = "form-select" if name != "q" else "form-control"
        self.fields["q"].widget.attrs["type"] = "search"


class ImportForm(AppForm):
    file = forms.FileField(
        label=_("Framework file (YAML)"),
        help_text=_("A file in the format described in the documentation, at most 2 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large; the limit is %(mb)s MB.") % {"mb": MAX_FILE_BYTES // 1024 // 1024}
            )
        return upload


class ConfirmForm(AppForm):
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
