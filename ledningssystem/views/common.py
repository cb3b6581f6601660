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
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from ledningssystem.forms import AppForm, already_submitted, remember_submission
from ledningssystem.services import DomainError

PAGE_SIZE = 50


def paginate(
    request: HttpRequest, qs: models.QuerySet[Any], per_page: int = PAGE_SIZE, *, cap: int | None = None
) -> Page:
    """One page of ``qs``; a bad or too large page number gives the nearest page.

    With ``cap``, at most that many rows are counted (see ``CappedPaginator``).
    """
    paginator = CappedPaginator(qs, per_page, cap=cap) if cap else Paginator(qs, per_page)
    return paginator.get_page(request.GET.get("page"))


class CappedPaginator(Paginator):
    """Counts no further than ``cap`` rows.

    Beyond a few thousand rows "more than 10 000" is all a person needs, and
    counting a million rows on every page view is not cheap. The count runs
    without ordering, over at most ``cap + 1`` rows.
    """

    def __init__(self, object_list: Any, per_page: int, *, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap


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
