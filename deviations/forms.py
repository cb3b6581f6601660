"""Forms for reporting and handling deviations. They check input only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deviations.models import (
    Assessment,
    Category,
    CauseCategory,
    Consequence,
    Deviation,
    EntryKind,
    InvestigationMethod,
    RecurrenceRisk,
    RequiredContent,
    Status,
)
from deviations.selectors import InboxFilter
from ledningssystem import personnummer
from ledningssystem.forms import AppForm, DateInput, UnitChoiceField, VersionedForm
from ledningssystem.models import Unit, User
from ledningssystem.uploads import MultipleFileField


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class LocalDateTimeField(forms.DateTimeField):
    """A local date and time that also accepts the hour that occurs twice when
    the clocks go back (the first occurrence is taken), and explains the hour
    that does not exist when they go forward."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            if exc.code != "ambiguous_timezone":
                raise
        import datetime

        naive = datetime.datetime.fromisoformat(str(value).strip())
        zone = timezone.get_current_timezone()
        first = naive.replace(tzinfo=zone, fold=0)
        if first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != naive:
            raise forms.ValidationError(
                _("That time did not exist: the clocks went forward an hour. Give the time after the change."),
                code="nonexistent",
            )
        return first


def _now_local() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


class ReportForm(AppForm):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    occurred_at = LocalDateTimeField(label=_("When did it happen?"), widget=DateTimeInput, initial=_now_local)
    description = forms.CharField(
        label=_("What happened?"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Describe the event. Do not write the client's name or personal identity number here."),
    )
    immediate_measures = forms.CharField(
        label=_("What was done at once?"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    consequence = forms.ChoiceField(
        label=_("Estimated consequence"),
        choices=Consequence.choices,
        widget=forms.RadioSelect,
    )
    client_affected = forms.BooleanField(label=_("A client is affected"), required=False)
    client_identity = forms.CharField(
        label=_("Client's name or personal identity number (if needed)"),
        max_length=200,
        required=False,
        help_text=_("Only those who handle the report see this field."),
    )
    attachments = MultipleFileField(label=_("Attachments (optional)"))
    is_lex_sarah = forms.BooleanField(
        label=_("This may be a missförhållande or a påtaglig risk för missförhållande (lex Sarah)"),
        required=False,
        help_text=_(
            "Choose this if a client has been, or could have been, harmed by how we acted or failed to act: "
            "for example abuse, neglect, disrespectful treatment or a decision or effort that was not carried "
            "out. You must report such things at once. The report then goes only to those who investigate "
            "lex Sarah cases."
        ),
    )
    personal_number_choice = forms.ChoiceField(
        label=_("The text looks like it contains a personal identity number"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("move", _("Move it to the client identity field (recommended)")),
            ("keep", _("It is not a personal identity number; keep the text as it is")),
        ],
    )

    field_order = [
        "unit",
        "occurred_at",
        "description",
        "immediate_measures",
        "category",
        "consequence",
        "client_affected",
        "client_identity",
        "is_lex_sarah",
        "personal_number_choice",
    ]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.found_numbers: list[str] = []

    @property
    def asks_about_personal_number(self) -> bool:
        return bool(self.found_numbers)

    def clean_occurred_at(self) -> Any:
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + timezone.timedelta(minutes=10):
            raise forms.ValidationError(_("The time it happened cannot be in the future."))
        if value.year < 2000:
            raise forms.ValidationError(_("Check the date."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        texts = [data.get("description", ""), data.get("immediate_measures", "")]
        numbers = sorted({n for text in texts for n in personnummer.find(text)})
        choice = data.get("personal_number_choice")
        if numbers and choice == "move":
            identity = ", ".join(filter(None, [data.get("client_identity", ""), *numbers]))
            if len(identity) > 200:
                self.add_error("client_identity", _("Shorten the client identity so the number fits (200 characters)."))
                return data
            marker = str(_("[personal identity number moved]"))
            data["description"] = personnummer.redact(data.get("description", ""), numbers, marker)
            data["immediate_measures"] = personnummer.redact(data.get("immediate_measures", ""), numbers, marker)
            data["client_identity"] = identity
            data["client_affected"] = True
        elif numbers and choice != "keep":
            self.found_numbers = numbers
            self.add_error(
                "personal_number_choice",
                _(
                    "The text seems to contain a personal identity number. Choose whether to move it to the "
                    "protected field."
                ),
            )
        return data


class TransitionForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    conclusion = forms.CharField(
        label=_("Conclusion"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AssignForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=User.objects.none())

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = candidates


class InboxForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), *Status.choices],
    )
    unit = UnitChoiceField(label=_("Unit"), required=False, queryset=Unit.objects.none())
    category = forms.ModelChoiceField(label=_("Category"), required=False, queryset=Category.objects.all())
    date_from = forms.DateField(label=_("Reported from"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Reported to"), required=False, widget=DateInput)
    lex_sarah = forms.ChoiceField(
        label=_("Lex Sarah"),
        required=False,
        choices=[("", _("All")), ("yes", _("Only lex Sarah")), ("no", _("Without lex Sarah"))],
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-reported_at", _("Newest first")),
            ("reported_at", _("Oldest first")),
            ("-occurred_at", _("When it happened")),
            ("unit", _("Unit")),
            ("status", _("Status")),
        ],
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            else:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def filters(self) -> InboxFilter:
        """The filters to apply: the valid ones (call ``is_valid()`` first).

        The inbox and its exports both build their filter here, so an export
        always holds exactly the rows the inbox lists.
        """
        data = getattr(self, "cleaned_data", {})
        return InboxFilter(
            status=data.get("status") or "",
            unit_id=data["unit"].pk if data.get("unit") else None,
            category_id=data["category"].pk if data.get("category") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            lex_sarah=data.get("lex_sarah") or "",
            sort=data.get("sort") or "-reported_at",
            overdue=bool(data.get("overdue")),
        )


class InvestigationForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    investigation_method = forms.ChoiceField(
        label=_("Method"), choices=[("", _("Choose…")), *InvestigationMethod.choices]
    )
    findings = forms.CharField(
        label=_("What the investigation found"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, in what order, and why. Date your sources in the text."),
    )
    recurrence_risk = forms.ChoiceField(
        label=_("Risk of recurrence"), choices=[("", _("Not assessed")), *RecurrenceRisk.choices], required=False
    )
    related = forms.ModelMultipleChoiceField(
        label=_("Earlier similar deviations"),
        queryset=Deviation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Reports of the same kind or at the same unit before this one."),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["related"].queryset = candidates
        self.fields["related"].label_from_instance = lambda d: (
            f"{d.reference} – {d.category.name}, {d.unit.name} ({d.get_status_display().lower()})"
        )


class CauseForm(AppForm):
    category = forms.ModelChoiceField(label=_("Kind of cause"), queryset=CauseCategory.objects.none())
    description = forms.CharField(
        label=_("Describe the cause"), max_length=2_000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CauseCategory.objects.filter(is_active=True)


class ProtectiveMeasuresForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    protective_measures = forms.CharField(
        label=_("What was done at once to protect the client"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EntryForm(AppForm):
    documented_on = forms.DateField(label=_("Documented on"), widget=DateInput)
    topic = forms.ChoiceField(label=_("What it shows"), choices=[("", _("Choose…")), *RequiredContent.choices])
    kind = forms.ChoiceField(label=_("Fact or assessment"), choices=EntryKind.choices, widget=forms.RadioSelect)
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Where it comes from, e.g. interview with the night staff 2026-03-02, the care record."),
    )
    text = forms.CharField(label=_("Entry"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))
    author_title = forms.CharField(label=_("Your title"), max_length=200)


class AssessmentForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assessment = forms.ChoiceField(label=_("Assessment"), choices=Assessment.choices, widget=forms.RadioSelect)
    assessment_reason = forms.CharField(
        label=_("Grounds for the assessment"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class IvoForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    notified_on = forms.DateField(label=_("Notified on"), widget=DateInput)
    reference = forms.CharField(
        label=_("IVO's reference"),
        max_length=50,
        required=False,
        help_text=_("Given in IVO's receipt; add it later if you do not have it yet."),
    )
    decided_by = PersonField(label=_("Who decided to notify IVO"), queryset=User.objects.none())

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_by"].queryset = candidates


class LearningForm(AppForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    learning = forms.CharField(
        label=_("What the organisation learns"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shared with the staff and taken into the year's summary of reports."),
    )


class DeviationSettingsForm(VersionedForm):
    close_requires_finished_actions = forms.BooleanField(
        label=_("A deviation closes only when its actions are done and their effect recorded"),
        required=False,
        help_text=_("Recommended. Turn off only if your organisation follows up effects elsewhere."),
    )
    receive_within_days = forms.IntegerField(label=_("Receive a report within (days)"), min_value=1, max_value=365)
    investigation_start_days = forms.IntegerField(
        label=_("Start investigating a lex Sarah report within (days)"),
        min_value=1,
        max_value=365,
        help_text=_("The law says without delay (utan dröjsmål) and names no days."),
    )
    ivo_notification_days = forms.IntegerField(
        label=_("Notify IVO within (days) of a serious assessment"),
        min_value=1,
        max_value=365,
        help_text=_("The law says as soon as possible (snarast) and names no days."),
    )
    action_due_soon_days = forms.IntegerField(
        label=_("Remind action owners (days before the due date)"), min_value=1, max_value=90
    )


class ExportForm(forms.Form):
    """Options of a list export; the filters come from the list's own querystring."""

    include_identity = forms.BooleanField(
        label=_("Include the client's identity (restricted, only for deviations you handle)"), required=False
    )
