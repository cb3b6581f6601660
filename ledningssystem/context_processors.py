from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ledningssystem import access
from ledningssystem.forms import LanguageForm


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu entries for what the person may do, marked current by URL."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "language_form": LanguageForm(initial={"next": request.get_full_path()})}
    items = [(reverse("home"), _("My page"))]
    if access.has_capability(user, access.REPORT_DEVIATIONS):
        items.append((reverse("deviations:mine"), _("My reports")))
    if access.has_capability(user, access.HANDLE_DEVIATIONS) or access.has_capability(user, access.HANDLE_LEX_SARAH):
        items.append((reverse("deviations:inbox"), _("Deviations")))
        items.append((reverse("actions:list"), _("Actions")))
    items.append((reverse("requirements:catalogue"), _("Requirements")))
    items.append((reverse("processes:document_list"), _("Routines")))
    items.append((reverse("processes:process_list"), _("Processes")))
    if access.has_capability(user, access.VIEW_UNIT):
        items.append((reverse("unit_list"), _("Organisation")))
    if access.has_capability(user, access.VIEW_STATISTICS):
        items.append((reverse("organisation_overview"), _("Overview")))
        items.append((reverse("reports:statistics"), _("Statistics")))
    if access.has_capability(user, access.VIEW_UNIT):
        items.append((reverse("reports:handbook"), _("Handbook")))
    if access.has_capability(user, access.VIEW_ASSIGNMENTS) or access.has_capability(user, access.MANAGE_ORGANISATION):
        items.append((reverse("person_list"), _("People")))
        items.append((reverse("role_list"), _("Roles")))
    # The current entry is the one whose address is the longest prefix of
    # this page's (My page only on itself).
    path = request.path
    home = reverse("home")
    matches = [url for url, _label in items if path == url or (url != home and path.startswith(url))]
    current = max(matches, key=len) if matches else None
    nav = [{"url": url, "label": label, "current": url == current} for url, label in items]
    from ledningssystem.views.home import report_kinds_for

    return {
        "nav_items": nav,
        "can_report": bool(report_kinds_for(user)),
        "language_form": LanguageForm(initial={"next": request.get_full_path(), "language": user.language}),
        "is_system_admin": user.is_staff and access.is_system_admin(user),
        # Only those who manage the organisation can be system administrators.
        "can_configure": access.has_capability(user, access.MANAGE_ORGANISATION) and access.is_system_admin(user),
    }
