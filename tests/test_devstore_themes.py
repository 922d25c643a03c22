"""devstore's storefront themes: the basic and the Dawn-like page structures, chosen per shop or
per request, both carrying the app embed (with the picker asset's URL)."""

from __future__ import annotations

import json
import re

from devstore.app import create_devstore
from devstore.state import DevstoreConfig

SHOP = "acme.myshopify.com"


def client():  # type: ignore[no-untyped-def]
    return create_devstore(DevstoreConfig("key", "secret", "http://127.0.0.1:9")).test_client()


def embed_config(page: str) -> dict:  # type: ignore[type-arg]
    found = re.search(
        r'<script id="sightline-config" type="application/json">(.*?)</script>', page, re.S
    )
    assert found, "the app embed is missing"
    return json.loads(found.group(1))


def test_the_basic_theme_is_the_default_and_dawn_is_chosen_per_request():
    store = client()
    basic = store.get(f"/{SHOP}/products/red-shoes").get_data(as_text=True)
    assert 'class="wishlist-btn"' in basic and "product-form__submit" not in basic
    dawn = store.get(f"/{SHOP}/products/red-shoes?theme=dawn").get_data(as_text=True)
    assert "<product-form" in dawn and "ProductSubmitButton-template--" in dawn
    for page in (basic, dawn):
        config = embed_config(page)
        assert config["page_type"] == "product"
        assert config["picker"].endswith("/extensions/sightline/assets/sightline-picker.js")


def test_a_shop_can_be_set_to_dawn_and_bad_themes_are_refused():
    store = client()
    assert store.post(f"/_devstore/shops/{SHOP}/theme", json={"theme": "x"}).status_code == 422
    assert store.post(f"/_devstore/shops/{SHOP}/theme", data="nope").status_code == 422
    assert store.post(f"/_devstore/shops/{SHOP}/theme", json={"theme": "dawn"}).status_code == 200
    for path in ("", "collections/all", "cart", "pages/about"):
        page = store.get(f"/{SHOP}/{path}").get_data(as_text=True)
        assert 'id="shopify-section-header"' in page, path
        embed_config(page)
    collection = store.get(f"/{SHOP}/collections/all").get_data(as_text=True)
    assert collection.count('class="quick-add__submit') == 4
    # Another shop keeps the default, and the query parameter still wins.
    assert "shopify-section-header" not in store.get("/other.myshopify.com/").get_data(as_text=True)
    assert "wishlist-btn" in store.get(f"/{SHOP}/products/red-shoes?theme=basic").get_data(
        as_text=True
    )
