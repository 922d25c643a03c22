"""The App URL opened in a plain browser, outside any Shopify admin, explains itself."""

from __future__ import annotations

import requests

from tests.install.conftest import SHOP


def test_home_without_shopify_context_explains_sightline_and_the_demo(client):
    response = client.get("/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Sightline is a Shopify app" in text
    assert "sightline demo" in text
    assert "Reconnecting to Shopify" not in text
    assert "cdn.shopify.com" not in text  # nothing to bounce to, nothing to load
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none';"


def test_every_admin_page_without_shopify_context_explains_itself(client):
    for path in ("/events", "/settings", "/reports", "/data-requests"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "sightline demo" in response.get_data(as_text=True), path


def test_a_launch_with_shopify_params_still_goes_to_the_bounce_page(client):
    for params in ({"shop": SHOP}, {"host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ"}):
        response = client.get("/", query_string=params)
        assert response.status_code == 302, params
        assert response.headers["Location"].startswith("/auth/session-token?")


def test_the_explanation_is_visible_in_chromium(live, page):
    page.goto(f"{live.app_url}/")
    assert page.title() == "Sightline · a Shopify app"
    command = page.locator("pre", has_text="sightline demo")
    assert command.is_visible()
    assert page.get_by_text("This address opens inside the Shopify admin").is_visible()
    assert page.get_by_text("Reconnecting to Shopify").count() == 0
    with requests.get(f"{live.app_url}/healthz", timeout=5) as health:
        assert health.status_code == 200


def test_the_bounce_page_outside_the_admin_shows_its_way_back(live, page):
    # App Bridge (from the CDN) is unreachable here, as in any plain tab it cannot help.
    page.goto(f"{live.app_url}/auth/session-token?shop={SHOP}&shopify-reload=%2F%3Fshop%3D{SHOP}")
    assert page.get_by_text("Open Sightline from your admin").is_visible()
