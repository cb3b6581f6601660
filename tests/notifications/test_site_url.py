"""SITE_URL, which e-mail links are built from, is checked when settings load."""

from __future__ import annotations

import pytest

from tests.test_deployment import _clean_base_env, run_python

PRINT_SITE_URL = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "http://127.0.0.1:8000"), ("https://ledningssystem.kommun.se/", "https://ledningssystem.kommun.se")],
)
def test_site_url_has_a_development_default_and_loses_its_trailing_slash(value, expected) -> None:
    env = _clean_base_env()
    if value is not None:
        env["SITE_URL"] = value
    result = run_python(["-c", PRINT_SITE_URL], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_site_url_without_scheme_is_refused() -> None:
    result = run_python(["-c", PRINT_SITE_URL], {**_clean_base_env(), "SITE_URL": "ledningssystem.kommun.se"})
    assert result.returncode != 0
    assert "SITE_URL must start with http:// or https://" in result.stderr
