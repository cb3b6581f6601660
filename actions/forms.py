from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from actions.models import EffectResult
from ledningssystem.forms import AppForm, DateInput, VersionedForm
from ledningssystem.models import User


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class ActionForm(VersionedForm):
    title = forms.CharField(label=_("What will be done"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none(), help_text=_("Who sees it through."))
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    effect_planned_on = forms.DateField(
        label=_("Follow up the effect on"),
        required=False,
        widget=DateInput,
        help_text=_("When you will look at whether the action worked."),
    )
    effect_measure = forms.CharField(
        label=_("How the effect will be measured"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: no repeated missed doses in the next three months' reports."),
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class CauseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.category.name}: {obj.description[:120]}"


class SourceActionForm(ActionForm):
    """A new action on a source that has causes (a deviation)."""

    causes = CauseChoiceField(
        label=_("Causes it addresses"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the cause or causes the action addresses.")},
    )

    def __init__(self, *args: Any, causes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["causes"].queryset = causes
        self.order_fields(["title", "causes"])


class StepForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}))


class EffectForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("Did it work?"), choices=EffectResult.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was measured and what it showed. Required unless the action was effective."),
    )


class ActionFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("open", _("Open")), ("overdue", _("Overdue")), ("effect", _("Effect to record")), ("all", _("All"))],
    )
    whose = forms.ChoiceField(
        label=_("Whose"),
        required=False,
        choices=[("mine", _("Mine")), ("scope", _("In my units"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
