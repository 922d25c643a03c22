"""Creating and updating the app's web pixel through devstore's Admin API."""

from __future__ import annotations

import requests

from devstore.oauth import oauth_state
from models import WebPixel, utcnow
from shopify_app.pixel.install import RETRY_AFTER
from shopify_app.pixel.keys import key_hash
from tests.install.conftest import id_token, launch
from tests.pixel.conftest import SHOP, PixelShop, checkout, event
from tests.webhooks.conftest import wait_all_processed


def lost_sync() -> None:
    """The last attempt failed longer ago than the retry interval."""
    WebPixel.update(synced_at=None, updated_at=utcnow() - RETRY_AFTER * 2).where(
        WebPixel.app_id == SHOP
    ).execute()


def test_a_later_visit_leaves_a_synced_pixel_alone(installed: PixelShop):
    key = installed.key
    launch(installed.live, SHOP)
    assert installed.key == key


def test_a_pixel_shopify_already_has_is_updated_with_a_new_key(installed: PixelShop):
    old = installed.pixel()
    # Our row lost its sync (as after a failed attempt): the next visit tries again, finds the
    # pixel TAKEN and updates it in place.
    lost_sync()
    launch(installed.live, SHOP)
    new = installed.pixel()
    assert new["id"] == old["id"]
    assert new["settings"]["shopKey"] != old["settings"]["shopKey"]
    assert WebPixel.get(WebPixel.app_id == SHOP).key_hash == key_hash(new["settings"]["shopKey"])
    started = event("checkout_started", checkout())
    assert installed.post([started], key=old["settings"]["shopKey"]).status_code == 401
    assert installed.post([started]).status_code == 200


def test_a_reinstall_creates_the_pixel_again(installed: PixelShop):
    old_key = installed.key
    url = f"{installed.live.devstore_url}/_devstore/shops/{SHOP}/uninstall"
    with requests.post(url, timeout=5) as response:
        assert response.status_code == 200
    assert installed.pixel() is None  # Shopify removes an app's pixel with the app
    hook = {"topic": "app/uninstalled", "shop": SHOP}
    with requests.post(f"{installed.live.devstore_url}/_devstore/webhooks", json=hook, timeout=10):
        pass
    wait_all_processed()  # the uninstall is processed after its acknowledgement
    launch(installed.live, SHOP)
    assert installed.pixel() is not None and installed.key != old_key


def open_admin(live) -> None:  # type: ignore[no-untyped-def]
    """The admin loads the app with a fresh ID token (devstore's launch would re-grant)."""
    params = {"shop": SHOP, "embedded": "1", "id_token": id_token(SHOP)}
    with requests.get(f"{live.app_url}/", params=params, timeout=15) as response:
        assert response.status_code == 200


def test_without_the_pixel_scopes_the_failure_is_recorded_and_retried(live):
    state = live.devstore.extensions["devstore"]
    launch(live, SHOP)
    # The merchant's grant lacks the pixel scopes (an install from before they were asked).
    with state.lock:
        oauth_state(state)["shops"][SHOP]["scopes"] = "read_orders,write_app_proxy"
        state.section("admin_api")[SHOP].pop("web_pixel", None)
    lost_sync()
    open_admin(live)
    row = WebPixel.get(WebPixel.app_id == SHOP)
    assert row.synced_at is None and "write_pixels" in row.sync_error
    with state.lock:
        oauth_state(state)["shops"][SHOP]["scopes"] += ",write_pixels,read_customer_events"
    open_admin(live)  # too soon after the refusal: not tried again
    assert WebPixel.get(WebPixel.app_id == SHOP).synced_at is None
    lost_sync()  # ... a few minutes later
    open_admin(live)
    row = WebPixel.get(WebPixel.app_id == SHOP)
    assert row.synced_at is not None and row.sync_error is None
