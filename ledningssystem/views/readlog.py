from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ledningssystem import access, readlog
from ledningssystem.views.common import paginate

READ_LOG_PAGE_SIZE = 50


def record_read_log(request: HttpRequest, key: str, pk: str) -> HttpResponse:
    """Who read a sensitive record and when, newest first.

    404 when the person may not see the record (or the kind is unknown),
    403 when they see it but may not see its log (the reporter of a lex
    Sarah report). Opening the log is not itself logged.
    """
    kind = readlog.sensitive_kind(key)
    if kind is None:
        raise Http404
    obj = access.get_for_user(request.user, kind.base_queryset(), pk)
    if not readlog.may_view_log(request.user, obj):
        raise PermissionDenied
    page = paginate(request, readlog.entries_for(obj), READ_LOG_PAGE_SIZE)
    return render(
        request,
        "readlog/record_read_log.html",
        {
            "object": obj,
            "is_sensitive": readlog.is_sensitive(obj),
            "page": page,
        },
    )
