"""A devstore checkout in Chromium, end to end: the storefront tracker writes the session into
the cart, the checkout loads our built web pixel in a sandboxed iframe, Shopify's events reach
the app once each, the order webhook's purchase is the one purchase in reports, and Meta counts
one Purchase although it received the browser's copy and the server's (same event id)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from devstore.proxy import CLIENT_ADDRESS_HEADER
from devstore.storefront import carts
from models import Delivery, Event
from shopify_app.analytics.reports import dashboard
from shopify_app.destinations.delivery import Deliverer
from shopify_app.destinations.meta_client import MetaClient
from tests.pixel.conftest import CHROME_UA, SHOP, PixelShop, meta_shop

CHECKOUT_EVENTS = [
    "checkout_started",
    "checkout_contact_info_submitted",
    "checkout_address_info_submitted",
    "checkout_shipping_info_submitted",
    "payment_info_submitted",
    "checkout_completed",
]
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def wait_until(page: Any, done: Any, timeout: float = 15.0) -> None:
    """Wait through the page (so Playwright keeps serving it) until `done()` holds."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(100)


def stored(name: str) -> list[Event]:
    return list(Event.select().where((Event.app_id == SHOP) & (Event.event_name == name)))


def as_seen_from(address: str) -> Any:
    """A route handler: devstore (Shopify's edge) sees the shopper at `address`. Only requests
    to devstore carry the header: on the pixel's cross-origin requests it would need CORS."""

    def handle(route: Any) -> None:
        route.continue_(headers={**route.request.headers, CLIENT_ADDRESS_HEADER: address})

    return handle


@pytest.fixture
def shopper(browser, installed: PixelShop):  # type: ignore[no-untyped-def]
    context = browser.new_context(user_agent=CHROME_UA)
    context.route(f"{installed.live.devstore_url}/**", as_seen_from("8.8.8.8"))
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


@SQLITE_ONLY
def test_a_checkout_reaches_the_app_once_and_meta_counts_one_purchase(
    installed: PixelShop, shopper: Any
) -> None:
    live = installed.live
    meta_shop()
    store = f"{live.devstore_url}/{SHOP}"
    pixel_requests: list[str] = []
    shopper.on(
        "request",
        lambda r: pixel_requests.append(r.frame.url) if r.url.endswith("/pixel/events") else None,
    )

    # The storefront (theme embed) starts a session and writes it into the cart.
    shopper.goto(f"{store}/products/red-shoes?utm_source=facebook&utm_campaign=spring")
    state = live.devstore.extensions["devstore"]

    def session_in_cart() -> str | None:
        for cart in carts(state).values():
            if cart["attributes"].get("_sightline_session"):
                return cart["attributes"]["_sightline_session"]
        return None

    wait_until(shopper, lambda: session_in_cart() is not None)
    session = session_in_cart()
    # The storefront runs the pixel too: its product_viewed (Meta's ViewContent) lands first.
    wait_until(shopper, lambda: bool(stored("product_viewed")))

    # Checkout: every step, then the thank-you page.
    shopper.goto(f"{store}/checkout")
    assert shopper.locator("iframe#web-pixel-sightline").get_attribute("sandbox") == "allow-scripts"
    shopper.click("#contact-continue")
    shopper.click("#shipping-continue")
    shopper.click("#pay-now")
    shopper.wait_for_selector("#thank-you:not([hidden])")
    wait_until(shopper, lambda: all(stored(name) for name in CHECKOUT_EVENTS))
    shopper.wait_for_timeout(1000)  # anything extra (a resend) would land by now

    # Stored once each, stitched to the storefront's session and campaign.
    for name in CHECKOUT_EVENTS:
        (event,) = stored(name)
        assert (event.source, event.session_id) == ("web_pixel", session), name
        assert (event.utm_source, event.utm_campaign) == ("facebook", "spring"), name
        assert event.marketing_consent is True
    # The requests came from the sandbox (an opaque origin), not from the checkout page.
    assert pixel_requests and all("web-pixel-sandbox" in url for url in pixel_requests)

    # One purchase: the webhook's. checkout_completed names the same order.
    (purchase,) = stored("purchase")
    (completed,) = stored("checkout_completed")
    assert purchase.source == "webhook" and purchase.order_id == completed.order_id
    assert purchase.session_id == session
    assert dashboard(SHOP, days=1)["totals"]["purchases"] == 1

    # Meta receives both Purchase copies with the order's id and counts one.
    sender = Deliverer(
        MetaClient(live.app.config["META_GRAPH_URL"], live.app.config["META_API_VERSION"]),
        concurrency=1,
    )
    try:
        sender.deliver_due()
    finally:
        sender.close()
    with requests.get(f"{live.devstore_url}/_devstore/meta/events", timeout=10) as response:
        log = response.json()
    purchases = [e for e in log["events"] if e["event"]["event_name"] == "Purchase"]
    assert len(purchases) == 2
    assert {e["event"]["event_id"] for e in purchases} == {f"order:{purchase.order_id}"}
    assert log["counted"] == {
        "Purchase": 1,
        "InitiateCheckout": 1,
        "AddPaymentInfo": 1,
        "ViewContent": 1,
    }


def checkout_with_consent(installed: PixelShop, browser: Any, consent: str) -> Any:
    """A checkout page opened by a visitor whose consent banner answered `consent`."""
    context = browser.new_context(user_agent=CHROME_UA)
    host = installed.live.devstore_url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": "devstore_consent", "value": consent, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.goto(f"{installed.live.devstore_url}/{SHOP}/checkout")
    return page


@SQLITE_ONLY
def test_without_analytics_consent_the_pixel_is_not_loaded(installed: PixelShop, browser: Any):
    page = checkout_with_consent(installed, browser, "denied")
    assert page.locator("iframe#web-pixel-sightline").count() == 0
    page.click("#contact-continue")
    page.wait_for_timeout(1000)
    assert installed.events() == []
    page.context.close()


@SQLITE_ONLY
def test_the_marketing_choice_travels_with_each_event(installed: PixelShop, browser: Any):
    meta_shop()
    page = checkout_with_consent(installed, browser, "analytics")  # analytics yes, marketing no
    wait_until(page, lambda: bool(stored("checkout_started")))
    (started,) = stored("checkout_started")
    assert started.marketing_consent is False
    # The visitor allows marketing later: the privacy subscription tells the pixel.
    page.evaluate(
        "devstoreCheckout.consent({marketingAllowed: true, analyticsProcessingAllowed: true})"
    )
    page.click("#contact-continue")
    page.click("#shipping-continue")
    page.click("#pay-now")
    wait_until(page, lambda: bool(stored("checkout_completed")))
    (paid,) = stored("payment_info_submitted")
    assert paid.marketing_consent is True
    # Only the events with consent go to Meta.
    queued = {
        d.event_name for d in Delivery.select().join(Event).where(Event.source == "web_pixel")
    }
    assert queued == {"AddPaymentInfo", "Purchase"}
    page.context.close()
