"""Forms for the organisation, and what every form in the product shares.

``AppForm`` renders fields the same way everywhere (labels, help text and
errors linked to the field for screen readers) and carries a one-time token
that stops a double submit from creating two objects. Forms only check
input; services do the writing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Permission
from django.core.validators import RegexValidator
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ledningssystem import access
from ledningssystem.models import Language, Role, Unit, User
from ledningssystem.models.organisation import UnitKind


class AppFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


_TOKEN_SESSION_KEY = "used_form_tokens"  # noqa: S105 - a session key, not a secret
_MAX_REMEMBERED_TOKENS = 50


class AppForm(forms.Form):
    """Base form: Bootstrap classes, and a token against double submits."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4().hex)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        # Tie each error message to its field for screen readers.
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            described = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                described.append(f"{bound.auto_id}_helptext")
            attrs = self.fields[name].widget.attrs
            attrs["aria-describedby"] = " ".join(described)
            attrs["aria-invalid"] = "true"
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def add_domain_error(self, error: Any) -> None:
        field = error.field if getattr(error, "field", None) in self.fields else None
        self.add_error(field, error.message)


def already_submitted(request: HttpRequest, form: AppForm) -> str | None:
    """The URL the first submission of this form led to, if it was sent before."""
    token = form.data.get("form_token") if form.is_bound else None
    if not token:
        return None
    return request.session.get(_TOKEN_SESSION_KEY, {}).get(token)


def remember_submission(request: HttpRequest, form: AppForm, redirect_to: str) -> None:
    token = form.data.get("form_token")
    if not token:
        return
    used: dict[str, str] = request.session.get(_TOKEN_SESSION_KEY, {})
    used[token] = redirect_to
    if len(used) > _MAX_REMEMBERED_TOKENS:
        used = dict(list(used.items())[-_MAX_REMEMBERED_TOKENS:])
    request.session[_TOKEN_SESSION_KEY] = used


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


_STALE = _("The page is out of date. Reload it and make your change again.")


class VersionedForm(AppForm):
    """Carries the version the person saw, so a concurrent change is detected."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": _STALE, "invalid": _STALE, "min_value": _STALE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "version" not in self.initial:  # a create form: nothing to compare with
            self.fields["version"].required = False


# --- Units -------------------------------------------------------------------


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order. The indent shows the tree to the eye; the name of
    the unit above says it in words, for screen readers and for units that
    share a name. The queryset should ``select_related("parent")``."""

    def label_from_instance(self, obj: Unit) -> str:
        indent = "\u2003" * (obj.depth - 1)
        above = f" ({obj.parent.name})" if obj.depth > 2 and obj.parent_id else ""
        return f"{indent}{obj.name}{above}"


class UnitForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    code = forms.CharField(
        label=_("Code"), max_length=30, required=False, help_text=_("Short identifier, e.g. the cost centre number.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name


class UnitSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or code"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *UnitKind.choices])
    inactive = forms.BooleanField(label=_("Include inactive"), required=False)


class UnitMoveForm(AppForm):
    parent = UnitChoiceField(label=_("New place: below"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = targets


# --- Roles -------------------------------------------------------------------


class CapabilityField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Permission) -> str:
        return str(access.CAPABILITY_LABELS.get(obj.codename, obj.name))


class RoleForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    slug = forms.SlugField(
        label=_("Identifier"),
        max_length=50,
        help_text=_("Lower-case letters, digits and hyphens; used in files and imports."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    permissions = CapabilityField(label=_("What the role may do"), queryset=Permission.objects.none(), required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = access.capability_permissions()
        if editing:
            self.fields["slug"].disabled = True
            self.fields["slug"].required = False

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name


# --- People ------------------------------------------------------------------

username_validator = RegexValidator(
    r"^[a-z0-9._-]+$", _("Use lower-case letters a–z, digits, dot, hyphen or underscore.")
)


class PersonFieldsForm(VersionedForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.SWEDISH)


class PersonCreateForm(PersonFieldsForm):
    username = forms.CharField(label=_("User name"), max_length=150, validators=[username_validator])
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty if the person logs in through single sign-on or gets a password later."),
    )
    role = forms.ModelChoiceField(label=_("First role"), queryset=Role.objects.none())
    unit = UnitChoiceField(label=_("At unit"), queryset=Unit.objects.none())
    start_date = forms.DateField(label=_("From"), widget=DateInput, initial=timezone.localdate)

    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "title",
        "phone",
        "language",
        "password",
        "role",
        "unit",
        "start_date",
    ]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.all()
        self.fields["unit"].queryset = units

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password = data.get("password")
        if password:
            from django.contrib.auth import password_validation

            probe = User(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
            )
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", pgettext_lazy("people filter", "Active")),
            ("inactive", pgettext_lazy("people filter", "Deactivated")),
            ("all", pgettext_lazy("people filter", "All")),
        ],
    )


class AssignmentForm(AppForm):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    start_date = forms.DateField(label=_("From"), widget=DateInput, initial=timezone.localdate)
    end_date = forms.DateField(label=_("To (optional)"), widget=DateInput, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.all()
        self.fields["unit"].queryset = units

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class AssignmentEndForm(AppForm):
    end_date = forms.DateField(label=_("Last day in the role"), widget=DateInput, initial=timezone.localdate)


class DeactivateForm(AppForm):
    successor = forms.ModelChoiceField(
        label=_("Successor"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Open work and, if you choose, the roles are handed to this person."),
    )
    transfer_roles = forms.BooleanField(label=_("Give the successor the same roles at the same units"), required=False)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = candidates

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("transfer_roles") and not data.get("successor"):
            self.add_error("successor", _("Choose a successor to hand the roles to."))
        return data


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class LoginForm(AppForm, AuthenticationForm):
    """The login form with the product's field rendering."""
