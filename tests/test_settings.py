"""Configuration helpers, session expiry, logging without personal data."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from ledningssystem import env
from ledningssystem.logging import RedactPersonalData


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("On", True), ("", False)])
def test_env_bool(monkeypatch, raw, expected) -> None:
    monkeypatch.setenv("X_FLAG", raw)
    assert env.env_bool("X_FLAG") is expected


@pytest.mark.parametrize(
    ("helper", "raw"), [(env.env_bool, "kanske"), (lambda name: env.env_int(name, 1), "tio")], ids=["bool", "int"]
)
def test_env_helpers_fail_loudly(monkeypatch, helper, raw) -> None:
    monkeypatch.setenv("X_VALUE", raw)
    with pytest.raises(ImproperlyConfigured):
        helper("X_VALUE")


def test_env_choice_and_secret_file(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("X_MODE", "staging")
    with pytest.raises(ImproperlyConfigured):
        env.env_choice("X_MODE", ("development", "production"), "development")
    secret = tmp_path / "secret"
    secret.write_text("från-fil\n", encoding="utf-8")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_str("X_SECRET") == "från-fil"


def test_passwords_are_hashed_with_argon2_by_default() -> None:
    from ledningssystem import settings as project_settings  # tests swap in a fast hasher

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_dates_are_swedish_and_stockholm() -> None:
    from django.utils import formats, translation

    assert settings.TIME_ZONE == "Europe/Stockholm"
    with translation.override("sv"):
        assert formats.date_format(datetime.date(2026, 3, 5), "SHORT_DATE_FORMAT") == "2026-03-05"
        assert formats.date_format(datetime.date(2026, 3, 5)) == "5 mars 2026"


def test_session_expires_after_inactivity(org, client_for, time_machine) -> None:
    client = client_for("staff_a")
    assert client.get(reverse("home")).status_code == 200
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
    assert client.get(reverse("home")).status_code == 200  # activity renews the session
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logs_carry_no_email_or_personal_identity_number() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "mail %s pnr %s", ("anna@kommun.se", "19121212-1212"), None
    )
    RedactPersonalData().filter(record)
    message = record.getMessage()
    assert "anna@kommun.se" not in message
    assert "1212" not in message
