"""Fixtures for browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API keeps an asyncio loop running in this thread, and Django then refuses ORM calls
# from test bodies as "async". Nothing here is async; this is the documented way to say so.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("FANFOLD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 10_000
HERE = Path(__file__).resolve().parent


def browser_tests_required() -> bool:
    """In CI (or when asked) a missing browser is a failure; on a developer's machine, a skip."""
    forced = os.environ.get("FANFOLD_BROWSER_TESTS", "").strip().lower() in {"1", "true", "yes", "on"}
    in_ci = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}
    return forced or in_ci


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    if browser_tests_required():
        pytest.fail(f"{reason} (browser tests are required because CI or FANFOLD_BROWSER_TESTS is set)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(live_server):
    """One headless Chromium for the whole run (one per xdist worker).

    It asks for the live server only to be closed before it: open keep-alive connections would
    otherwise end in server threads after the server has stopped sharing its database connection.
    """
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[dev]')")
    # Assertions wait as long as actions do, so a busy CI machine is not a failing test.
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        _unavailable(f"Chromium at {CHROMIUM} did not start: {error}")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def context(browser, live_server):
    """A fresh browser profile (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page in a fresh profile: `page.goto("/")` opens the archive's home page."""
    return context.new_page()


@pytest.fixture
def log_in_as(context, live_server):
    """Sign `user` in to the browser profile without going through the login form."""

    def log_in(user) -> None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": session.key, "value": session.value, "url": live_server.url}])

    return log_in


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where browser tests keep screenshots for people to look at: var/screenshots, or $FANFOLD_SCREENSHOTS."""
    directory = Path(os.environ.get("FANFOLD_SCREENSHOTS") or Path(settings.VAR_DIR) / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def screenshot(screenshot_dir):
    """Save a full-page screenshot of `page` as `<name>.png` and print where it went."""

    def take(page, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path

    return take
