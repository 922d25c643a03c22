"""The admin shell in Chromium with Shopify's CDN unreachable: it still looks right and works."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import requests

from models import Shop
from tests.conftest import TEST_API_KEY
from tests.install.conftest import SHOP

SCREENSHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"


def _open_app(live, page):  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_default_timeout(10_000)
    page.goto(f"{live.devstore_url}/{SHOP}/admin/apps/{TEST_API_KEY}")
    page.wait_for_selector("nav.sl-nav")
    return page


def test_shell_renders_with_navigation_without_the_cdn(live, page):
    _open_app(live, page)

    assert page.title() == "Home · Sightline"
    nav = page.locator("nav.sl-nav")
    assert nav.is_visible()
    assert nav.evaluate("el => getComputedStyle(el).display") == "flex"
    labels = nav.locator(".sl-nav__link").all_inner_texts()
    assert labels == [
        "Events",
        "Settings",
        "Reports",
        "Deliveries",
        "Reconciliation",
        "Data requests",
    ]
    assert page.locator("s-app-nav").is_hidden()  # the admin's own menu, drawn by App Bridge
    # Polaris components are undefined (no CDN) and styled by our fallback stylesheet.
    assert page.evaluate("() => customElements.get('s-section') === undefined")
    section = page.locator("s-section").first
    assert section.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 255, 255)"
    assert section.evaluate("el => getComputedStyle(el).borderRadius") == "12px"
    heading = page.locator("s-page").evaluate("el => getComputedStyle(el, '::before').content")
    assert heading == '"Sightline"'
    title = section.evaluate("el => getComputedStyle(el, '::before').content")
    assert title == '"Connected to acme.myshopify.com"'
    assert page.get_by_text("Sightline records what shoppers do").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "shell-without-cdn.png"), full_page=True)


def test_nav_links_reopen_the_page_through_the_admin_with_a_fresh_token(live, page):
    _open_app(live, page)

    page.locator(".sl-nav__link", has_text="Settings").click()
    page.wait_for_url(f"{live.app_url}/settings?**")

    target = urlparse(page.url)
    assert target.path == "/settings"
    assert "id_token=" in target.query and f"shop={SHOP}" in target.query


def test_retry_button_syncs_the_config_without_app_bridge(live, page):
    url = f"{live.devstore_url}/_devstore/shops/{SHOP}/admin-api-faults"
    # The config write at install, the web pixel's creation, the visit's retry of the config.
    failing = [{"kind": "graphql_error", "message": "Internal error"}] * 3
    with requests.post(url, json=failing, timeout=5):
        pass
    _open_app(live, page)
    assert page.locator('[data-sync-state="pending"]').is_visible()

    page.locator("[data-sync-retry]").click()

    page.wait_for_selector('[data-sync-state="synced"]')
    assert Shop.get(Shop.domain == SHOP).config_sync_pending_since is None
