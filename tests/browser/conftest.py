"""Playwright driving Debian's Chromium against the live test server.

Never ``playwright install``: the browser is /usr/bin/chromium (apt package
``chromium``). Every page a journey passes is checked with axe-core.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from ledningssystem.builtin_roles import ensure_builtin_roles

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs it (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}; install it with: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own
    # database calls are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    )
    yield browser
    browser.close()
    playwright.stop()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def demo(transactional_db) -> None:
    """The README's demo municipality, committed so the live server sees it."""
    ensure_builtin_roles()
    call_command("load_demo", verbosity=0)


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    engine = Axe()

    def check(page) -> None:
        result = engine.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        violations = result.response["violations"]
        summary = [f"{v['id']}: {v['help']} → {[n['target'] for n in v['nodes']][:3]}" for v in violations]
        assert not violations, f"axe found on {page.url}:\n" + "\n".join(summary)

    return check


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def make(viewport: dict[str, int] | None = None):
        context = browser.new_context(
            locale="sv-SE", viewport=viewport or {"width": 1280, "height": 900}, base_url=live_server.url
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def login(page, username: str, password: str = "demo") -> None:
    page.goto("/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("input[type=password]").count() == 0, f"{username} could not log in"
