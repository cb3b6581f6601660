"""The deployment files (Dockerfile, docker-compose.yml) agree with the code.

There is no Docker engine where the tests run, so the files are parsed and
the parts that matter are checked against ledningssystem/settings.py and the
Celery app; the settings themselves are loaded in subprocesses with the
environment that Compose would give the web container.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SETTINGS_FILE = ROOT / "ledningssystem" / "settings.py"

APP_SERVICES = ("web", "worker", "beat")
WEASYPRINT_PACKAGES = {
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz0b",
    "libharfbuzz-subset0",
    "fonts-dejavu-core",
}
SUBPROCESS_TIMEOUT = 120

# --- Compose parsing ---------------------------------------------------------

# $$ (a literal dollar), ${NAME}, ${NAME:-default}, ${NAME-default},
# ${NAME:?error}, ${NAME?error} and bare $NAME, as Compose interpolates them.
_INTERPOLATION = re.compile(
    r"\$\$"
    r"|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Substitute Compose variables in ``value`` from ``variables``."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        current = variables.get(name)
        # With a colon the operator also treats an empty value as unset.
        missing = not current if op and op.startswith(":") else current is None
        if op in (":-", "-"):
            return arg if missing else str(current)
        if op in (":?", "?") and missing:
            raise ValueError(f"Compose would refuse to start: {name} is required ({arg})")
        return current or ""

    return _INTERPOLATION.sub(replace, value)


def _interpolate_tree(node: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [_interpolate_tree(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, variables) for key, value in node.items()}
    return node


@cache
def compose() -> dict[str, Any]:
    """docker-compose.yml as Compose sees it with no .env file: defaults only."""
    raw = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return _interpolate_tree(raw, {})


def service(name: str) -> dict[str, Any]:
    return compose()["services"][name]


def _scalar(value: Any) -> str:
    # YAML turns an unquoted true into a bool; Compose passes it on as text.
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def service_env(name: str) -> dict[str, str]:
    environment = service(name).get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.split("=", 1) for item in environment)
        return {pair[0]: pair[1] if len(pair) == 2 else "" for pair in pairs}
    return {key: _scalar(value) for key, value in environment.items()}


def service_command(name: str) -> list[str]:
    command = service(name).get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def volume_mounts(name: str) -> dict[str, str]:
    """Target path -> source for the service's volumes (short or long syntax)."""
    mounts: dict[str, str] = {}
    for volume in service(name).get("volumes") or []:
        if isinstance(volume, dict):
            mounts[volume["target"]] = volume.get("source", "")
        else:
            source, target, *_mode = volume.split(":")
            mounts[target] = source
    return mounts


def container_ports(name: str) -> set[str]:
    ports: set[str] = set()
    for port in service(name).get("ports") or []:
        if isinstance(port, dict):
            ports.add(str(port["target"]))
        else:
            # [host_ip:][host_port:]container_port[/protocol]
            ports.add(str(port).rsplit(":", 1)[-1].split("/", 1)[0])
    return ports


# --- What the settings read --------------------------------------------------

_ENV_CALL = re.compile(r"\benv_(?P<kind>str|bool|int|list|choice)\(\s*[\"'](?P<name>[A-Z][A-Z0-9_]*)[\"']")


@cache
def settings_env_names() -> frozenset[str]:
    """Every environment variable that settings.py reads through the env_* helpers."""
    names: set[str] = set()
    for match in _ENV_CALL.finditer(SETTINGS_FILE.read_text(encoding="utf-8")):
        names.add(match["name"])
        if match["kind"] == "str":
            names.add(f"{match['name']}_FILE")  # env_str also reads Docker secrets
    return frozenset(names)


# --- Dockerfile parsing ------------------------------------------------------


@cache
def dockerfile_instructions() -> tuple[tuple[str, str], ...]:
    """(INSTRUCTION, arguments) pairs with line continuations joined."""
    instructions: list[tuple[str, str]] = []
    logical = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue  # Docker drops comment lines, also inside a continuation
        if stripped.endswith("\\"):
            logical += stripped[:-1] + " "
            continue
        logical += stripped
        keyword, _, arguments = logical.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        logical = ""
    return tuple(instructions)


