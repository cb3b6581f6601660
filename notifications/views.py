from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from ledningssystem.views.common import paginate
from notifications import selectors, services


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.notification_list_for_user(request.user), 25)
    return render(request, "notifications/notification_list.html", {"page": page})


@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about (the e-mail links here)."""
    notification = selectors.notification_get_for_user(request.user, pk)
    services.notification_mark_read(notification=notification, by=request.user)
    # Stored links are paths inside the application; anything else is not followed.
    if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) and notification.url.startswith("/"):
        return redirect(notification.url)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(by=request.user)
    if count:
        messages.success(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
            % {"count": count},
        )
    return redirect("notifications:list")
