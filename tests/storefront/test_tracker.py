"""The tracker in Chromium against devstore: every trigger, filters, manual events, consent,
outages and duplicate sends, checked against what the app stored."""

from __future__ import annotations

import gzip
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from tests.storefront.conftest import SHOPPER_IP

TRACKER = Path(__file__).resolve().parents[2] / "theme_extension" / "assets" / "sightline.js"
ALL_TRIGGERS = [
    {
        "name": "wishlist",
        "event_type": "click",
        "selector": ".wishlist-btn",
        "page_type": "product",
        "meta_event_name": "AddToWishlist",
    },
    {
        "name": "add_to_cart",
        "event_type": "submit",
        "selector": ".product-form",
        "page_type": "product",
    },
    {
        "name": "size_change",
        "event_type": "change",
        "selector": "select[name=size]",
        "page_type": "product",
    },
    {"name": "email_focus", "event_type": "focus", "selector": ".email", "page_type": "all"},
    {"name": "half_read", "event_type": "scroll", "scroll_depth": 50, "page_type": "all"},
    {"name": "product_seen", "event_type": "load", "page_type": "product"},
]


TRIGGERED_ELSEWHERE = ["email_focus", "half_read", "product_seen"]
# The tracker does not depend on the database: most browser tests run on SQLite only, the ones
# that count stored rows (enrichment, deduplication) on both backends.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def open_page(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_function("window.Sightline !== undefined")


def test_the_tracker_stays_under_3_kb_gzipped():
    assert len(gzip.compress(TRACKER.read_bytes(), 9)) <= 3 * 1024


def test_each_trigger_type_stores_exactly_one_enriched_event(storefront, shopper):
    storefront.configure(*ALL_TRIGGERS)
    shopper.goto(f"{storefront.url}account/login?customer_id=7001")
    open_page(
        shopper, f"{storefront.url}products/red-shoes?utm_source=news&utm_campaign=fall&fbclid=FB1"
    )
    shopper.click(".wishlist-btn")
    shopper.click(".product-form button[type=submit]")
    shopper.select_option("select[name=size]", "41")
    shopper.focus(".email")
    shopper.mouse.wheel(0, 4000)
    stored = storefront.wait_for(shopper, 8)  # the index page after signing in had its page view
    events = [e for e in stored if e.page_type == "product"]
    assert [e.page_type for e in stored if e not in events] == ["index"]
    assert sorted(e.event_name for e in events) == sorted(
        ["page_view", "wishlist", "add_to_cart", "size_change", *TRIGGERED_ELSEWHERE]
    )
    # Arriving through a tagged link starts a new session that keeps the campaign.
    assert len({e.event_id for e in events}) == 7 and len({e.session_id for e in events}) == 1
    for event in events:
        assert (event.device_type, event.browser, event.country, str(event.ip_address)) == (
            "desktop",
            "Chrome",
            "US",
            SHOPPER_IP,
        )
        assert (event.page_type, event.utm_source, event.utm_campaign, event.fbclid) == (
            "product",
            "news",
            "fall",
            "FB1",
        )
        assert event.fbc.startswith("fb.1.") and event.fbc.endswith(".FB1")
        assert (event.customer_id, event.marketing_consent, event.source) == (
            "7001",
            True,
            "storefront",
        )
        assert event.url.startswith(f"{storefront.url}products/red-shoes")
        assert len(event.fingerprint) == 32
    # Once per session, the attribution went into the cart for the order to carry: the cart
    # the browser holds now (a cart update still in flight when the first page was left may
    # have started a cart whose cookie never arrived, as it would on Shopify).
    [token] = [c["value"] for c in shopper.context.cookies() if c["name"] == "cart"]
    [cart] = [c for c in storefront.carts() if c["token"] == token]
    assert cart["attributes"]["_sightline_session"] == events[0].session_id
    assert cart["attributes"]["_sightline_utm_source"] == "news"
    assert cart["attributes"]["_sightline_consent_marketing"] == "1"
    assert cart["attributes"]["_fbc"] == events[0].fbc


