"""Forms for focus areas, role responsibilities and the coverage matrix."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ledningssystem.forms import AppForm, UnitChoiceField, VersionedForm
from ledningssystem.models import Role
from requirements.coverage import KIND_ADVICE, KIND_BINDING, STATUS_LABELS, STATUSES
from requirements.focus import MAX_TEXT
from requirements.models import FollowUpMethod, Framework, Requirement, Section


def _text(label: Any, help_text: Any = "", rows: int = 4, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class RequirementPickerField(forms.ModelMultipleChoiceField):
    """Requirements chosen by checkbox; the template groups them by framework with a filter box."""

    widget = forms.MultipleHiddenInput  # rendered by hand in requirements/_requirement_picker.html

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Requirement.objects.none(), **kwargs)
        self.error_messages["invalid_choice"] = _("A chosen requirement no longer exists. Reload the page.")
        self.error_messages["invalid_pk_value"] = _("A chosen requirement no longer exists. Reload the page.")


class FocusAreaForm(VersionedForm):
    key = forms.SlugField(
        label=_("Key"),
        max_length=100,
        help_text=_("Lower-case letters, digits and hyphens; stable for import and export."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = _text(_("Description"), _("What the area is about and why it matters."))
    how = _text(_("How"), _("What the routines and processes must ensure, one point a line."), rows=6)
    follow_up = _text(_("Follow-up"), _("How the area is followed up, one point a line."))
    follow_up_methods = forms.ModelMultipleChoiceField(
        label=_("Follow-up methods"),
        queryset=FollowUpMethod.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requirements = RequirementPickerField(label=_("Requirements it answers"), required=False)

    def __init__(self, *args: Any, roles: list[Role], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles = roles
        self.fields["follow_up_methods"].queryset = FollowUpMethod.objects.filter(is_active=True)
        self.fields["requirements"].queryset = Requirement.objects.active()
        for role in roles:
            self.fields[f"resp_{role.pk}"] = _text(role.name, rows=2)
        if editing:
            self.fields["key"].disabled = True
            self.fields["key"].required = False

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Enter a title."))
        return title

    def responsibility_fields(self) -> list[forms.BoundField]:
        return [self[f"resp_{role.pk}"] for role in self.roles]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("key", "title", "description", "how", "follow_up")]


class DeactivateForm(VersionedForm):
    pass


class ResponsibilityForm(VersionedForm):
    text = _text(
        _("Responsible for"),
        _("One point a line. Leave empty to remove the text here; then the level above applies."),
        rows=8,
    )


class UnitPickForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=None, empty_label=None)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].widget.attrs["class"] = "form-select"


KIND_CHOICES = [("", _("Binding and advice")), (KIND_BINDING, _("Binding only")), (KIND_ADVICE, _("Advice only"))]


class CoverageFilterForm(forms.Form):
    unit = UnitChoiceField(label=_("Scope"), queryset=None, empty_label=None)
    framework = forms.ModelChoiceField(label=_("Framework"), queryset=Framework.objects.all(), empty_label=None)
    chapter = forms.ModelChoiceField(
        label=_("Chapter"), queryset=Section.objects.none(), required=False, empty_label=_("All chapters")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *((s, STATUS_LABELS[s]) for s in STATUSES)],
        required=False,
    )

    def __init__(self, *args: Any, units: Any, framework: Framework | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if framework is not None:
            self.fields["chapter"].queryset = Section.objects.filter(
                framework=framework, parent__isnull=True, is_active=True
            ).order_by("position")
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select"


class LinkForm(AppForm):
    target = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def clean_target(self) -> tuple[str, int]:
        value = self.cleaned_data["target"]
        kind, _sep, pk = value.partition(":")
        if kind not in {"document", "process"} or not pk.isdigit() or len(pk) > 12:
            raise forms.ValidationError(_("Choose a routine or process from the list."))
        return kind, int(pk)


class LinkSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search routines and processes"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
