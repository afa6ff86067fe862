"""Driving a real headless Chromium (Debian's, installed by ``.ci/run``) through Playwright.

``open_page`` opens a page of the live server in a fresh context, records every console
error and uncaught page error, and ``finish`` asserts there were none and writes a
screenshot of the whole page to the test output folder. ``serious_violations`` runs
axe-core (shipped inside the axe-playwright-python package, injected into the page)
and returns the serious and critical violations.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

CHROMIUM = Path(os.environ.get("COMMENSURA_CHROMIUM", "/usr/bin/chromium"))
"""The browser the tests drive; Debian's package puts it here."""

OUTPUT = Path(os.environ.get("COMMENSURA_TEST_OUTPUT", "test-output"))
"""Where screenshots go (relative to the working directory unless absolute)."""

FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Chromium started headless with nothing reaching out of this machine."""

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


@contextmanager
def launch() -> Iterator[Browser]:
    """Start Chromium headless; stopped on exit."""
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def _launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(FLAGS)
    )


@dataclass
class Visit:
    """A page being looked at, with what its console said."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def finish(self, name: str) -> Path:
        """Assert no console or page error happened; save a full-page screenshot."""
        assert not self.errors, f"{self.page.url} logged errors: {self.errors}"
        OUTPUT.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
        target = OUTPUT / "screenshots" / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target


@contextmanager
def open_page(
    browser: Browser, url: str, *, viewport: dict[str, int] | None = None
) -> Iterator[Visit]:
    """Open ``url`` in a fresh context and wait until the network is idle."""
    context = browser.new_context(viewport=viewport or LAPTOP)  # type: ignore[arg-type]
    page = context.new_page()
    visit = Visit(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            visit.errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    try:
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        yield visit
    finally:
        context.close()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response.get("violations", [])
    return [v for v in violations if v.get("impact") in ("serious", "critical")]
