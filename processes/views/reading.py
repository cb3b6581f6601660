"""Read confirmations: what I owe, confirming, asking, and progress per unit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ledningssystem import access
from ledningssystem.views.common import paginate, submit
from processes import reading
from processes.models import DocumentVersion, ReadRequest
from processes.reading_forms import ConfirmForm, ReadRequestForm


def _version(request: HttpRequest, document_pk: int, version_pk: int, action: str) -> DocumentVersion:
    versions = DocumentVersion.objects.select_related("document").filter(document_id=document_pk)
    return access.get_for_user(request.user, versions, version_pk, action)


def _next(request: HttpRequest, fallback: str) -> str:
    """Back to the page the form was on (the document page), when that address is ours."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def reading_mine(request: HttpRequest) -> HttpResponse:
    """Everything I have been asked to confirm that I have read."""
    page = paginate(request, reading.owed_by(request.user))
    return render(request, "processes/reading_mine.html", {"page": page, "items": reading.owed_items(page.object_list)})


@require_http_methods(["GET", "POST"])
def reading_confirm(request: HttpRequest, document_pk: int, version_pk: int) -> HttpResponse:
    version = _version(request, document_pk, version_pk, "view")
    form = ConfirmForm(request.POST if request.method == "POST" else None)

    def save(_data: dict[str, Any]) -> tuple[str, str]:
        reading.read_confirm(version=version, by=request.user)
        return _next(request, reading.confirm_url(version)), _("Thank you: your read confirmation was saved.")

    if request.method == "POST":
        if not access.can(request.user, version, "confirm_reading"):
            raise PermissionDenied
        if response := submit(request, form, save):
            return response
    read_request = ReadRequest.objects.filter(version=version).select_related("requested_by").first()
    return render(
        request,
        "processes/reading_confirm.html",
        {
            "version": version,
            "document": version.document,
            "read_request": read_request,
            "document_url": reading.document_url(version.document),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def reading_request(request: HttpRequest, document_pk: int, version_pk: int) -> HttpResponse:
    version = _version(request, document_pk, version_pk, "request_reading")
    form = ReadRequestForm(request.POST if request.method == "POST" else None)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        reading.read_request_create(version=version, by=request.user, due_on=data["due_on"], message=data["message"])
        return (
            _next(request, reading.progress_url(version)),
            _("Read confirmations were asked for. Everyone in scope has been told."),
        )

    if response := submit(request, form, save):
        return response
    existing = ReadRequest.objects.filter(version=version).select_related("requested_by").first()
    return render(
        request,
        "processes/reading_request.html",
        {"version": version, "document": version.document, "form": form, "existing": existing},
    )


def reading_progress(request: HttpRequest, document_pk: int, version_pk: int) -> HttpResponse:
    version = _version(request, document_pk, version_pk, "reading_progress")
    read_request = ReadRequest.objects.filter(version=version).select_related("requested_by").first()
    progress = reading.progress_for_user(request.user, version) if read_request else None
    return render(
        request,
        "processes/reading_progress.html",
        {
            "version": version,
            "document": version.document,
            "read_request": read_request,
            "progress": progress,
            "document_url": reading.document_url(version.document),
        },
    )
