"""'Also fire the Meta pixel in the browser': fbq() gets the event id the server sends to the
Conversions API, and the pixel code loads only when the setting is on."""

from __future__ import annotations

import pytest

from models import Delivery
from tests.storefront.test_tracker import open_page

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
WISHLIST = {
    "name": "wishlist",
    "event_type": "click",
    "selector": ".wishlist-btn",
    "page_type": "product",
    "meta_event_name": "AddToWishlist",
}
PIXEL = {"pixel_id": "1234567890", "send_to_meta": True}
FB_CALLS = "Array.from(window.fbq ? window.fbq.queue : [], c => Array.from(c))"


def offline_meta(page, requested: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Meta's own script cannot load here: the queueing fbq() stub keeps the calls."""

    def block(route):  # type: ignore[no-untyped-def]
        requested.append(route.request.url)
        route.abort()

    page.route("https://connect.facebook.net/**", block)


@SQLITE_ONLY
def test_the_browser_pixel_uses_the_event_id_the_server_sends(storefront, shopper):
    storefront.configure(
        WISHLIST,
        **PIXEL,
        meta_browser_pixel=True,
        meta_page_views=True,
        consent_when_unknown="send",
    )
    fetched: list[str] = []
    offline_meta(shopper, fetched)
    open_page(shopper, f"{storefront.url}products/red-shoes")
    shopper.click(".wishlist-btn")
    shopper.wait_for_function(f"{FB_CALLS}.some(c => c[1] === 'AddToWishlist')")

    calls = shopper.evaluate(FB_CALLS)
    assert ["init", "1234567890"] in calls
    tracked = {c[1]: c[3]["eventID"] for c in calls if c[0] == "track"}
    assert set(tracked) == {"PageView", "AddToWishlist"}
    assert fetched and "fbevents.js" in fetched[0]
    shopper.goto(storefront.url)  # leaving the page flushes the tracker's batch
    stored = storefront.wait_for(shopper, 3)
    assert tracked["AddToWishlist"] in [e.event_id for e in stored if e.event_name == "wishlist"]
    assert tracked["PageView"] in [e.event_id for e in stored if e.event_name == "page_view"]
    with storefront.app.app_context():
        queued = {d.event.event_id: d.event_name for d in Delivery.select()}
    assert queued[tracked["AddToWishlist"]] == "AddToWishlist"  # the server's copy: same id


@SQLITE_ONLY
def test_without_the_setting_no_pixel_code_loads(storefront, shopper):
    storefront.configure(WISHLIST, **PIXEL)
    scripts: list[str] = []
    shopper.on("request", lambda request: scripts.append(request.url))
    offline_meta(shopper, scripts)
    open_page(shopper, f"{storefront.url}products/red-shoes")
    shopper.click(".wishlist-btn")
    shopper.goto(storefront.url)
    assert [e.event_name for e in storefront.wait_for(shopper, 2)].count("wishlist") == 1
    assert shopper.evaluate("typeof window.fbq") == "undefined"
    assert not [u for u in scripts if "sightline-meta.js" in u or "facebook" in u]


@SQLITE_ONLY
def test_a_refusal_keeps_the_browser_pixel_silent(storefront, shopper):
    storefront.configure(WISHLIST, **PIXEL, meta_browser_pixel=True, consent_when_unknown="send")
    shopper.context.add_cookies(
        [{"name": "devstore_consent", "value": "analytics", "url": storefront.url}]
    )
    offline_meta(shopper, [])
    open_page(shopper, f"{storefront.url}products/red-shoes")
    shopper.wait_for_function("window.fbq !== undefined")
    shopper.click(".wishlist-btn")
    calls = shopper.evaluate(FB_CALLS)
    assert ["init", "1234567890"] in calls and not [c for c in calls if c[0] == "track"]
    shopper.goto(storefront.url)
    assert "wishlist" in [e.event_name for e in storefront.wait_for(shopper, 2)]