def dockerfile_args(keyword: str) -> list[str]:
    return [arguments for instruction, arguments in dockerfile_instructions() if instruction == keyword]


# --- Running the settings in a subprocess ------------------------------------


def _clean_base_env() -> dict[str, str]:
    # Nothing the settings read may leak in from the shell running the tests.
    names = settings_env_names()
    env = {key: value for key, value in os.environ.items() if key not in names}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' escape hatch, never in deployment
    env["DJANGO_SETTINGS_MODULE"] = "ledningssystem.settings"
    return env


def web_subprocess_env(tmp_path: Path) -> dict[str, str]:
    """The web container's environment, runnable on this machine.

    The Docker secret becomes a temporary key file, PostgreSQL becomes SQLite
    (settings never connect while loading) and media goes to a temporary dir.
    """
    compose_env = service_env("web")
    key_file = tmp_path / "secret_key.txt"
    key_file.write_text(secrets.token_urlsafe(48) + "\n", encoding="utf-8")  # 64 characters
    media = tmp_path / "media"
    media.mkdir()
    compose_env.update(
        SECRET_KEY_FILE=str(key_file),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(media),
    )
    return {**_clean_base_env(), **compose_env}


def run_python(args: list[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )


PRINT_IS_PRODUCTION = "import django; django.setup(); from django.conf import settings; print(settings.IS_PRODUCTION)"


# =============================================================================
# docker-compose.yml
# =============================================================================


def test_compose_has_the_production_services() -> None:
    services = set(compose()["services"])
    assert {"web", "worker", "beat", "db", "redis", "mail"} <= services


def test_every_compose_variable_has_a_default() -> None:
    # A trial install must start with only secrets/secret_key.txt in place.
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    without_default = sorted(
        match.group("name") or match.group("bare")
        for match in _INTERPOLATION.finditer(text)
        if match.group(0) != "$$" and match.group("op") not in (":-", "-")
    )
    assert without_default == []


def test_web_runs_gunicorn_on_port_8000() -> None:
    command = service_command("web")
    assert command[0] == "gunicorn"
    assert any(part.startswith("ledningssystem.wsgi") for part in command)
    assert "0.0.0.0:8000" in command  # reachable from outside the container
    assert "8000" in container_ports("web")


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_run_the_project_app(name: str) -> None:
    command = service_command(name)
    assert command[:3] == ["celery", "-A", "ledningssystem"]
    assert command[3] == name


def test_beat_keeps_its_schedule_file_in_a_writable_place() -> None:
    # The code directory belongs to root in the image; beat runs as the app user.
    command = service_command("beat")
    schedule = command[command.index("--schedule") + 1]
    assert schedule.startswith("/tmp/")  # noqa: S108


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_names_are_read_by_settings(name: str) -> None:
    unknown = sorted(set(service_env(name)) - settings_env_names())
    assert unknown == [], f"{name} sets variables that settings.py never reads: {unknown}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_has_the_essentials(name: str) -> None:
    env = service_env(name)
    assert env.get("ENVIRONMENT") == "production"
    assert env.get("SECRET_KEY") or env.get("SECRET_KEY_FILE")
    assert env.get("ALLOWED_HOSTS")
    database = urlsplit(env["DATABASE_URL"])
    assert database.scheme in {"postgres", "postgresql", "pgsql"}
    assert database.hostname == "db"
    assert database.hostname in compose()["services"]
    redis = urlsplit(env["REDIS_URL"])
    assert redis.scheme == "redis"
    assert redis.hostname == "redis"
    assert redis.hostname in compose()["services"]


def test_app_services_share_one_environment() -> None:
    web = service_env("web")
    for name in ("worker", "beat"):
        assert service_env(name) == web


def test_database_url_matches_the_database_service() -> None:
    url = urlsplit(service_env("web")["DATABASE_URL"])
    db = service_env("db")
    assert url.username == db["POSTGRES_USER"]
    assert url.password == db["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == db["POSTGRES_DB"]
    assert (url.port or 5432) == 5432


def test_csrf_trusted_origins_are_https_on_the_allowed_hosts() -> None:
    env = service_env("web")
    hosts = [host.strip() for host in env["ALLOWED_HOSTS"].split(",")]
    for origin in env["CSRF_TRUSTED_ORIGINS"].split(","):
        parts = urlsplit(origin.strip())
        assert parts.scheme == "https"
        assert parts.hostname in hosts


def test_tls_is_terminated_by_a_proxy() -> None:
    assert service_env("web")["BEHIND_TLS_PROXY"] == "true"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_secret_key_file_is_a_declared_docker_secret(name: str) -> None:
    key_file = service_env(name)["SECRET_KEY_FILE"]
    assert key_file.startswith("/run/secrets/")
    secret_name = key_file.removeprefix("/run/secrets/")
    service_secrets = [
        entry if isinstance(entry, str) else entry.get("target", entry["source"])
        for entry in service(name).get("secrets") or []
    ]
    assert secret_name in service_secrets
    declared = compose()["secrets"][secret_name]
    assert declared["file"] == "./secrets/secret_key.txt"


def test_secret_file_is_never_committed_nor_built_into_the_image() -> None:
    secret_path = (ROOT / compose()["secrets"]["secret_key"]["file"]).resolve()
    ignore_lines = (secret_path.parent / ".gitignore").read_text(encoding="utf-8").split()
    assert ignore_lines[0] == "*"
    dockerignore = [line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()]
    assert secret_path.parent.name in dockerignore


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_db_and_redis(name: str) -> None:
    depends_on = service(name)["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_migrations_run_before_the_app_starts() -> None:
    migrating = [
        name
        for name in compose()["services"]
        if "migrate" in service_command(name) and "manage.py" in service_command(name)
    ]
    assert len(migrating) == 1, migrating
    (migrate,) = migrating
    if migrate == "web":
        return  # migrations as part of web's own command
    assert service(migrate).get("restart", "no") == "no"  # one-shot
    assert service(migrate)["depends_on"]["db"]["condition"] == "service_healthy"
    assert service_env(migrate) == service_env("web")
    for name in APP_SERVICES:
        assert service(name)["depends_on"][migrate]["condition"] == "service_completed_successfully"


def test_database_and_redis_have_health_checks() -> None:
    db = service("db")
    assert re.fullmatch(r"postgres:1[56](\..*|-.*)?", db["image"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "/var/lib/postgresql/data" in volume_mounts("db")
    assert volume_mounts("db")["/var/lib/postgresql/data"] in compose()["volumes"]
    redis = service("redis")
    assert re.fullmatch(r"redis:7(\..*|-.*)?", redis["image"])
    assert "redis-cli" in " ".join(redis["healthcheck"]["test"])


def test_mailpit_catches_the_mail() -> None:
    mail = service("mail")
    assert mail["image"].startswith("axllent/mailpit")
    assert "8025" in container_ports("mail")
    env = service_env("web")
    assert env["EMAIL_HOST"] == "mail"
    assert env["EMAIL_PORT"] == "1025"
    assert env.get("DEFAULT_FROM_EMAIL")


def test_media_is_one_named_volume_shared_by_web_and_worker() -> None:
    media_root = service_env("web")["MEDIA_ROOT"]
    assert media_root == "/data/media"
    web_source = volume_mounts("web").get(media_root)
    worker_source = volume_mounts("worker").get(media_root)
    assert web_source
    assert web_source == worker_source
    assert web_source in compose()["volumes"]  # named, not a bind mount


# =============================================================================
# Dockerfile
# =============================================================================


def test_dockerfile_base_image() -> None:
    assert dockerfile_args("FROM") == ["python:3.11-slim-bookworm"]


def test_dockerfile_cmd_runs_gunicorn() -> None:
    (cmd,) = dockerfile_args("CMD")
    command = json.loads(cmd)  # exec form: gunicorn gets the signals, not a shell
    assert command[0] == "gunicorn"
    assert "ledningssystem.wsgi:application" in command
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000"
    assert command[command.index("--access-logfile") + 1] == "-"
    assert "8000" in " ".join(dockerfile_args("EXPOSE")).split()


def _apt_packages() -> set[str]:
    packages: set[str] = set()
    for run in dockerfile_args("RUN"):
        for command in re.split(r"&&|;", run):
            words = command.split()
            if words[:2] == ["apt-get", "install"]:
                packages.update(word for word in words[2:] if not word.startswith("-"))
    return packages


def test_dockerfile_installs_weasyprint_libraries_and_gettext() -> None:
    assert WEASYPRINT_PACKAGES | {"gettext"} <= _apt_packages()


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = dockerfile_args("USER")
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_health_check_probes_healthz_without_curl() -> None:
    (healthcheck,) = dockerfile_args("HEALTHCHECK")
    assert "http://127.0.0.1:8000/healthz" in healthcheck
    assert "urllib" in healthcheck
    assert "curl" not in healthcheck


def _build_step_env() -> dict[str, str]:
    """The NAME=value prefix of the RUN that collects the static files."""
    (run,) = [run for run in dockerfile_args("RUN") if "collectstatic" in run]
    env: dict[str, str] = {}
    for word in shlex.split(run):
        name, equals, value = word.partition("=")
        if not equals or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            break
        env[name] = value
    return env


def test_dockerfile_builds_messages_and_static_files_in_production_mode() -> None:
    (run,) = [run for run in dockerfile_args("RUN") if "collectstatic" in run]
    assert "compilemessages" in run
    assert "--noinput" in run
    env = _build_step_env()
    assert env["ENVIRONMENT"] == "production"
    assert env["ALLOWED_HOSTS"] == "build"
    assert len(env["SECRET_KEY"]) >= 50


def test_dockerfile_build_environment_loads_the_settings() -> None:
    result = run_python(["-c", PRINT_IS_PRODUCTION], {**_clean_base_env(), **_build_step_env()})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    entries = {line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    assert {".venv", "var", "db.sqlite3", ".git", "secrets", ".env"} <= entries


# =============================================================================
# Celery
# =============================================================================


def test_every_scheduled_task_is_registered() -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.conf import settings

    from ledningssystem import celery_app

    celery_app.loader.import_default_modules()  # autodiscovery, as the worker does
    schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    assert schedule
    assert set(celery_app.conf.beat_schedule) == set(schedule)  # beat reads the settings
    missing = sorted({entry["task"] for entry in schedule.values()} - set(celery_app.tasks))
    assert missing == []


# =============================================================================
# Settings under the Compose environment
# =============================================================================


def test_settings_load_in_production_under_the_compose_environment(tmp_path: Path) -> None:
    result = run_python(["-c", PRINT_IS_PRODUCTION], web_subprocess_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_deploy_check_passes_under_the_compose_environment(tmp_path: Path) -> None:
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        web_subprocess_env(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _weak_key_cases() -> Iterator[Any]:
    yield pytest.param(None, id="missing")
    yield pytest.param("", id="empty-file")
    yield pytest.param("too-short-for-production", id="short")
    yield pytest.param("a" * 64, id="few-distinct-characters")
    yield pytest.param("django-insecure-" + secrets.token_urlsafe(48), id="django-insecure")


@pytest.mark.parametrize("key", _weak_key_cases())
def test_production_refuses_a_missing_or_weak_secret_key(key: str | None, tmp_path: Path) -> None:
    env = web_subprocess_env(tmp_path)
    del env["SECRET_KEY_FILE"]
    if key is not None:
        key_file = tmp_path / "weak_key.txt"
        key_file.write_text(key, encoding="utf-8")
        env["SECRET_KEY_FILE"] = str(key_file)
    result = run_python(["-c", PRINT_IS_PRODUCTION], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_refuses_an_unreadable_secret_key_file(tmp_path: Path) -> None:
    env = web_subprocess_env(tmp_path)
    env["SECRET_KEY_FILE"] = str(tmp_path / "does-not-exist.txt")
    result = run_python(["-c", PRINT_IS_PRODUCTION], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
