"""The statistics page's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledningssystem.forms import AppForm, UnitChoiceField, VersionedForm
from ledningssystem.models import Unit

FIRST_YEAR = 2000


class StatisticsForm(forms.Form):
    """Unit (within the person's scope) and year. Each filter is checked on its own."""

    unit = UnitChoiceField(
        label=_("Unit"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("All my units"),
        error_messages={"invalid_choice": _("Choose one of the units in the list.")},
        help_text=_("The figures include every unit below the one you choose."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        error_messages={"invalid": _("Enter a year with four digits, for example 2025.")},
        help_text=_("Compared with the year before."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["year"].widget.attrs.update(
            {"inputmode": "numeric", "min": FIRST_YEAR, "max": timezone.localdate().year}
        )
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["aria-describedby"] = f"id_{name}_helptext"

    def clean_year(self) -> int | None:
        year = self.cleaned_data.get("year")
        last = timezone.localdate().year
        if year is not None and not FIRST_YEAR <= year <= last:
            raise forms.ValidationError(
                _("Choose a year from %(first)s to %(last)s."), params={"first": FIRST_YEAR, "last": last}
            )
        return year

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-describedby"] = f"id_{name}_error id_{name}_helptext"
                attrs["aria-invalid"] = "true"
                attrs["class"] = f"{attrs.get('class', '')} is-invalid"


# --- The handbook --------------------------------------------------------------


class HandbookUnitForm(forms.Form):
    """Which unit's handbook to look at (a GET form)."""

    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the units in the list.")},
        help_text=_("The handbook covers the unit, the units below it, and what applies from above."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].widget.attrs.update({"class": "form-select", "aria-describedby": "id_unit_helptext"})


class HandbookStartForm(AppForm):
    """Start producing the handbook of a unit; the token stops a double click from starting two jobs."""

    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose a unit you may produce the handbook for."),
            "invalid_choice": _("Choose a unit you may produce the handbook for."),
        },
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class HandbookTextForm(VersionedForm):
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            'Plain text. Separate paragraphs with a blank line; start a line with "- " for a bulleted list. '
            "Leave empty to use the text from the unit above, or the standard text."
        ),
    )
