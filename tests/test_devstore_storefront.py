"""devstore's storefront without a browser: the cart Ajax API's add, and the standard events each
page publishes (their browser run with the real pixel is tests/pixel/test_storefront_browser.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from devstore.app import create_devstore
from devstore.state import DevstoreConfig
from devstore.storefront_events import VARIANT
from tests.conftest import TEST_API_KEY, TEST_API_SECRET

SHOP = "acme.myshopify.com"


@pytest.fixture
def store() -> FlaskClient:
    app = create_devstore(DevstoreConfig(TEST_API_KEY, TEST_API_SECRET, "http://127.0.0.1:9"))
    return app.test_client()


def published(store: FlaskClient, path: str) -> list[list[Any]]:
    """The (name, data) pairs the page publishes to pixels when it loads."""
    page = store.get(f"/{SHOP}/{path}").get_data(as_text=True)
    found = re.search(r"var events = (\[.*?\]), variant = ", page)
    assert found, "the page publishes no events"
    return json.loads(found.group(1))


def test_cart_add_adds_the_variant_and_refuses_what_shopify_refuses(store: FlaskClient):
    added = store.post(f"/{SHOP}/cart/add.js", json={"id": VARIANT["id"], "quantity": 1})
    assert added.status_code == 200 and added.get_json()["quantity"] == 1
    again = store.post(f"/{SHOP}/cart/add.js", data={"id": str(VARIANT["id"]), "quantity": "2"})
    assert again.get_json()["quantity"] == 3 and again.get_json()["line_price"] == 3 * 4990
    cart = store.get(f"/{SHOP}/cart.js").get_json()
    assert (cart["item_count"], cart["total_price"]) == (3, 14970)

    unknown = store.post(f"/{SHOP}/cart/add.js", json={"id": 1, "quantity": 1})
    assert unknown.status_code == 404 and unknown.get_json()["description"]
    for quantity in (0, -1, "1.5", "x"):
        bad = store.post(f"/{SHOP}/cart/add.js", json={"id": VARIANT["id"], "quantity": quantity})
        assert bad.status_code == 422, quantity
    assert store.get(f"/{SHOP}/cart.js").get_json()["item_count"] == 3


def test_pages_publish_shopifys_standard_events_in_the_documented_shape(store: FlaskClient):
    product = published(store, "products/red-shoes")
    assert [name for name, _ in product] == ["page_viewed", "product_viewed"]
    variant = product[1][1]["productVariant"]
    assert variant["id"] == str(VARIANT["id"]) and variant["sku"] == VARIANT["sku"]
    assert variant["price"] == {"amount": 49.9, "currencyCode": "EUR"}
    assert variant["product"]["id"] == "8001" and variant["product"]["url"] == "/products/red-shoes"

    (_, (name, collection)) = published(store, "collections/all")
    assert name == "collection_viewed"
    assert collection["collection"]["productVariants"] == [variant]

    (_, (name, search)) = published(store, "search?q=Red")
    assert name == "search_submitted"
    assert search["searchResult"] == {"query": "Red", "productVariants": [variant]}
    (_, (_, nothing)) = published(store, "search?q=boots")
    assert nothing["searchResult"]["productVariants"] == []

    (_, (name, empty)) = published(store, "cart")
    assert name == "cart_viewed" and empty == {"cart": None}  # no cart yet
    store.post(f"/{SHOP}/cart/add.js", json={"id": VARIANT["id"], "quantity": 2})
    (_, (_, viewed)) = published(store, "cart")
    assert viewed["cart"]["totalQuantity"] == 2
    assert viewed["cart"]["cost"]["totalAmount"] == {"amount": 99.8, "currencyCode": "EUR"}
    (line,) = viewed["cart"]["lines"]
    assert line["quantity"] == 2 and line["merchandise"] == variant
    assert line["cost"]["totalAmount"] == {"amount": 99.8, "currencyCode": "EUR"}

    assert published(store, "") == [["page_viewed", {}]]
