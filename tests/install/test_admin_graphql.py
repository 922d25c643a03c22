"""The Admin GraphQL client against devstore: throttling, typed errors, no secrets in logs."""

from __future__ import annotations

import logging
import time

import pytest
import requests

from models import Shop
from shopify_app.shopify import graphql
from shopify_app.shopify.admin import admin_graphql
from shopify_app.shopify.config_sync import (
    read_storefront_config,
    retry_pending_config_syncs,
    sync_storefront_config,
)
from shopify_app.shopify.errors import (
    AdminUnauthorizedError,
    GraphQLError,
    ShopifyThrottledError,
    ShopifyUnavailableError,
)
from shopify_app.shopify.settings import current_settings
from shopify_app.storefront_config import build_storefront_config
from tests.install.conftest import SHOP, launch

SHOP_QUERY = "{ shop { myshopifyDomain } }"


def _faults(live, *faults: dict) -> None:  # type: ignore[no-untyped-def]
    url = f"{live.devstore_url}/_devstore/shops/{SHOP}/admin-api-faults"
    with requests.post(url, json=list(faults), timeout=5) as response:
        assert response.status_code == 200


def test_throttled_queries_are_retried_until_they_pass(live, caplog):
    launch(live)
    _faults(live, {"kind": "throttled"}, {"kind": "throttled"})
    with live.app.app_context(), caplog.at_level(logging.DEBUG):
        assert admin_graphql(SHOP, SHOP_QUERY)["shop"]["myshopifyDomain"] == SHOP
    assert sum("THROTTLED" in r.getMessage() for r in caplog.records) == 2


def test_http_429_waits_for_retry_after(live):
    launch(live)
    _faults(live, {"kind": "http", "status": 429, "retry_after": 1})
    started = time.monotonic()
    with live.app.app_context():
        assert admin_graphql(SHOP, SHOP_QUERY)["shop"]["myshopifyDomain"] == SHOP
    assert time.monotonic() - started >= 1.0


def test_throttling_that_does_not_end_raises_after_bounded_retries(live):
    launch(live)
    _faults(live, *[{"kind": "throttled"}] * 4)
    with live.app.app_context(), pytest.raises(ShopifyThrottledError):
        admin_graphql(SHOP, SHOP_QUERY)
    with live.app.app_context():  # the queue is drained: the next call passes
        assert admin_graphql(SHOP, SHOP_QUERY)["shop"]["myshopifyDomain"] == SHOP


def test_graphql_errors_are_typed(live):
    launch(live)
    with live.app.app_context(), pytest.raises(GraphQLError, match="noSuchField"):
        admin_graphql(SHOP, "{ shop { noSuchField } }")


def test_an_unknown_token_is_unauthorized_and_never_logged(live, caplog):
    launch(live)
    with (
        live.app.app_context(),
        caplog.at_level(logging.DEBUG),
        pytest.raises(AdminUnauthorizedError),
    ):
        graphql.execute(current_settings(), SHOP, "shpat_secret_value_123", SHOP_QUERY)
    assert "shpat_secret_value_123" not in caplog.text
    assert live.app.config["SHOPIFY_API_SECRET"] not in caplog.text


def test_an_unreachable_shopify_is_a_typed_error(live, refused_url):
    launch(live)
    live.app.config["SHOPIFY_ADMIN_URL_TEMPLATE"] = f"{refused_url}/{{shop}}"
    with (
        live.app.app_context(),
        pytest.raises(ShopifyUnavailableError, match="could not be reached"),
    ):
        admin_graphql(SHOP, SHOP_QUERY)


def test_config_sync_records_pending_while_shopify_is_down_and_retry_lands_it(live, refused_url):
    launch(live)
    reachable = live.app.config["SHOPIFY_ADMIN_URL_TEMPLATE"]
    live.app.config["SHOPIFY_ADMIN_URL_TEMPLATE"] = f"{refused_url}/{{shop}}"
    with live.app.app_context():
        assert sync_storefront_config(SHOP) is False
    shop = Shop.get(Shop.domain == SHOP)
    assert shop.config_sync_pending_since is not None
    assert "could not be reached" in shop.config_sync_error
    first_pending = shop.config_sync_pending_since

    with live.app.app_context():
        assert sync_storefront_config(SHOP) is False  # still down: pending since the first failure
    assert Shop.get(Shop.domain == SHOP).config_sync_pending_since == first_pending

    live.app.config["SHOPIFY_ADMIN_URL_TEMPLATE"] = reachable
    with live.app.app_context():
        assert retry_pending_config_syncs() == {SHOP: True}
        assert read_storefront_config(SHOP) == build_storefront_config(SHOP)
        assert retry_pending_config_syncs() == {}
    shop = Shop.get(Shop.domain == SHOP)
    assert shop.config_sync_pending_since is None and shop.config_sync_error is None


def test_config_sync_for_a_shop_that_never_installed_does_nothing(live):
    with live.app.app_context():
        assert sync_storefront_config("never.myshopify.com") is False
    assert Shop.select().count() == 0
