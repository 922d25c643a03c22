"""Click autocapture in Chromium: links and buttons no custom event covers are recorded as
`click` events with what identifies them, never with what a shopper typed."""

from __future__ import annotations

import pytest

from tests.storefront.test_tracker import open_page

WISHLIST = {
    "name": "wishlist",
    "event_type": "click",
    "selector": ".wishlist-btn",
    "page_type": "product",
}
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def shop_around(storefront, shopper) -> None:  # type: ignore[no-untyped-def]
    open_page(shopper, f"{storefront.url}products/red-shoes")
    shopper.fill(".email", "shopper@example.com")  # typed, and must never be recorded
    shopper.click(".product-form button[type=submit]")
    shopper.click(".product-form button[type=submit]")  # a double click: one event
    shopper.click(".wishlist-btn")  # covered by the custom event: not autocaptured
    shopper.click("h1")  # neither a link nor a button
    open_page(shopper, f"{storefront.url}collections/shoes")
    shopper.click("a.product-card")  # a link that leaves the page: flushed on the way out
    shopper.wait_for_url("**/products/red-shoes")


@SQLITE_ONLY
def test_clicks_on_links_and_buttons_are_autocaptured_when_turned_on(storefront, shopper):
    storefront.configure(WISHLIST, track_pageviews=False, track_clicks=True)
    shop_around(storefront, shopper)
    events = storefront.wait_for(shopper, 3)
    clicks = [e for e in events if e.event_name == "click"]
    assert sorted(e.event_name for e in events) == ["click", "click", "wishlist"]
    by_tag = {e.custom_data["tag"]: e for e in clicks}
    button, link = by_tag["button"], by_tag["a"]
    assert button.custom_data == {
        "tag": "button",
        "text": "Add to cart",
        "href": "",
        "selector": "button",
    }
    assert button.page_type == "product"
    assert link.custom_data["href"] == "/acme.myshopify.com/products/red-shoes"  # a path
    assert link.custom_data["selector"] == "a.product-card"
    assert link.custom_data["text"] == "Red" and link.page_type == "collection"
    assert "shopper@example.com" not in str([e.custom_data for e in events])


@SQLITE_ONLY
def test_no_click_is_autocaptured_when_turned_off(storefront, shopper):
    storefront.configure(WISHLIST, track_pageviews=False, track_clicks=False)
    shop_around(storefront, shopper)
    events = storefront.wait_for(shopper, 1)
    assert [e.event_name for e in events] == ["wishlist"]
