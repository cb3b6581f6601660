"""Forms for processes and their activities. They check input only; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ledningssystem.forms import AppForm, UnitChoiceField, VersionedForm
from ledningssystem.models import Role, Unit
from processes.models import Document, ProcessStatus
from requirements.models import FocusArea, Requirement

EM_SPACE = "\u2003"


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return EM_SPACE * (obj.depth - 1) + obj.name


class RequirementsField(forms.ModelMultipleChoiceField):
    """Binding requirements and advice say which they are in the option text, not by colour."""

    def label_from_instance(self, obj: Requirement) -> str:
        kind = _("binding") if obj.is_binding else _("advice")
        return f"{obj.framework.code} {obj.reference} – {obj.title} ({kind})"


class RoutinesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.identifier} {obj.title}"


def _clean_text(value: str, message: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise forms.ValidationError(message)
    return value


class ProcessForm(VersionedForm):
    identifier = forms.CharField(
        label=_("Identifier"), max_length=50, help_text=_('A short code, for example "PR-01". Cannot be changed later.')
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the process achieves and for whom."),
    )
    owner_role = forms.ModelChoiceField(label=_("Owner (role)"), queryset=Role.objects.none())
    owner_unit = UnitChoiceField(label=_("Owner (unit)"), queryset=Unit.objects.none())
    applies_to = UnitsField(
        label=_("Applies to"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The units it applies to, with the units below them. Hold Ctrl to choose several."),
    )
    requirements = RequirementsField(
        label=_("Requirements it answers"),
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas"),
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(
        self,
        *args: Any,
        owner_units: Any,
        units: Any,
        requirements: Any,
        focus_areas: Any,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_role"].queryset = Role.objects.all()
        self.fields["owner_unit"].queryset = owner_units
        self.fields["applies_to"].queryset = units
        self.fields["requirements"].queryset = requirements
        self.fields["focus_areas"].queryset = focus_areas
        if editing:
            self.fields["identifier"].disabled = True
            self.fields["identifier"].required = False

    def clean_identifier(self) -> str:
        if self.fields["identifier"].disabled:
            return self.initial.get("identifier", "")
        return _clean_text(self.cleaned_data["identifier"], _("Enter an identifier."))

    def clean_title(self) -> str:
        return _clean_text(self.cleaned_data["title"], _("Enter a title."))


class ActivityForm(VersionedForm):
    title = forms.CharField(label=_("Activity"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_role = forms.ModelChoiceField(
        label=_("Responsible role"), queryset=Role.objects.none(), required=False, empty_label=_("No role chosen")
    )
    routines = RoutinesField(
        label=_("Governing routines"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The routines that say how the activity is done. Hold Ctrl to choose several."),
    )
    needs_collaboration = forms.BooleanField(
        label=_("Needs collaboration with other units or external parties"), required=False
    )
    collaboration_with = forms.CharField(
        label=_("Collaboration with"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Other units or external parties, e.g. the region, Försäkringskassan, the school."),
    )

    def __init__(self, *args: Any, routines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_role"].queryset = Role.objects.all()
        self.fields["routines"].queryset = routines

    def clean_title(self) -> str:
        return _clean_text(self.cleaned_data["title"], _("Enter what the activity is."))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("needs_collaboration") and not (data.get("collaboration_with") or "").strip():
            self.add_error("collaboration_with", _("Say with whom the activity needs collaboration."))
        return data


class StepForm(AppForm):
    """Move, delete or change status: only the version the person saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProcessFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *ProcessStatus.choices]
    )
    owner_unit = forms.ModelChoiceField(
        label=_("Owner unit"), required=False, queryset=Unit.objects.none(), empty_label=_("All units")
    )

    def __init__(self, *args: Any, owner_units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = owner_units
        self.fields["q"].widget.attrs["class"] = "form-control"
        for name in ("status", "owner_unit"):
            self.fields[name].widget.attrs["class"] = "form-select"
