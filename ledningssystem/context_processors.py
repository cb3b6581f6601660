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
    if access.has_capability(user, access.VIEW_UNIT):
        items.append((reverse("unit_list"), _("Organisation")))
    if access.has_capability(user, access.VIEW_STATISTICS):
        items.append((reverse("organisation_overview"), _("Overview")))
    if access.has_capability(user, access.VIEW_ASSIGNMENTS) or access.has_capability(user, access.MANAGE_ORGANISATION):
        items.append((reverse("person_list"), _("People")))
        items.append((reverse("role_list"), _("Roles")))
    path = request.path
    home = reverse("home")
    nav = [
        {"url": url, "label": label, "current": path == url or (url != home and path.startswith(url))}
        for url, label in items
    ]
    # The overview lives under /organisation/ too: only one entry is current.
    if any(n["current"] and n["url"] == reverse("organisation_overview") for n in nav):
        for n in nav:
            if n["url"] == reverse("unit_list"):
                n["current"] = False
    return {
        "nav_items": nav,
        "language_form": LanguageForm(initial={"next": request.get_full_path(), "language": user.language}),
        "is_system_admin": user.is_staff and access.is_system_admin(user),
    }
