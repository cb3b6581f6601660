"""Forms for controlled documents. They only check input; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ledningssystem.forms import AppForm, DateInput, UnitChoiceField, VersionedForm
from ledningssystem.models import Role, Unit
from ledningssystem.uploads import MultipleFileField
from processes.documents import MAX_BODY_CHARS, MAX_INTERVAL_MONTHS, MAX_NOTE_CHARS, MAX_TITLE_CHARS
from processes.models import DocumentKind
from requirements.models import FocusArea, Requirement


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        indent = "\u2003" * (obj.depth - 1)
        return f"{indent}{obj.name}"


class RequirementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Requirement) -> str:
        return f"{obj.framework.code} {obj.reference} – {obj.title}"


class FocusAreaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: FocusArea) -> str:
        return f"{obj.title} ({obj.unit.name})"


class RichTextarea(forms.Textarea):
    """A textarea the editor script enhances; without the script it is a plain HTML field."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"rows": 14, "data-richtext": "true", **(attrs or {})})


class DraftFieldsMixin(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_CHARS)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_BODY_CHARS,
        widget=RichTextarea,
        help_text=_("Headings, bold, italics, lists and links. Anything else is removed when saved."),
    )
    change_note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A line for readers and the approver, e.g. what is new in this version."),
    )


class MetadataFieldsMixin(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    owner_role = forms.ModelChoiceField(label=_("Owner (role)"), queryset=Role.objects.none())
    owner_unit = UnitChoiceField(label=_("Owner (unit)"), queryset=Unit.objects.none())
    applies_to = UnitMultipleChoiceField(
        label=_("Applies to"),
        queryset=Unit.objects.none(),
        help_text=_("The units it applies to, with the units below them. Hold Ctrl to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    review_interval_months = forms.IntegerField(
        label=_("Review interval (months)"), min_value=1, max_value=MAX_INTERVAL_MONTHS, initial=12
    )
    requirements = RequirementChoiceField(
        label=_("Requirements it answers"),
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    focus_areas = FocusAreaChoiceField(
        label=_("Focus areas"),
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def setup_choices(self, *, owner_units: Any, focus_areas: Any) -> None:
        self.fields["owner_role"].queryset = Role.objects.order_by("sort_order", "name")
        self.fields["owner_unit"].queryset = owner_units.select_related("parent")
        self.fields["applies_to"].queryset = Unit.objects.filter(is_active=True).order_by("path")
        self.fields["requirements"].queryset = (
            Requirement.objects.active().select_related("framework").order_by("framework__code", "position")
        )
        self.fields["focus_areas"].queryset = focus_areas.select_related("unit")


class DocumentCreateForm(AppForm, DraftFieldsMixin, MetadataFieldsMixin):
    field_order = [
        "kind",
        "title",
        "owner_role",
        "owner_unit",
        "applies_to",
        "review_interval_months",
        "body",
        "change_note",
        "requirements",
        "focus_areas",
    ]

    def __init__(self, *args: Any, owner_units: Any, focus_areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_choices(owner_units=owner_units, focus_areas=focus_areas)
        self.order_fields(self.field_order)


class DocumentMetadataForm(VersionedForm, MetadataFieldsMixin):
    def __init__(self, *args: Any, owner_units: Any, focus_areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_choices(owner_units=owner_units, focus_areas=focus_areas)
        self.fields["review_interval_months"].help_text = _("Counts from the next approval or review.")


class DraftForm(VersionedForm, DraftFieldsMixin):
    """The draft's text; ``version`` carries the version's lock_version."""


class StepForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ApproveForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision_reference = forms.CharField(
        label=_("Decision reference"), max_length=200, help_text=_('For example "SN 2024-01-17 § 7".')
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput, required=False, help_text=_("Empty: today."))


class WithdrawForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why is it withdrawn?"), max_length=MAX_NOTE_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttachmentForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    files = MultipleFileField(label=_("Files"))


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search title or identifier"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *DocumentKind.choices])
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("in_force", _("In force")),
            ("in_review", _("In review")),
            ("draft", _("Draft")),
            ("withdrawn", _("Withdrawn")),
        ],
    )
    owner_unit = forms.ModelChoiceField(
        label=_("Owner unit"), required=False, queryset=Unit.objects.none(), empty_label=_("All units")
    )
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)
    mine = forms.BooleanField(label=_("Owned by me"), required=False)

    def __init__(self, *args: Any, owner_units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = owner_units
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            else:
                field.widget.attrs["class"] = "form-control"
            field.widget.attrs.setdefault("id", f"filter-{name}")


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label=_("Older version"), coerce=int, choices=())
    b = forms.TypedChoiceField(label=_("Newer version"), coerce=int, choices=())

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, _("Version %(n)d") % {"n": n}) for n in numbers]
        for field in self.fields.values():
            field.choices = choices
            field.widget.attrs["class"] = "form-select"
