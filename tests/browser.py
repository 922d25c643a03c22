"""A real Chromium (Debian's), driven by Playwright: one browser per run, a fresh page per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # Without these Chromium floods this closed network with refused connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A page in its own context (own cookies and storage); the CDN is unreachable, as here."""
    context = browser.new_context()
    # Shopify's CDN cannot be reached from tests: fail those requests at once, as offline would.
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()
