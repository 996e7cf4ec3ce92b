"""A running ``gxllm serve`` over the flagged store, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.live_server import live_server
from tests.service_reports import PASSWORD, ReviewStore, copy_store

CHROMIUM = "/usr/bin/chromium"
# Headless, and nothing that reaches outside this machine.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} not found: apt-get install chromium (see .ci/system-deps)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def served(filled_store: ReviewStore, tmp_path: Path) -> Iterator[tuple[str, ReviewStore]]:
    """``gxllm serve`` on a free port over a fresh copy of the flagged store; yields its base URL and the store.

    ``filled_store`` comes from tests.service_fixtures, which the test modules load as a plugin."""
    store = copy_store(filled_store, tmp_path)
    with live_server(store.url, tmp_path) as (base, _server):
        yield base, store


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests save their screenshots (GXLLM_SCREENSHOTS keeps them somewhere known)."""
    kept = os.environ.get("GXLLM_SCREENSHOTS")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        return Path(kept)
    return tmp_path_factory.mktemp("screenshots")


def open_page(browser: Browser, base: str, name: str, *, scale: float = 1) -> tuple[Page, list[str]]:
    """A page logged in as ``name`` at ``scale`` device pixels per CSS pixel, and the list its
    script errors and console errors (a refused inline style among them) are added to."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", device_scale_factor=scale)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    log_in(page, base, name)
    return page, problems


def log_in(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

