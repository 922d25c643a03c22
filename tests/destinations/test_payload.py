"""A purchase webhook reaches devstore's fake Graph API as Meta specifies the server event."""

from __future__ import annotations

import datetime as dt

from devstore import webhooks as shopify
from models import Delivery, DeliveryStatus, Event
from shopify_app.destinations.meta_normalize import sha256
from tests.conftest import TEST_API_SECRET
from tests.destinations.conftest import SHOP, queue_events
from tests.webhooks.conftest import wait_processed
from webhooks.attribution import CONSENT_ATTRIBUTE


def send_order(stack, **fields):  # type: ignore[no-untyped-def]
    order = shopify.order(SHOP, **fields)
    sent = shopify.send(stack.app_url, "orders/paid", SHOP, order, secret=TEST_API_SECRET)
    assert sent.status == 200, sent.body
    wait_processed(sent.webhook_id, 0)  # processing follows the acknowledgement
    return order


def test_a_purchase_webhook_reaches_meta_as_meta_specifies(stack, meta, shop, deliverer):
    order = send_order(
        stack,
        note_attributes={CONSENT_ATTRIBUTE: "1", "_sightline_fbclid": "IwAR2xYz-CaseKept"},
        email=" Ada@Example.com ",
        phone="+44 7700 900123",
    )
    purchase = Event.get(Event.event_name == "purchase")

    assert deliverer.deliver_due().sent == 1

    (event,) = meta.received()
    assert event["event_name"] == "Purchase"
    assert event["event_id"] == purchase.event_id
    assert event["event_time"] == int(purchase.created_at.replace(tzinfo=dt.UTC).timestamp())
    assert event["action_source"] == "website"
    assert event["event_source_url"].startswith(f"https://{SHOP}/products/linen-shirt")
    user = event["user_data"]
    assert user["em"] == sha256("ada@example.com")
    assert user["ph"] == sha256("447700900123")
    assert user["fn"] == sha256("ada") and user["ln"] == sha256("lovelace")
    assert user["ct"] == sha256("london") and user["zp"] == sha256("sw1y4jh")
    assert user["country"] == sha256("gb") and user["st"] == sha256("eng")
    assert user["external_id"] == sha256(str(order["customer"]["id"]))
    assert user["client_ip_address"] == "81.2.69.160"
    assert "iPhone" in user["client_user_agent"]
    # No _fbc cookie: fbc is built from the click id, whose case is kept.
    assert user["fbc"].startswith("fb.1.") and user["fbc"].endswith(".IwAR2xYz-CaseKept")
    custom = event["custom_data"]
    assert (custom["value"], custom["currency"]) == (59.8, "EUR")
    assert custom["order_id"] == str(order["id"])
    assert custom["content_type"] == "product"
    products = [str(line["product_id"]) for line in order["line_items"]]
    assert custom["content_ids"] == products
    assert [c["quantity"] for c in custom["contents"]] == [
        line["quantity"] for line in order["line_items"]
    ]
    assert custom["num_items"] == sum(line["quantity"] for line in order["line_items"])
    assert "user_data" not in custom and "line_items" not in custom
    delivery = Delivery.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.fbtrace_id


def test_fbp_and_fbc_cookies_go_as_they_are(stack, meta, shop, deliverer):
    fbc = "fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890"
    send_order(
        stack,
        note_attributes={
            CONSENT_ATTRIBUTE: "1",
            "_fbp": "fb.1.1596403881668.1116446470",
            "_fbc": fbc,
            "_sightline_fbclid": "other-click",
        },
    )
    assert deliverer.deliver_due().sent == 1
    (event,) = meta.received()
    assert event["user_data"]["fbp"] == "fb.1.1596403881668.1116446470"
    assert event["user_data"]["fbc"] == fbc


def test_a_custom_event_sends_its_mapping_and_data(stack, meta, shop, deliverer):
    (event_id,) = queue_events(
        1, value="19.90", currency="usd", custom_data={"list": "summer", "content_ids": ["A1"]}
    )
    assert deliverer.deliver_due().sent == 1
    (event,) = meta.received()
    assert (event["event_name"], event["event_id"]) == ("AddToWishlist", event_id)
    assert event["custom_data"] == {
        "list": "summer",
        "content_ids": ["A1"],
        "value": 19.9,
        "currency": "USD",
    }
    assert event["user_data"]["fbp"] == "fb.1.1596403881668.1116446470"


def test_an_order_without_a_browser_is_a_system_generated_event(stack, meta, shop, deliverer):
    order = shopify.order(SHOP, note_attributes={CONSENT_ATTRIBUTE: "1"})
    order.pop("client_details", None)
    order["browser_ip"] = None
    sent = shopify.send(stack.app_url, "orders/paid", SHOP, order, secret=TEST_API_SECRET)
    assert sent.status == 200
    wait_processed(sent.webhook_id, 0)  # processing follows the acknowledgement
    assert deliverer.deliver_due().sent == 1
    (event,) = meta.received()
    assert event["action_source"] == "system_generated"
    assert "client_user_agent" not in event["user_data"]
