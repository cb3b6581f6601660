"""Small helpers every view uses: pagination and the form flow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ledningssystem.forms import AppForm, already_submitted, remember_submission
from ledningssystem.services import DomainError

PAGE_SIZE = 50


def paginate(request: HttpRequest, qs: models.QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    """One page of ``qs``; a bad or too large page number gives the nearest page."""
    paginator = Paginator(qs, per_page)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def submit(
    request: HttpRequest,
    form: AppForm,
    save: Callable[[dict[str, Any]], tuple[str, str]],
) -> HttpResponse | None:
    """The POST half of every form view.

    A repeated submit of the same form (double click, reload) goes where the
    first one went instead of acting twice. A valid form calls ``save`` (one
    service call) which returns the URL to go to and the success message; a
    domain error lands on the form, nothing saved. Returns None when the
    form should be shown (again).
    """
    if request.method != "POST":
        return None
    if done := already_submitted(request, form):
        messages.info(request, _("The form had already been sent; it was not saved twice."))
        return redirect(done)
    if not form.is_valid():
        return None
    token = form.cleaned_data.get("form_token")
    # Two copies of one submit can arrive at the same moment: only the one
    # that claims the token acts; the other is told the form is on its way.
    lock = f"form-token:{request.session.session_key}:{token}" if token else None
    if lock and not cache.add(lock, 1, timeout=120):
        messages.info(request, _("The form is already being sent. Wait a moment and look again."))
        return redirect(request.get_full_path())
    try:
        url, message = save(form.cleaned_data)
    except DomainError as exc:
        if lock:
            cache.delete(lock)
        form.add_domain_error(exc)
        return None
    remember_submission(request, form, url)
    messages.success(request, message)
    return redirect(url)
