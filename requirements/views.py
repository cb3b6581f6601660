"""Catalogue screens: frameworks, one framework as a tree, one requirement,
search, and the import of a framework file (upload → preview → confirm)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ledningssystem import access
from ledningssystem.services import DomainError
from ledningssystem.views.common import paginate, querystring_without_page
from requirements import selectors, services
from requirements.access_rules import can_import
from requirements.forms import ConfirmForm, ImportForm, SearchForm
from requirements.loader import MAX_FILE_BYTES, CatalogueError, decode_file
from requirements.models import DraftStatus, ImportDraft, Section

PAGE_SIZE = 50
MAX_SHOWN_PROBLEMS = 50


def catalogue(request: HttpRequest) -> HttpResponse:
    """The frameworks, and search across them."""
    frameworks = selectors.framework_list_for_user(request.user)
    form = SearchForm(request.GET or None, frameworks=frameworks)
    data = form.cleaned_data if form.is_valid() else {}
    searching = any(data.get(k) for k in ("q", "framework", "kind", "area"))
    page = None
    if searching:
        results = selectors.requirement_search_for_user(
            request.user,
            data.get("q") or "",
            framework=data.get("framework"),
            kind=data.get("kind") or "",
            area=data.get("area"),
        )
        page = paginate(request, results, PAGE_SIZE)
    return render(
        request,
        "requirements/catalogue.html",
        {
            "form": form,
            "frameworks": frameworks if not searching else None,
            "page": page,
            "searching": searching,
            "query": data.get("q") or "",
            "can_import": can_import(request.user),
            "querystring": querystring_without_page(request),
        },
    )


def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get_for_user(request.user, pk)
    tree, chains = selectors.section_tree(framework)
    section = None
    if key := request.GET.get("section"):
        section = next((chain[-1] for chain in chains.values() if chain[-1].key == key), None)
        if section is None:
            raise Http404
    page = paginate(request, selectors.requirements_of_framework(framework, section), PAGE_SIZE)
    rows = []
    previous: list[Section] = []
    for requirement in page.object_list:
        chain = chains.get(requirement.section_id, []) if requirement.section_id else []
        # Show the headings that differ from the previous row's, so the page reads as the framework does.
        common = 0
        while common < min(len(chain), len(previous)) and chain[common].pk == previous[common].pk:
            common += 1
        rows.append({"requirement": requirement, "headings": [(s, i) for i, s in enumerate(chain) if i >= common]})
        previous = chain
    return render(
        request,
        "requirements/framework.html",
        {
            "framework": framework,
            "tree": tree,
            "section": section,
            "rows": rows,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_import": can_import(request.user),
        },
    )


def requirement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = selectors.requirement_get_for_user(request.user, pk)
    chain = []
    section = requirement.section
    while section is not None and len(chain) < 10:
        chain.insert(0, section)
        section = section.parent if section.parent_id else None
    return render(request, "requirements/requirement.html", {"requirement": requirement, "chain": chain})


def _require_import(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(MAX_FILE_BYTES + 1)
        try:
            text = decode_file(data)
            draft, _diff = services.import_draft_create(by=request.user, file_name=upload.name, text=text)
        except CatalogueError as exc:
            problems = exc.problems
            form.add_error("file", _("The file cannot be imported. Nothing has been changed."))
        else:
            return redirect("requirements:import_preview", pk=draft.pk)
    return render(
        request,
        "requirements/import.html",
        {
            "form": form,
            "problems": problems[:MAX_SHOWN_PROBLEMS],
            "more_problems": max(0, len(problems) - MAX_SHOWN_PROBLEMS),
        },
    )


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: str) -> HttpResponse:
    _require_import(request)
    draft = access.get_for_user(request.user, ImportDraft, pk)
    form = ConfirmForm(request.POST or None, initial={"sha256": draft.sha256})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            diff = services.import_draft_confirm(draft=draft, by=request.user, sha256=form.cleaned_data["sha256"])
        except (DomainError, CatalogueError) as exc:
            error = getattr(exc, "message", str(exc))
        else:
            messages.success(
                request,
                _("%(code)s was imported: %(added)s added, %(changed)s changed, %(removed)s deactivated.")
                % {
                    "code": diff.code,
                    "added": len(diff.added),
                    "changed": len(diff.changed),
                    "removed": len(diff.removed),
                },
            )
            framework = selectors.framework_list_for_user(request.user).get(code=diff.code)
            return redirect(reverse("requirements:framework", args=[framework.pk]))
    draft.refresh_from_db()
    diff = services.import_draft_preview(draft) if draft.status == DraftStatus.PENDING else None
    return render(
        request,
        "requirements/preview.html",
        {"draft": draft, "diff": diff, "form": form, "error": error},
    )
