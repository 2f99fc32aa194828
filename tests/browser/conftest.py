"""Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright for Python.

No browser is ever downloaded (`playwright install` is not used): a missing Chromium fails the
tests with what to install, it does not skip them. Every page gets numbered screenshots in
test-artifacts/<test name>/, plus a Playwright trace (open with `playwright show-trace`) when the
test fails.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 20_000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remember each phase's outcome on the item, so that fixtures know whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


class Chromium:
    """Debian's Chromium, launched on first use: inside the test, so that a missing browser makes
    the test FAIL (not skip, not error in a fixture) with what to install."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Browser | None = None

    def get(self) -> Browser:
        if self._browser is None:
            if not CHROMIUM.is_file():
                pytest.fail(
                    f"Chromium is not installed ({CHROMIUM} is missing): the browser tests drive Debian's "
                    "Chromium, no browser is downloaded. Install it with `apt-get install chromium` "
                    "(.ci/run does this in CI).",
                    pytrace=False,
                )
            try:
                from playwright.sync_api import sync_playwright
            except ImportError:
                pytest.fail("Playwright for Python is missing: pip install -e '.[test]'", pytrace=False)
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    # `expect` has its own timeout (5 s by default), apart from the contexts': on a busy machine
    # Tasklist takes longer than that to draw its filters after logging in.
    try:
        from playwright.sync_api import expect
    except ImportError:  # Chromium.get() fails the test saying what to install
        pass
    else:
        expect.set_options(timeout=TIMEOUT_MS)
    launcher = Chromium()
    try:
        yield launcher
    finally:
        launcher.close()


@dataclass
class Screenshots:
    """Numbered full-page screenshots of the pages of one test, in test-artifacts/<test>/."""

    folder: Path
    taken: list[Path] = field(default_factory=list)

    def __call__(self, page: Page, step: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Screenshots(folder)


@pytest.fixture
def new_page(
    chromium: Chromium, screenshots: Screenshots, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """new_page(name, locale="zh-CN") opens a page in a fresh browser context (its own cookies,
    so one user per context). On failure each open page is screenshotted and its trace kept."""
    contexts: list[tuple[str, BrowserContext]] = []

    def open_page(name: str, locale: str = "zh-CN", **options: Any) -> Page:
        context = chromium.get().new_context(locale=locale, viewport={"width": 1400, "height": 900}, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.tracing.start(screenshots=True, snapshots=True)
        contexts.append((name, context))
        return context.new_page()

    yield open_page

    report = getattr(request.node, "rep_call", None)
    failed = report is None or report.failed
    for name, context in contexts:
        try:
            if failed:
                for page in context.pages:
                    screenshots(page, f"{name}-at-failure")
                context.tracing.stop(path=str(screenshots.folder / f"trace-{name}.zip"))
            else:
                context.tracing.stop()
        finally:
            context.close()
