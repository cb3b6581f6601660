"""Small helpers every view uses: pagination and form flow."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

PAGE_SIZE = 50


def paginate(request: HttpRequest, qs: models.QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    """One page of ``qs``; a bad or too large page number gives the nearest page."""
    paginator = Paginator(qs, per_page)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def conflict_message() -> str:
    return _("Someone else changed this while you were editing.")
