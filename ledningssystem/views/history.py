from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ledningssystem import access, history, readlog
from ledningssystem.models import ReadPurpose
from ledningssystem.views.common import paginate

HISTORY_PAGE_SIZE = 25


def record_history(request: HttpRequest, key: str, pk: str) -> HttpResponse:
    """Who changed what and when, for any registered record the person may see."""
    model = history.history_model(key)
    if model is None:
        raise Http404
    obj = access.get_for_user(request.user, model, pk, "history")
    # Earlier versions of a sensitive record are as sensitive as the record.
    readlog.log_read(request.user, obj, ReadPurpose.HISTORY)
    records = obj.history.select_related("history_user").order_by("-history_date", "-history_id")
    page = paginate(request, records, HISTORY_PAGE_SIZE)
    items = list(page.object_list)
    previous = None
    if page.has_next() and items:
        previous = (
            records.filter(history_date__lte=items[-1].history_date)
            .exclude(history_id=items[-1].history_id)
            .order_by("-history_date", "-history_id")
            .first()
        )
    entries = history.entries(model, items, previous)
    return render(
        request,
        "history/record_history.html",
        {
            "object": obj,
            "model_name": model._meta.verbose_name,
            "page": page,
            "entries": entries,
        },
    )
