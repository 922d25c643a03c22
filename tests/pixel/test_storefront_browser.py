"""devstore's storefront in Chromium with the app's web pixel, as Shopify runs it there: the
pages publish Shopify's standard events (product_viewed, product_added_to_cart through the cart
Ajax API, search_submitted, and the ones our pixel does not subscribe to), the built pixel in its
sandbox forwards the ones it subscribes to, and the app stores each once in Shopify's shape."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from devstore.storefront import carts
from models import Delivery, Event
from tests.pixel.conftest import CHROME_UA, SHOP, PixelShop, meta_shop
from tests.pixel.test_checkout_browser import wait_until

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def pixel_events() -> list[Event]:
    query = Event.select().where((Event.app_id == SHOP) & (Event.source == "web_pixel"))
    return list(query.order_by(Event.id))


def stored(name: str) -> list[Event]:
    return [event for event in pixel_events() if event.event_name == name]


def shopper_with(browser: Any, installed: PixelShop, consent: str | None = None) -> Any:
    context = browser.new_context(user_agent=CHROME_UA)
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    if consent:
        host = installed.live.devstore_url.split("//", 1)[1].split(":")[0]
        context.add_cookies(
            [{"name": "devstore_consent", "value": consent, "domain": host, "path": "/"}]
        )
    return context.new_page()


@pytest.mark.parametrize("theme", ["basic", "dawn"])
@SQLITE_ONLY
def test_storefront_pages_send_shopifys_standard_events(
    installed: PixelShop, browser: Any, theme: str
) -> None:
    meta_shop()
    store = f"{installed.live.devstore_url}/{SHOP}"
    page = shopper_with(browser, installed)
    try:
        page.goto(f"{store}/products/red-shoes?theme={theme}")
        assert page.locator("iframe#web-pixel-sightline").get_attribute("sandbox") == (
            "allow-scripts"
        )
        wait_until(page, lambda: bool(stored("product_viewed")))

        page.click(".product-form button[type=submit]")
        wait_until(page, lambda: bool(stored("product_added_to_cart")))
        (cart,) = [
            c for c in carts(installed.live.devstore.extensions["devstore"]).values() if c["items"]
        ]
        assert cart["item_count"] == 1 and cart["total_price"] == 4990

        page.goto(f"{store}/search?q=red&theme={theme}")
        wait_until(page, lambda: bool(stored("search_submitted")))
        for path in ("collections/all", "cart", ""):  # events our pixel does not subscribe to
            page.goto(f"{store}/{path}?theme={theme}")
        page.goto(f"{store}/products/red-shoes?theme={theme}")
        wait_until(page, lambda: len(stored("product_viewed")) == 2)
        page.wait_for_timeout(1000)  # anything extra (a resend, another event) would land by now
    finally:
        page.context.close()

    names = [event.event_name for event in pixel_events()]
    assert names == [
        "product_viewed",
        "product_added_to_cart",
        "search_submitted",
        "product_viewed",
    ]
    viewed, added, searched, again = pixel_events()
    assert viewed.url.endswith(f"/{SHOP}/products/red-shoes?theme={theme}")
    assert (viewed.value, viewed.currency) == (Decimal("49.90"), "EUR")
    assert viewed.custom_data["content_ids"] == ["8001"]
    assert viewed.custom_data["variant_id"] == "45001"
    assert viewed.custom_data["content_name"] == "Red shoes"
    assert (added.value, added.custom_data["num_items"]) == (Decimal("49.90"), 1)
    assert searched.custom_data == {"search_string": "red"}
    # The tracker wrote the session into the cart after the first page: later events carry it.
    assert again.session_id and again.session_id == cart["attributes"]["_sightline_session"]
    assert viewed.event_id != again.event_id  # each page view is its own event
    queued = sorted(d.event_name for d in Delivery.select())
    assert queued == ["AddToCart", "Search", "ViewContent", "ViewContent"]


@SQLITE_ONLY
def test_without_analytics_consent_the_storefront_loads_no_pixel(
    installed: PixelShop, browser: Any
) -> None:
    page = shopper_with(browser, installed, consent="denied")
    try:
        page.goto(f"{installed.live.devstore_url}/{SHOP}/products/red-shoes")
        assert page.locator("iframe#web-pixel-sightline").count() == 0
        page.click(".product-form button[type=submit]")
        page.wait_for_timeout(1000)
    finally:
        page.context.close()
    assert pixel_events() == []
