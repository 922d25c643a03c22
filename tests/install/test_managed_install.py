"""Shopify-managed install: the admin opens the app with an ID token; we exchange it and sync."""

from __future__ import annotations

import json

import requests

from models import Shop, ShopState, db
from shopify_app.storefront_config import build_storefront_config
from tests.conftest import TEST_API_KEY
from tests.install.conftest import SHOP, id_token, launch, store_status, stored_metafield
from tests.webhooks.conftest import wait_all_processed


def test_first_launch_installs_the_shop_and_renders_the_shell(live):
    response = launch(live)

    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]
    assert f'<meta name="shopify-api-key" content="{TEST_API_KEY}">' in response.text
    assert "Connected to acme.myshopify.com" in response.text
    assert response.headers["Content-Security-Policy"] == (
        f"frame-ancestors https://{SHOP} https://admin.shopify.com;"
    )
    shop = Shop.get(Shop.domain == SHOP)
    assert shop.state == ShopState.INSTALLED
    assert shop.installed_at is not None
    assert shop.refresh_token and shop.refresh_token_expires_at > shop.access_token_expires_at
    assert shop.scopes == "read_orders,write_app_proxy,write_pixels,read_customer_events"
    assert store_status(live)["token_exchanges"] == 1


def test_install_writes_the_storefront_config_to_the_app_metafield(live):
    launch(live)

    metafield = stored_metafield(live)
    assert metafield is not None and metafield["type"] == "json"
    with live.app.app_context():
        assert json.loads(metafield["value"]) == build_storefront_config(SHOP)
    shop = Shop.get(Shop.domain == SHOP)
    assert shop.config_synced_at is not None and shop.config_sync_pending_since is None


def test_later_launches_reuse_the_stored_token(live):
    launch(live)
    launch(live, path="/")
    assert launch(live).status_code == 200
    assert store_status(live)["token_exchanges"] == 1


def test_tokens_are_never_stored_in_plaintext(live):
    launch(live)
    shop = Shop.get(Shop.domain == SHOP)
    placeholder = db.obj.param  # %s on PostgreSQL, ? on SQLite
    raw_access, raw_refresh = db.execute_sql(
        f"SELECT access_token, refresh_token FROM shops WHERE domain = {placeholder}", (SHOP,)
    ).fetchone()
    assert shop.access_token.startswith("shpat_") and shop.refresh_token.startswith("shprt_")
    for plaintext, raw in ((shop.access_token, raw_access), (shop.refresh_token, raw_refresh)):
        assert plaintext not in raw
        assert raw.startswith("gAAAA")  # Fernet


def test_reinstall_after_uninstall_exchanges_a_new_token(live):
    launch(live)
    first = Shop.get(Shop.domain == SHOP)
    # Uninstall: Shopify revokes the tokens and drops the app's data; our webhook handler
    # forgets the tokens and marks the shop uninstalled.
    with requests.post(f"{live.devstore_url}/_devstore/shops/{SHOP}/uninstall", timeout=5):
        pass
    wait_all_processed()  # the app/uninstalled delivery is processed after its acknowledgement
    Shop.update(
        state=ShopState.UNINSTALLED,
        uninstalled_at=first.installed_at,
        access_token=None,
        refresh_token=None,
        token_version=Shop.token_version + 1,
    ).where(Shop.domain == SHOP).execute()
    assert stored_metafield(live) is None

    response = launch(live)

    assert response.status_code == 200
    shop = Shop.get(Shop.domain == SHOP)
    assert shop.state == ShopState.INSTALLED and shop.uninstalled_at is None
    assert shop.installed_at >= first.installed_at
    assert shop.access_token != first.access_token
    assert store_status(live)["token_exchanges"] == 2
    assert stored_metafield(live) is not None  # config written again for the new installation


def test_install_while_the_metafield_write_fails_records_a_pending_sync(live):
    # Shopify refuses the write at install (and the web pixel's creation after it) and again on
    # the retry the same visit makes.
    faults = [{"kind": "graphql_error", "message": "Internal error"}] * 3
    url = f"{live.devstore_url}/_devstore/shops/{SHOP}/admin-api-faults"
    with requests.post(url, json=faults, timeout=5):
        pass

    response = launch(live)

    assert response.status_code == 200
    assert "Not on your storefront yet" in response.text
    shop = Shop.get(Shop.domain == SHOP)
    assert shop.config_sync_pending_since is not None
    assert "Internal error" in shop.config_sync_error
    assert stored_metafield(live) is None

    # The next visit retries and clears the pending state.
    again = launch(live)
    assert 'data-sync-state="synced"' in again.text
    assert Shop.get(Shop.domain == SHOP).config_sync_pending_since is None
    assert stored_metafield(live) is not None


def test_first_launch_while_shopify_is_unreachable_shows_a_clear_page(live, refused_url):
    live.app.config["SHOPIFY_ADMIN_URL_TEMPLATE"] = f"{refused_url}/{{shop}}"
    params = {"shop": SHOP, "embedded": "1", "id_token": id_token()}
    with requests.get(f"{live.app_url}/", params=params, timeout=15) as response:
        assert response.status_code == 503
        assert "Shopify could not be reached" in response.text
        assert "text/html" in response.headers["Content-Type"]
        assert response.headers["Content-Security-Policy"].startswith(
            f"frame-ancestors https://{SHOP}"
        )
    assert Shop.select().count() == 0
