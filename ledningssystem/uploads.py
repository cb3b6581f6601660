"""Checking uploaded files before they are stored.

The type is decided by the file's first bytes as well as its name, so a
renamed program is refused; the size and count are limited. Files are
always served as downloads (never shown inline) through an access check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_SIZE = 10 * 1024 * 1024
MAX_FILES = 5

_ZIP = (b"PK\x03\x04",)


@dataclass(frozen=True)
class FileKind:
    content_type: str
    signatures: tuple[bytes, ...]  # empty: plain text, checked by decoding


ALLOWED: dict[str, FileKind] = {
    ".pdf": FileKind("application/pdf", (b"%PDF-",)),
    ".jpg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": FileKind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".txt": FileKind("text/plain; charset=utf-8", ()),
}
ALLOWED_HELP = gettext_lazy("PDF, JPG, PNG, Word (docx), Excel (xlsx) or text; at most 5 files of 10 MB each.")


def check(upload: UploadedFile) -> str:
    """The content type to store, or ValidationError with a message for the person."""
    name = upload.name or ""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    kind = ALLOWED.get(suffix)
    if kind is None:
        raise forms.ValidationError(_("%(name)s: this kind of file cannot be attached.") % {"name": name})
    if upload.size > MAX_SIZE:
        raise forms.ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(MAX_SIZE)}
        )
    if upload.size == 0:
        raise forms.ValidationError(_("%(name)s is empty.") % {"name": name})
    head = upload.read(2048)
    upload.seek(0)
    if kind.signatures:
        if not any(head.startswith(signature) for signature in kind.signatures):
            raise forms.ValidationError(_("%(name)s is not the kind of file its name says.") % {"name": name})
    else:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character may be cut at the end of the sample.
            if exc.start < len(head) - 4:
                raise forms.ValidationError(_("%(name)s is not a text file.") % {"name": name}) from None
    return kind.content_type


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files, each checked with ``check``."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", ALLOWED_HELP)
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list[tuple[UploadedFile, str]]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES})
        checked = []
        errors = []
        for upload in files:
            upload = super().clean(upload, initial)
            try:
                checked.append((upload, check(upload)))
            except forms.ValidationError as exc:
                errors.append(exc)
        if errors:
            raise forms.ValidationError(errors)
        return checked