@SQLITE_ONLY
def test_page_type_and_url_filters_hold_for_elements_added_later(storefront, shopper):
    storefront.configure(
        {
            "name": "wish_product",
            "event_type": "click",
            "selector": ".wishlist-btn",
            "page_type": "product",
        },
        {
            "name": "wish_about",
            "event_type": "click",
            "selector": ".wishlist-btn",
            "page_type": "custom",
            "page_url": "/pages/about*",
        },
        track_pageviews=False,
    )
    open_page(shopper, f"{storefront.url}pages/about-us")
    shopper.click(".wishlist-btn")
    open_page(shopper, f"{storefront.url}pages/contact")  # a page, but not the URL pattern
    shopper.click(".wishlist-btn")
    open_page(shopper, f"{storefront.url}products/red-shoes")
    shopper.click(".wishlist-btn")
    # An element the theme adds after the tracker started is caught by delegation.
    add_button = (
        "document.body.insertAdjacentHTML('beforeend', '<b class=wishlist-btn id=%s>♡</b>')"
    )
    shopper.evaluate(add_button % "late")
    shopper.click("#late")
    open_page(shopper, f"{storefront.url}collections/shoes")
    shopper.evaluate(add_button % "x")
    shopper.click("#x")
    shopper.goto(f"{storefront.url}")  # leaving the page flushes what is pending
    events = storefront.wait_for(shopper, 3)
    assert Counter(e.event_name for e in events) == {"wish_product": 2, "wish_about": 1}
    assert {e.event_name: e.page_type for e in events} == {
        "wish_product": "product",
        "wish_about": "page",
    }


@SQLITE_ONLY
def test_sightline_track_records_manual_events(storefront, shopper):
    storefront.configure(
        {"name": "signup", "event_type": "load", "page_type": "cart"}, track_pageviews=False
    )
    open_page(shopper, storefront.url)
    shopper.evaluate("Sightline.track('signup', {plan: 'gold', value: 12.5, currency: 'EUR'})")
    shopper.evaluate("Sightline.track('not_configured', {})")
    [event] = storefront.wait_for(shopper, 1)
    assert (event.event_name, event.page_type, event.value, event.currency) == (
        "signup",
        "index",
        Decimal("12.50"),
        "EUR",
    )
    assert event.custom_data["plan"] == "gold"


@SQLITE_ONLY
def test_consent_denied_sends_nothing_and_consent_given_later_sends_what_waited(
    storefront, shopper
):
    storefront.configure(*ALL_TRIGGERS)
    shopper.context.add_cookies(
        [{"name": "devstore_consent", "value": "denied", "url": storefront.url}]
    )
    open_page(shopper, f"{storefront.url}products/red-shoes")
    shopper.click(".wishlist-btn")
    shopper.goto(storefront.url)  # pagehide would flush, if anything were allowed
    assert storefront.wait_for(shopper, 1, timeout=2.5, settle=0) == []
    assert storefront.track_requests == [] and storefront.carts() == []

    shopper.context.add_cookies(
        [{"name": "devstore_consent", "value": "pending", "url": storefront.url}]
    )
    open_page(shopper, f"{storefront.url}products/red-shoes")
    shopper.click(".wishlist-btn")
    shopper.wait_for_timeout(1500)
    assert storefront.events() == []
    shopper.evaluate(
        "Shopify.customerPrivacy.setTrackingConsent({analytics: true, marketing: false})"
    )
    events = storefront.wait_for(shopper, 3)
    assert sorted(e.event_name for e in events) == ["page_view", "product_seen", "wishlist"]
    assert {e.marketing_consent for e in events} == {False}


@SQLITE_ONLY
def test_events_sent_while_the_app_is_down_arrive_once_it_is_back(storefront, shopper):
    storefront.configure(*ALL_TRIGGERS)
    storefront.stop_app()
    open_page(shopper, f"{storefront.url}products/red-shoes")
    shopper.click(".wishlist-btn")
    shopper.wait_for_timeout(1500)  # the batch was sent and failed (502 from the proxy)
    open_page(shopper, f"{storefront.url}pages/about")  # and a second page while still down
    shopper.wait_for_timeout(1500)
    assert storefront.track_requests, "the tracker should have tried to send"
    storefront.start_app()
    events = storefront.wait_for(shopper, 4, timeout=15)
    assert sorted(e.event_name for e in events) == [
        "page_view",
        "page_view",
        "product_seen",
        "wishlist",
    ]


def test_duplicate_sends_of_a_batch_store_its_events_once(storefront, shopper):
    storefront.configure(*ALL_TRIGGERS)

    def send_twice(route):  # type: ignore[no-untyped-def]
        # As if the first reply had been lost and the tracker had sent the batch again.
        route.fetch().dispose()
        route.fulfill(response=route.fetch())

    shopper.route("**/apps/sightline/track*", send_twice)
    open_page(shopper, f"{storefront.url}products/red-shoes")
    shopper.click(".wishlist-btn")
    events = storefront.wait_for(shopper, 3)
    assert sorted(e.event_name for e in events) == ["page_view", "product_seen", "wishlist"]
    assert shopper.evaluate("JSON.parse(localStorage.getItem('_sl_outbox'))") == []
