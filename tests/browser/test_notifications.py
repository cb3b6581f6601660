"""A unit manager hears of a new report through the navbar badge and opens it."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from ledningssystem.models import Unit, User
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_opens_a_new_report_from_the_notification_badge(demo, new_page, axe) -> None:
    from deviations import services
    from deviations.models import Category

    deviation = services.deviation_report(
        by=User.objects.get(username="medarbetare"),
        unit=Unit.objects.get(name="Hemtjänst Norra"),
        occurred_at=timezone.now(),
        description="Larmet hos brukaren fungerade inte under natten.",
        immediate_measures="",
        category=Category.objects.filter(is_active=True).first(),
        consequence="minor",
        client_affected=True,
        is_lex_sarah=False,
    )
    page = new_page()
    login(page, "enhetschef")
    badge = page.get_by_role("link", name=re.compile(r"^\d+ olästa? aviseringa?r?$"))
    assert badge.is_visible()
    axe(page)
    badge.click()
    page.wait_for_url("**/notifications/")
    axe(page)
    page.get_by_role("link", name=re.compile("En ny avvikelse har rapporterats")).first.click()
    page.wait_for_url(f"**/deviations/{deviation.pk}/")
    assert page.get_by_text(deviation.reference).first.is_visible()
    page.goto("/notifications/")
    page.get_by_role("button", name="Markera alla som lästa").click()
    page.wait_for_url("**/notifications/")
    assert page.get_by_role("link", name="Aviseringar", exact=True).is_visible()
    axe(page)
