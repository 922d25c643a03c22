"""POST /pixel/events over HTTP: the per-shop key, Shopify's payloads per event, storage once,
session stitching, consent, and the Meta mapping."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from models import Delivery, Event, Shop, ShopState, WebPixel
from shopify_app.pixel.keys import key_hash
from tests.install.conftest import launch
from tests.live import live_stack
from tests.pixel.conftest import SHOP, PixelShop, checkout, event, meta_shop, money


def test_install_created_the_pixel_and_kept_only_the_keys_hash(installed: PixelShop):
    pixel = installed.pixel()
    assert pixel is not None and pixel["id"].startswith("gid://shopify/WebPixel/")
    assert pixel["settings"]["endpoint"] == installed.live.app_url
    row = WebPixel.get(WebPixel.app_id == SHOP)
    assert row.key_hash == key_hash(pixel["settings"]["shopKey"])
    assert pixel["settings"]["shopKey"] not in row.key_hash
    assert row.web_pixel_id == pixel["id"] and row.synced_at is not None


def test_a_wrong_or_missing_key_is_401_and_stores_nothing(installed: PixelShop):
    started = event("checkout_started", checkout())
    for key in ("x" * 43, "", installed.key[:-1] + ("A" if installed.key[-1] != "A" else "B")):
        response = installed.post([started], key=key)
        assert response.status_code == 401, key
        assert response.json()["error"]
    other = installed.post([started], shop="other.myshopify.com")
    assert other.status_code == 401
    assert installed.events() == []


def test_an_uninstalled_shop_is_401(installed: PixelShop):
    Shop.update(state=ShopState.UNINSTALLED).where(Shop.domain == SHOP).execute()
    assert installed.post([event("checkout_started", checkout())]).status_code == 401
    assert installed.events() == []


def test_bad_events_are_422_each_and_the_rest_are_stored(installed: PixelShop):
    good = event("checkout_started", checkout())
    no_checkout = event("checkout_started", {})
    bad_currency = event(
        "checkout_started", {"checkout": {**checkout()["checkout"], "currencyCode": "EURO"}}
    )
    completed_without_order = event("checkout_completed", checkout())
    unknown = event("page_viewed", {})
    bad_line = event(
        "payment_info_submitted",
        {"checkout": {**checkout()["checkout"], "lineItems": [{"quantity": "2"}]}},
    )
    response = installed.post(
        [no_checkout, good, bad_currency, completed_without_order, unknown, bad_line, "junk"]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 1
    assert [r["index"] for r in body["rejected"]] == [0, 2, 3, 4, 5, 6]
    assert {r["status"] for r in body["rejected"]} == {422}
    assert "data.checkout" in body["rejected"][0]["error"]
    assert "order.id" in body["rejected"][2]["error"]
    assert [e.event_name for e in installed.events()] == ["checkout_started"]


def test_a_batch_with_only_bad_events_is_422(installed: PixelShop):
    response = installed.post([event("search_submitted", {"searchResult": {}})])
    assert response.status_code == 422
    assert response.json()["rejected"][0]["status"] == 422
    assert installed.events() == []


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/156.0.0.0",
        "",
    ],
)
def test_bots_are_answered_as_the_proxy_answers_them(installed: PixelShop, user_agent: str):
    """The proxy's semantics (tests/ingest/test_proxy_track.py): 200, nothing stored, every valid
    event rejected as bot traffic; an invalid one keeps its own 422 reason. Nothing for Meta."""
    meta_shop()
    batch = [event("checkout_started", checkout()), "junk", event("payment_info_submitted", {})]
    batch.append(event("checkout_completed", checkout(order_id="777")))
    response = installed.post(batch, user_agent=user_agent)
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 0
    assert [(r["index"], r["error"]) for r in body["rejected"]] == [
        (0, "bot traffic is not recorded"),
        (1, "event must be an object"),
        (2, "data.checkout must be an object"),
        (3, "bot traffic is not recorded"),
    ]
    assert installed.events() == [] and Delivery.select().count() == 0


def test_malformed_bodies_are_4xx_json(installed: PixelShop):
    url = f"{installed.live.app_url}/pixel/events"
    assert requests.post(url, data="{", timeout=5).status_code == 400
    assert requests.post(url, data="[]", timeout=5).status_code == 400
    empty = installed.post([])
    assert empty.status_code == 422 and empty.json()["error"]


def test_cors_lets_the_sandbox_post(installed: PixelShop):
    url = f"{installed.live.app_url}/pixel/events"
    preflight = requests.options(
        url,
        headers={"Origin": "null", "Access-Control-Request-Method": "POST"},
        timeout=5,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    posted = installed.post([event("checkout_started", checkout())])
    assert posted.headers["Access-Control-Allow-Origin"] == "*"
    assert installed.post([], key="bad").headers["Access-Control-Allow-Origin"] == "*"


def test_a_resent_batch_is_stored_once(installed: PixelShop):
    batch = [event("checkout_started", checkout()), event("payment_info_submitted", checkout())]
    assert installed.post(batch).json()["accepted"] == 2
    assert installed.post(batch).json()["accepted"] == 2
    stored = installed.events()
    assert len(stored) == 2
    assert {e.event_id for e in stored} == {"px:" + e["id"] for e in batch}


def test_checkout_events_carry_the_storefront_session_and_attribution(installed: PixelShop):
    attributes = {
        "_sightline_session": "s3ss10n-abc123",
        "_sightline_utm_source": "facebook",
        "_sightline_utm_campaign": "spring",
        "_fbp": "fb.1.1596403881668.1116446470",
    }
    installed.post([event("checkout_started", checkout(**attributes))])
    (stored,) = installed.events()
    assert stored.session_id == "s3ss10n-abc123"
    assert (stored.utm_source, stored.utm_campaign) == ("facebook", "spring")
    assert stored.fbp == "fb.1.1596403881668.1116446470"
    assert stored.source == "web_pixel"
    assert stored.value == Decimal("59.80") and stored.currency == "EUR"
    assert set(stored.custom_data["user_data"]) >= {"em", "ph", "fn", "ln", "country"}
    assert "ada@example.com" not in str(stored.custom_data)


def test_product_events_take_the_session_from_the_cart(installed: PixelShop):
    variant = {
        "id": "42",
        "price": money(49.9),
        "product": {"id": "gid://shopify/Product/8001", "title": "Red shoes"},
    }
    cart_attributes = [{"key": "_sightline_session", "value": "s3ss10n-xyz789"}]
    installed.post(
        [
            event("product_viewed", {"productVariant": variant}, cart_attributes=cart_attributes),
            event(
                "product_added_to_cart",
                {
                    "cartLine": {
                        "merchandise": variant,
                        "quantity": 2,
                        "cost": {"totalAmount": money(99.8)},
                    }
                },
            ),
            event("search_submitted", {"searchResult": {"query": "red shoes"}}),
        ]
    )
    viewed, added, searched = installed.events()
    assert viewed.session_id == "s3ss10n-xyz789"
    assert viewed.custom_data["content_ids"] == ["8001"]
    assert (added.value, added.custom_data["num_items"]) == (Decimal("99.80"), 2)
    assert searched.custom_data == {"search_string": "red shoes"}


def test_checkout_completed_is_never_a_purchase(installed: PixelShop):
    installed.post([event("checkout_completed", checkout(order_id="gid://shopify/Order/777"))])
    (stored,) = installed.events()
    assert stored.event_name == "checkout_completed"
    assert stored.order_id == "777"
    assert Event.select().where(Event.event_name == "purchase").count() == 0


def test_meta_gets_mapped_events_with_consent_only(installed: PixelShop):
    meta_shop()
    installed.post(
        [
            event("checkout_started", checkout()),
            event("checkout_contact_info_submitted", checkout()),
            event("payment_info_submitted", checkout()),
            event("payment_info_submitted", checkout(), marketing=False),
            event("checkout_completed", checkout(order_id="777")),
        ]
    )
    queued = sorted(d.event_name for d in Delivery.select())
    assert queued == ["AddPaymentInfo", "InitiateCheckout", "Purchase"]


def test_the_storefront_rate_limits_apply(database_url: str):
    with live_stack(
        database_url, PROXY_VISITOR_RATE_PER_SECOND=0.01, PROXY_VISITOR_RATE_BURST=2
    ) as live:
        assert launch(live, SHOP).status_code == 200
        shop = PixelShop(live, SHOP)
        answers = [shop.post([event("checkout_started", checkout())]) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert int(answers[-1].headers["Retry-After"]) > 0
        assert len(shop.events()) == 2
