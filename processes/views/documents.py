"""Routine screens: the list, one document, its versions, the forms and the workflow steps.

Access is decided by ``ledningssystem.access`` (``processes/access_rules.py``):
documents the person may not see are 404, those they see but may not act
on are 403. Each view validates its form and calls one service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ledningssystem import access
from ledningssystem.services import DomainError
from ledningssystem.views.common import paginate, querystring_without_page, submit
from processes import access_rules, documents, selectors_documents
from processes.compare import compare_texts
from processes.forms_documents import (
    ApproveForm,
    AttachmentForm,
    CompareForm,
    DocumentCreateForm,
    DocumentFilterForm,
    DocumentMetadataForm,
    DraftForm,
    StepForm,
    WithdrawForm,
)
from processes.models import Document, DocumentAttachment, DocumentVersion, ProcessActivity, VersionStatus
from requirements.models import FocusArea

PAGE_SIZE = 25


def _focus_areas(user: Any) -> Any:
    return access.filter_for_user(user, FocusArea.objects.filter(is_active=True), "view").order_by(
        "unit__path", "title"
    )


def _detail_url(document: Document | int) -> str:
    return reverse("processes:document_detail", args=[getattr(document, "pk", document)])


# --- List --------------------------------------------------------------------------


def document_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    owner_units = selectors_documents.owner_units_for_list(user)
    form = DocumentFilterForm(request.GET or None, owner_units=owner_units)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors_documents.document_list_for_user(
        user,
        q=data.get("q") or "",
        kind=data.get("kind") or "",
        status=data.get("status") or "",
        owner_unit=data.get("owner_unit"),
        overdue=bool(data.get("overdue")),
        mine=bool(data.get("mine")),
    )
    page = paginate(request, qs.order_by("title", "pk"), PAGE_SIZE)
    selectors_documents.mark_rows(user, page.object_list)
    return render(
        request,
        "processes/document_list.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_create": access_rules.may_create(user),
            # Review and ownership filters only for those who own, approve or maintain documents.
            "reviews_documents": access_rules.may_create(user)
            or access.has_capability(user, access.APPROVE_DOCUMENTS)
            or selectors_documents.owns_documents(user),
        },
    )


# --- Create and edit ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    if not access_rules.may_create(request.user):
        raise PermissionDenied
    form = DocumentCreateForm(
        request.POST or None,
        owner_units=access_rules.creatable_owner_units(request.user),
        focus_areas=_focus_areas(request.user),
    )

    def save(d: dict[str, Any]) -> tuple[str, str]:
        document = documents.document_create(
            by=request.user,
            kind=d["kind"],
            title=d["title"],
            owner_role=d["owner_role"],
            owner_unit=d["owner_unit"],
            applies_to=list(d["applies_to"]),
            review_interval_months=d["review_interval_months"],
            body=d["body"],
            change_note=d["change_note"],
            requirements=d["requirements"],
            focus_areas=d["focus_areas"],
        )
        return _detail_url(document), _("%(identifier)s was created as a draft.") % {"identifier": document.identifier}

    if response := submit(request, form, save):
        return response
    return render(request, "processes/document_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's details and links (not its text)."""
    document = selectors_documents.document_get_for_user(request.user, pk, "change")
    owner_units = access_rules.creatable_owner_units(request.user) | type(document.owner_unit).objects.filter(
        pk=document.owner_unit_id
    )
    initial = {
        "version": document.version,
        "kind": document.kind,
        "owner_role": document.owner_role_id,
        "owner_unit": document.owner_unit_id,
        "applies_to": list(document.applies_to.values_list("pk", flat=True)),
        "review_interval_months": document.review_interval_months,
        "requirements": list(document.requirements.values_list("pk", flat=True)),
        "focus_areas": list(document.focus_areas.values_list("pk", flat=True)),
    }
    form = DocumentMetadataForm(
        request.POST or None,
        initial=initial,
        owner_units=owner_units.distinct(),
        focus_areas=_focus_areas(request.user) | document.focus_areas.all(),
    )

    def save(d: dict[str, Any]) -> tuple[str, str]:
        documents.document_update(
            document=document,
            by=request.user,
            version=d["version"],
            kind=d["kind"],
            owner_role=d["owner_role"],
            owner_unit=d["owner_unit"],
            applies_to=list(d["applies_to"]),
            review_interval_months=d["review_interval_months"],
            requirements=d["requirements"],
            focus_areas=d["focus_areas"],
        )
        return _detail_url(document), _("The details were saved.")

    if response := submit(request, form, save):
        return response
    return render(request, "processes/document_form.html", {"form": form, "document": document})


def _open_version(document: Document) -> DocumentVersion | None:
    return (
        document.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW])
        .select_related("created_by")
        .first()
    )


