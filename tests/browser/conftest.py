"""A real ``maestoso server`` (on SQLite) and Debian's Chromium driven by Playwright, one of
each per test module; every page a test opens is checked for browser console errors.

Chromium is never downloaded: the tests use ``/usr/bin/chromium`` (``apt-get install
chromium``; .ci/run installs it). Without it they skip, or fail under
``MAESTOSO_REQUIRE_POSTGRES=1`` (CI), where every test must run. Screenshots go to
``test-artifacts/ui`` (kept out of git).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.acceptance.server import ServerProcess

CHROMIUM = Path(os.environ.get("MAESTOSO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"


def _unavailable(reason: str) -> None:
    if os.environ.get("MAESTOSO_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (MAESTOSO_REQUIRE_POSTGRES=1 requires the browser tests)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (make install)")
    # Conditions are awaited, never slept for; a loaded machine gets time (a test that bounds
    # a wait more tightly says so).
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield found
        found.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("ui-server")).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def api(server: ServerProcess) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


@pytest.fixture
def console_errors() -> list[str]:
    """The errors the page's console shows; a test that expects one removes it."""
    return []


@pytest.fixture
def page(
    browser: Any, server: ServerProcess, request: pytest.FixtureRequest, console_errors: list[str]
) -> Iterator[Any]:
    """A fresh browser page on the server; the test fails on any console error, and its last
    screen is kept as a screenshot."""
    context = browser.new_context(base_url=server.base, viewport={"width": 1360, "height": 900})
    found = context.new_page()
    errors = console_errors
    found.on("console", lambda message: message.type == "error" and errors.append(message.text))
    found.on("pageerror", lambda error: errors.append(str(error)))
    yield found
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"errors in the browser console: {errors}"
