"""shopify.app.toml agrees with the code: scopes, callback, webhooks, app proxy, API version."""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import urlparse

from shopify_app.config import DEFAULT_API_VERSION

TOML = Path(__file__).resolve().parents[2] / "shopify.app.toml"


def _config() -> dict:
    with TOML.open("rb") as handle:
        return tomllib.load(handle)


def test_managed_install_with_only_the_scopes_we_use():
    config = _config()
    assert config["embedded"] is True
    assert config["access_scopes"]["use_legacy_install_flow"] is False
    assert config["access_scopes"]["scopes"].split(",") == [
        "read_orders",
        "write_app_proxy",
        "write_pixels",  # webPixelCreate / webPixelUpdate on install
        "read_customer_events",
    ]


def test_web_pixel_mutations_are_refused_without_the_pixel_scopes():
    """devstore grants exactly the toml's scopes, and the pixel mutations need both."""
    from devstore.web_pixels import REQUIRED_SCOPES

    scopes = _config()["access_scopes"]["scopes"].split(",")
    assert all(scope in scopes for scope in REQUIRED_SCOPES)


def test_redirect_url_is_our_callback_on_the_app_url():
    config = _config()
    app = urlparse(config["application_url"])
    redirects = [urlparse(url) for url in config["auth"]["redirect_urls"]]
    assert [(r.netloc, r.path) for r in redirects] == [(app.netloc, "/auth/callback")]


def test_webhooks_cover_orders_uninstall_and_compliance_at_one_endpoint():
    webhooks = _config()["webhooks"]
    assert webhooks["api_version"] == DEFAULT_API_VERSION
    topics = {t for s in webhooks["subscriptions"] for t in s.get("topics", [])}
    compliance = {t for s in webhooks["subscriptions"] for t in s.get("compliance_topics", [])}
    assert {"app/uninstalled", "orders/create", "orders/paid"} <= topics
    assert compliance == {"customers/data_request", "customers/redact", "shop/redact"}
    assert {s["uri"] for s in webhooks["subscriptions"]} == {"/webhooks"}


def test_app_proxy_forwards_apps_sightline_to_our_proxy_blueprint():
    config = _config()
    proxy = config["app_proxy"]
    assert (proxy["prefix"], proxy["subpath"]) == ("apps", "sightline")
    assert proxy["url"] == config["application_url"].rstrip("/") + "/proxy"
