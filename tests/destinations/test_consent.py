"""Consent: a refusal never reaches Meta; without a signal, the shop's policy decides."""

from __future__ import annotations

import json
import uuid

import pytest

from devstore import webhooks as shopify
from models import AppSettings, CustomEvent, Delivery, Event
from shopify_app.destinations.consent import may_send
from tests.conftest import TEST_API_SECRET
from tests.destinations.conftest import SHOP
from tests.ingest.proxy_client import CHROME, signed_path
from tests.webhooks.conftest import wait_processed
from webhooks.attribution import CONSENT_ATTRIBUTE


def order_from(stack, country: str | None, consent: str | None = None) -> None:  # type: ignore[no-untyped-def]
    attributes = {CONSENT_ATTRIBUTE: consent} if consent is not None else {}
    order = shopify.order(SHOP, note_attributes=attributes)
    for key in ("billing_address", "shipping_address"):
        if isinstance(order.get(key), dict):
            order[key]["country_code"] = country
    sent = shopify.send(stack.app_url, "orders/paid", SHOP, order, secret=TEST_API_SECRET)
    assert sent.status == 200
    wait_processed(sent.webhook_id, 0)  # processing follows the acknowledgement


def queued() -> int:
    return Delivery.select().count()


@pytest.mark.parametrize(
    ("policy", "country", "consent", "sent"),
    [
        ("by_region", "GB", None, False),  # the UK needs consent first
        ("by_region", "DE", None, False),  # the EEA
        ("by_region", "CH", None, False),  # Switzerland
        ("by_region", None, None, False),  # unknown country: may be there
        ("by_region", "US", None, True),
        ("send", "DE", None, True),
        ("skip", "US", None, False),
        ("send", "US", "0", False),  # a refusal always wins
        ("by_region", "DE", "1", True),  # so does an explicit yes
    ],
)
def test_order_consent_follows_the_shops_policy(stack, shop, policy, country, consent, sent):
    AppSettings.update(consent_when_unknown=policy).execute()
    order_from(stack, country, consent)
    assert len(Event.select()) == 1  # the purchase is recorded either way
    assert queued() == (1 if sent else 0)


def test_the_default_policy_is_by_region(stack, shop):
    assert AppSettings.get().consent_when_unknown == "by_region"
    assert may_send(None, None, "FR") is False and may_send(None, None, "CA") is True


def track(stack, ip: str, marketing: bool | None):  # type: ignore[no-untyped-def]
    import requests

    body = {
        "session_id": "sess_0123456789",
        "events": [
            {
                "id": uuid.uuid4().hex,
                "name": "add_to_wishlist",
                "url": f"https://{SHOP}/products/red-shoes",
                "page_type": "product",
            }
        ],
    }
    if marketing is not None:
        body["marketing"] = marketing
    response = requests.post(
        stack.app_url + signed_path("/proxy/track", SHOP),
        data=json.dumps(body),
        headers={"User-Agent": CHROME, "X-Forwarded-For": ip, "Content-Type": "text/plain"},
        timeout=10,
    )
    assert response.status_code == 200 and response.json()["accepted"] == 1, response.text


@pytest.mark.parametrize(
    ("ip", "marketing", "sent"),
    [
        ("8.8.8.8", None, True),  # a US visitor, no Customer Privacy API on the page
        ("81.2.69.160", None, False),  # a UK visitor without a signal
        ("8.8.8.8", False, False),  # refused
        ("81.2.69.160", True, True),  # allowed
    ],
)
def test_storefront_consent_follows_the_policy_by_visitor_country(stack, shop, ip, marketing, sent):
    CustomEvent.create(
        app_id=SHOP,
        name="add_to_wishlist",
        display_name="Add to wishlist",
        event_type="click",
        selector=".w",
        meta_event_name="AddToWishlist",
    )
    track(stack, ip, marketing)
    assert Event.select().count() == 1
    assert queued() == (1 if sent else 0)
