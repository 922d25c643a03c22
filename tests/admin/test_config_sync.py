"""Every admin change rewrites the shop's config metafield; read back from devstore over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from models import Shop
from shopify_app.shopify.config_sync import retry_pending_config_syncs
from tests.admin.conftest import ShopClient
from tests.install.conftest import SHOP, launch
from tests.install.conftest import stored_metafield as stored_record


@pytest.fixture
def installed(live) -> ShopClient:  # type: ignore[no-untyped-def]
    """The shop has installed the app (managed install through devstore)."""
    assert launch(live).status_code == 200
    return ShopClient(live.app.test_client(), SHOP)


def stored_metafield(live) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    """The config as devstore holds it (a json metafield's value is JSON text)."""
    record = stored_record(live)
    if record is None:
        return None
    assert record["type"] == "json"
    return json.loads(record["value"])


def event_names(config: dict[str, Any] | None) -> list[str]:
    return [event["name"] for event in (config or {}).get("events", [])]


def test_install_writes_an_empty_config(live, installed):
    config = stored_metafield(live)
    assert config["shop"] == SHOP and config["events"] == []


def test_create_update_toggle_and_delete_each_rewrite_the_metafield(live, installed):
    created = installed.create(page_type="product", scroll_depth=None)
    config = stored_metafield(live)
    assert config["events"] == [
        {
            "name": "add_to_wishlist",
            "event_type": "click",
            "selector": ".wishlist",
            "scroll_depth": None,
            "page_type": "product",
            "page_url": None,
            "data": {},
        }
    ]

    installed.put(f"/api/custom-events/{created['id']}", {"selector": ".wish-v2"})
    assert stored_metafield(live)["events"][0]["selector"] == ".wish-v2"

    installed.put(f"/api/custom-events/{created['id']}", {"is_active": False})
    assert event_names(stored_metafield(live)) == []

    installed.put(f"/api/custom-events/{created['id']}", {"is_active": True})
    assert event_names(stored_metafield(live)) == ["add_to_wishlist"]

    installed.delete(f"/api/custom-events/{created['id']}")
    assert event_names(stored_metafield(live)) == []


def test_settings_toggles_reach_the_metafield_but_secrets_never_do(live, installed):
    installed.put(
        "/api/settings",
        {"track_pageviews": False, "pixel_id": "1234567", "access_token": "EAAB-never-in-theme-1"},
    )
    config = stored_metafield(live)
    assert config["settings"]["track_pageviews"] is False
    assert "EAAB-never-in-theme" not in str(config) and "1234567" not in str(config)


def test_change_is_saved_while_shopify_is_down_and_synced_on_retry(live, installed, refused_url):
    working_template = live.app.config["SHOPIFY_ADMIN_URL_TEMPLATE"]
    live.app.config["SHOPIFY_ADMIN_URL_TEMPLATE"] = f"{refused_url}/{{shop}}"
    try:
        response = installed.post(
            "/api/custom-events",
            {
                "action": "create",
                "eventData": {
                    "display_name": "Newsletter",
                    "event_type": "submit",
                    "selector": "form.news",
                },
            },
        )
        assert response.status_code == 201
        assert response.get_json()["sync"]["status"] == "pending"
        assert installed.get("/api/settings").get_json()["sync"]["status"] == "pending"
    finally:
        live.app.config["SHOPIFY_ADMIN_URL_TEMPLATE"] = working_template
    assert event_names(stored_metafield(live)) == []  # Shopify never got it
    assert Shop.get(Shop.domain == SHOP).config_sync_pending_since is not None

    with live.app.app_context():
        assert retry_pending_config_syncs() == {SHOP: True}
    assert event_names(stored_metafield(live)) == ["newsletter"]
    assert installed.get("/api/settings").get_json()["sync"]["status"] == "synced"


def test_pending_sync_is_shown_in_the_admin_until_it_lands(live, installed):
    Shop.update(
        config_sync_pending_since=Shop.installed_at, config_sync_error="timed out"
    ).execute()
    page = installed.client.get(
        f"/events?shop={SHOP}&id_token={installed._headers()['Authorization'][7:]}"
    )
    assert b"data-sync-pending" in page.data and b"timed out" in page.data
    with live.app.app_context():
        retry_pending_config_syncs()
    page = installed.client.get(
        f"/events?shop={SHOP}&id_token={installed._headers()['Authorization'][7:]}"
    )
    assert b"data-sync-pending" not in page.data
    assert requests.get(f"{live.app_url}/healthz", timeout=5).status_code == 200


def test_a_change_made_elsewhere_during_a_write_is_written_again_not_lost(live, installed):
    """Another process changes the config while this one is writing an older one: the older
    write must not be the last word (nor be marked synced)."""
    import threading
    import time

    from models import CustomEvent
    from shopify_app.shopify.config_sync import note_config_changed, sync_storefront_config

    faults = f"{live.devstore_url}/_devstore/shops/{SHOP}/admin-api-faults"
    requests.post(faults, json=[{"kind": "http", "status": 429, "retry_after": 1}], timeout=5)
    results = []

    def sync() -> None:
        with live.app.app_context():
            results.append(sync_storefront_config(SHOP))

    writer = threading.Thread(target=sync)
    writer.start()
    time.sleep(0.4)  # the writer has built its config and is waiting out the 429
    CustomEvent.create(app_id=SHOP, name="late", display_name="Late", event_type="load")
    with live.app.app_context():
        note_config_changed(SHOP)  # as the other process does after its change
    writer.join(timeout=20)

    assert results == [True]
    assert event_names(stored_metafield(live)) == ["late"]
