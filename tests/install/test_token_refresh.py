"""Expiring offline tokens: refreshed ahead of expiry, on a 401, once for concurrent requests."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from models import Shop, ShopState, db, utcnow
from shopify_app.shopify.admin import admin_graphql
from shopify_app.shopify.errors import ShopNotInstalledError
from tests.install.conftest import SHOP, expire_access_tokens, id_token, launch, store_status
from tests.webhooks.conftest import wait_all_processed

SHOP_QUERY = "{ shop { myshopifyDomain } }"
CONCURRENCY = 5


def _query_in_thread(live, barrier: threading.Barrier) -> str:  # type: ignore[no-untyped-def]
    with live.app.app_context():
        barrier.wait()
        try:
            return admin_graphql(SHOP, SHOP_QUERY)["shop"]["myshopifyDomain"]
        finally:
            db.close()  # this thread's connection


def test_five_concurrent_calls_with_an_expired_token_refresh_once(live):
    launch(live)
    expire_access_tokens(live)
    before = Shop.get(Shop.domain == SHOP)

    barrier = threading.Barrier(CONCURRENCY)
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        results = list(pool.map(lambda _: _query_in_thread(live, barrier), range(CONCURRENCY)))

    assert results == [SHOP] * CONCURRENCY
    assert store_status(live)["refreshes"] == 1
    after = Shop.get(Shop.domain == SHOP)
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token  # the new pair, stored together
    assert after.token_version == before.token_version + 1
    assert after.access_token_expires_at > utcnow() + dt.timedelta(minutes=55)


def test_five_concurrent_http_requests_with_an_expired_token_refresh_once(live):
    launch(live)
    expire_access_tokens(live)

    def sync(_: int) -> dict:
        headers = {"Authorization": f"Bearer {id_token()}"}
        with requests.post(f"{live.app_url}/config-sync", headers=headers, timeout=15) as r:
            assert r.status_code == 200
            return r.json()

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        results = list(pool.map(sync, range(CONCURRENCY)))

    assert all(result["synced"] for result in results)
    assert store_status(live)["refreshes"] == 1


def test_a_token_close_to_expiry_is_refreshed_before_use(live):
    launch(live)
    Shop.update(access_token_expires_at=utcnow() + dt.timedelta(minutes=4)).where(
        Shop.domain == SHOP
    ).execute()
    with live.app.app_context():
        admin_graphql(SHOP, SHOP_QUERY)
        admin_graphql(SHOP, SHOP_QUERY)
    assert store_status(live)["refreshes"] == 1


def test_a_token_with_time_left_is_used_as_is(live):
    launch(live)
    with live.app.app_context():
        admin_graphql(SHOP, SHOP_QUERY)
    assert store_status(live)["refreshes"] == 0


def test_a_401_from_the_admin_api_refreshes_once_and_retries(live):
    launch(live)
    # Shopify expired the token early (our row still thinks it has an hour left).
    with requests.post(
        f"{live.devstore_url}/_devstore/shops/{SHOP}/expire-access-tokens", timeout=5
    ):
        pass
    with live.app.app_context():
        assert admin_graphql(SHOP, SHOP_QUERY)["shop"]["myshopifyDomain"] == SHOP
    assert store_status(live)["refreshes"] == 1


def test_a_refused_refresh_marks_the_shop_for_reauthorisation(live):
    launch(live)
    expire_access_tokens(live)
    # An unknown refresh token: Shopify answers invalid_grant.
    Shop.update(refresh_token="shprt_revoked").where(Shop.domain == SHOP).execute()

    with live.app.app_context(), pytest.raises(ShopNotInstalledError, match="invalid_grant"):
        admin_graphql(SHOP, SHOP_QUERY)

    assert Shop.get(Shop.domain == SHOP).state == ShopState.NEEDS_REAUTH
    # The next admin visit exchanges a new ID token and the shop works again.
    assert launch(live).status_code == 200
    assert Shop.get(Shop.domain == SHOP).state == ShopState.INSTALLED
    assert store_status(live)["token_exchanges"] == 2
    with live.app.app_context():
        assert admin_graphql(SHOP, SHOP_QUERY)["shop"]["myshopifyDomain"] == SHOP


def test_an_uninstalled_app_cannot_refresh(live):
    launch(live)
    expire_access_tokens(live)
    with requests.post(f"{live.devstore_url}/_devstore/shops/{SHOP}/uninstall", timeout=5):
        pass
    wait_all_processed()  # the app/uninstalled delivery is processed after its acknowledgement
    with live.app.app_context(), pytest.raises(ShopNotInstalledError, match="invalid_client"):
        admin_graphql(SHOP, SHOP_QUERY)
    assert Shop.get(Shop.domain == SHOP).state == ShopState.NEEDS_REAUTH


def test_the_previous_refresh_token_works_until_its_successor_is_used(live):
    launch(live)
    original = Shop.get(Shop.domain == SHOP).refresh_token
    token_url = f"{live.devstore_url}/{SHOP}/admin/oauth/access_token"
    credentials = {
        "client_id": live.app.config["SHOPIFY_API_KEY"],
        "client_secret": live.app.config["SHOPIFY_API_SECRET"],
    }

    def refresh(token: str) -> requests.Response:
        body = {**credentials, "grant_type": "refresh_token", "refresh_token": token}
        with requests.post(token_url, json=body, timeout=5) as response:
            return response

    first = refresh(original)
    assert first.status_code == 200
    assert refresh(original).status_code == 200  # grace: the successor is still unused
    assert refresh(first.json()["refresh_token"]).status_code == 200
    refused = refresh(original)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