@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the draft: title, text, what changed, attachments."""
    document = selectors_documents.document_get_for_user(request.user, pk, "change")
    draft = _open_version(document)
    if draft is None:
        messages.info(request, _("There is no draft to edit. Start a new draft from the version in force."))
        return redirect(_detail_url(document))
    if not access.can(request.user, draft, "change"):
        raise PermissionDenied
    if draft.status != VersionStatus.DRAFT:
        messages.info(request, _("The version is in review. Return it to draft before changing it."))
        return redirect(_detail_url(document))
    initial = {
        "version": draft.lock_version,
        "title": draft.title,
        "body": draft.body,
        "change_note": draft.change_note,
    }
    form = DraftForm(request.POST or None, initial=initial)

    def save(d: dict[str, Any]) -> tuple[str, str]:
        documents.version_save_draft(
            version=draft,
            by=request.user,
            lock_version=d["version"],
            title=d["title"],
            body=d["body"],
            change_note=d["change_note"],
        )
        if "submit_for_review" in request.POST:
            fresh = DocumentVersion.objects.get(pk=draft.pk)
            documents.version_submit(version=fresh, by=request.user, lock_version=fresh.lock_version)
            return _detail_url(document), _("The draft was saved and sent for review.")
        return reverse("processes:draft_edit", args=[document.pk]), _("The draft was saved.")

    if response := submit(request, form, save):
        return response
    attachment_form = AttachmentForm(initial={"version": draft.lock_version}, auto_id="att_%s")
    return render(
        request,
        "processes/draft_form.html",
        {
            "form": form,
            "document": document,
            "draft": draft,
            "attachments": list(draft.attachments.all()),
            "attachment_form": attachment_form,
        },
    )


# --- Detail, versions, comparison --------------------------------------------------


def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors_documents.document_get_for_user(request.user, pk)
    return _render_detail(request, document)


def _render_detail(request: HttpRequest, document: Document, **forms: Any) -> HttpResponse:
    user = request.user
    is_editor = access_rules.is_editor(user, document)
    may_change = access_rules.may_change(user, document)
    may_approve = access_rules.may_approve(user, document)
    versions = selectors_documents.versions_for_user(user, document)
    current = document.current_version
    open_version = next((v for v in versions if v.is_open), None) if is_editor else None
    attachments = list(current.attachments.all()) if current else []
    requirements = list(document.requirements.select_related("framework").order_by("framework__code", "position"))
    focus_areas = list(access.filter_for_user(user, document.focus_areas.select_related("unit"), "view"))
    # The processes whose activities this document governs (SOSFS 2011:9 ch. 4: routines per activity).
    governs = list(
        access.filter_for_user(user, ProcessActivity.objects.filter(routines=document), "view")
        .select_related("process")
        .order_by("process__title", "position")
    )
    lock = open_version.lock_version if open_version else None
    context = {
        "document": document,
        "current": current,
        "versions": versions,
        "open_version": open_version,
        "attachments": attachments,
        "requirements": requirements,
        "focus_areas": focus_areas,
        "governs": governs,
        "applies_to": list(document.applies_to.order_by("path")),
        "is_editor": is_editor,
        "may_change": may_change,
        "may_approve": may_approve,
        "review_overdue": bool(current and document.next_review_on and document.next_review_on < timezone.localdate()),
        "approve_form": forms.get("approve_form") or ApproveForm(initial={"version": lock}, auto_id="approve_%s"),
        "withdraw_form": forms.get("withdraw_form")
        or WithdrawForm(initial={"version": document.version}, auto_id="withdraw_%s"),
        "step_error": forms.get("step_error"),
        "compare_form": CompareForm(
            numbers=[v.number for v in reversed(versions)],
            initial={"a": versions[1].number, "b": versions[0].number} if len(versions) > 1 else {},
            auto_id="compare_%s",
        ),
    }
    return render(request, "processes/document_detail.html", context)


def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = selectors_documents.version_get_for_user(request.user, pk, number)
    return render(
        request,
        "processes/version_detail.html",
        {"document": version.document, "version": version, "attachments": list(version.attachments.all())},
    )


def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors_documents.document_get_for_user(request.user, pk)
    versions = selectors_documents.versions_for_user(request.user, document)
    by_number = {v.number: v for v in versions}
    form = CompareForm(request.GET or None, numbers=sorted(by_number), auto_id="compare_%s")
    comparison = older = newer = None
    if form.is_valid():
        older, newer = by_number[form.cleaned_data["a"]], by_number[form.cleaned_data["b"]]
        if older.number > newer.number:
            older, newer = newer, older
        comparison = compare_texts(older.title, older.body, newer.title, newer.body)
    return render(
        request,
        "processes/version_compare.html",
        {"document": document, "form": form, "comparison": comparison, "older": older, "newer": newer},
    )


# --- Workflow steps ----------------------------------------------------------------


STEP_ACTIONS = {"submit": "change", "return": "return"}


@require_POST
def version_step(request: HttpRequest, pk: int, number: int, name: str) -> HttpResponse:
    """Send for review, return to draft, approve."""
    if name not in {"submit", "return", "approve"}:
        raise Http404
    version = selectors_documents.version_get_for_user(request.user, pk, number)
    document = version.document
    user = request.user
    # Approving is checked on the document, so a version no longer in review gets the service's
    # explanation rather than a bare refusal.
    if name == "approve":
        allowed = access.can(user, document, "approve")
    else:
        allowed = access.can(user, version, STEP_ACTIONS[name])
    if not allowed:
        raise PermissionDenied
    form = ApproveForm(request.POST, auto_id="approve_%s") if name == "approve" else StepForm(request.POST)
    if not form.is_valid():
        if name == "approve" and "version" not in form.errors:
            return _render_detail(request, _fresh(request, pk), approve_form=form)
        messages.error(request, _("The page is out of date. Reload it and make your change again."))
        return redirect(_detail_url(document))
    lock = form.cleaned_data["version"]
    try:
        if name == "submit":
            documents.version_submit(version=version, by=user, lock_version=lock)
            message = _("The draft was sent for review.")
        elif name == "return":
            documents.version_return(version=version, by=user, lock_version=lock)
            message = _("The version was returned to draft.")
        else:
            documents.version_approve(
                version=version,
                by=user,
                lock_version=lock,
                decision_reference=form.cleaned_data["decision_reference"],
                valid_from=form.cleaned_data["valid_from"],
            )
            message = _("Version %(n)d was approved and is now in force.") % {"n": version.number}
    except DomainError as exc:
        if name == "approve":
            form.add_domain_error(exc)
            return _render_detail(request, _fresh(request, pk), approve_form=form)
        messages.error(request, exc.message)
        return redirect(_detail_url(document))
    messages.success(request, message)
    return redirect(_detail_url(document))


def _fresh(request: HttpRequest, pk: int) -> Document:
    return selectors_documents.document_get_for_user(request.user, pk)


@require_POST
def document_step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Withdraw, start a new draft, mark as reviewed."""
    steps = {"withdraw": "approve", "new-draft": "change", "reviewed": "change"}
    if name not in steps:
        raise Http404
    document = selectors_documents.document_get_for_user(request.user, pk, steps[name])
    form = WithdrawForm(request.POST, auto_id="withdraw_%s") if name == "withdraw" else StepForm(request.POST)
    if not form.is_valid():
        if name == "withdraw" and "version" not in form.errors:
            return _render_detail(request, document, withdraw_form=form)
        messages.error(request, _("The page is out of date. Reload it and make your change again."))
        return redirect(_detail_url(document))
    lock = form.cleaned_data["version"]
    try:
        if name == "withdraw":
            documents.document_withdraw(
                document=document, by=request.user, version=lock, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The document was withdrawn."))
        elif name == "new-draft":
            documents.document_start_draft(document=document, by=request.user, version=lock)
            messages.success(request, _("A new draft was started from the version in force."))
            return redirect("processes:draft_edit", pk=document.pk)
        else:
            updated = documents.document_mark_reviewed(document=document, by=request.user, version=lock)
            messages.success(
                request,
                _("Marked as reviewed. Next review: %(date)s.") % {"date": updated.next_review_on.isoformat()},
            )
    except DomainError as exc:
        if name == "withdraw":
            form.add_domain_error(exc)
            return _render_detail(request, _fresh(request, pk), withdraw_form=form)
        messages.error(request, exc.message)
    return redirect(_detail_url(document))


# --- Attachments -------------------------------------------------------------------


@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors_documents.document_get_for_user(request.user, pk, "change")
    draft = _open_version(document)
    if draft is None or not access.can(request.user, draft, "change"):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES, auto_id="att_%s")
    if form.is_valid():
        try:
            documents.attachment_add(
                version=draft,
                by=request.user,
                lock_version=form.cleaned_data["version"],
                files=form.cleaned_data["files"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The file was attached."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("processes:draft_edit", pk=document.pk)


@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    qs = DocumentAttachment.objects.filter(version__document_id=pk).select_related("version__document__owner_unit")
    attachment = access.get_for_user(request.user, qs, attachment_pk, "change")
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page is out of date. Reload it and make your change again."))
    else:
        try:
            documents.attachment_remove(
                attachment=attachment, by=request.user, lock_version=form.cleaned_data["version"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The file was removed."))
    return redirect("processes:draft_edit", pk=pk)


def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    qs = DocumentAttachment.objects.filter(version__document_id=pk)
    attachment = access.get_for_user(request.user, qs, attachment_pk, "view")
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
