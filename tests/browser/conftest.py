"""Browser tests: Playwright for Python driving Debian's Chromium (no browser download).

They need /usr/bin/chromium (scripts/test.sh installs it with apt when missing). Without it they
are skipped, unless REQUIRE_SERVICES=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
# WCAG 2.1 A and AA: the rules axe-core tags with these.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls (setting up
# data, checking results) are still plain synchronous code, so Django's async guard is lifted.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    browser_tests = [item for item in items if Path(str(item.fspath)).is_relative_to(here)]
    if not browser_tests or CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise pytest.UsageError(f"Chromium is required (REQUIRE_SERVICES=1) but {CHROMIUM} is missing.")
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} not installed"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Once Playwright's sync API runs, a test after a live-server test that followed an ordinary
    # `db` test gets a new connection object, without the `_test_serialized_contents` Django
    # attached to the original when it created the test database; serialized_rollback would then
    # restore nothing for every transactional test after it (no priority matrix, no calendars).
    # Keep the contents on the connection class, where every new connection object finds them.
    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents  # type: ignore[attr-defined]

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def assert_accessible(axe: Any, page: Any, what: str) -> None:
    """No violations of WCAG 2.1 A/AA rules on the page as it is now."""
    results = axe.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    )
    violations = results.response["violations"]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in violations
    )
    assert not violations, f"axe found violations on {what}:\n{details}"


def sign_in(page: Any, base: str, username: str) -> None:
    """Sign in through the login page (every test user's password is "pw")."""
    from django.urls import reverse

    page.goto(f"{base}{reverse('login')}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    with page.expect_navigation():
        page.keyboard.press("Enter")
