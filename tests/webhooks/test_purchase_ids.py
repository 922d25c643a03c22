"""Event ids: a shopper cannot take an order's id, an order has one purchase, and a purchase
that cannot be stored is an error, never a silent no-op."""

from __future__ import annotations

import json

import pytest
import requests
from peewee import IntegrityError

from devstore.proxy import signed_proxy_query
from models import AppSettings, Delivery, Event, WebhookDelivery, WebhookStatus
from shopify_app.ingest.writer import NewEvent, write_events
from tests.conftest import TEST_API_SECRET, is_postgresql
from tests.webhooks.conftest import SHOP, inbox, purchases

ORDER_ID = 7_300_000_000_001
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0.0.0 Safari/537.36"


def track(app_url: str, *event_ids: str) -> dict:  # type: ignore[type-arg]
    events = [
        {"id": event_id, "name": "page_view", "url": f"https://{SHOP}/"} for event_id in event_ids
    ]
    response = requests.post(
        f"{app_url}/proxy/track",
        params=signed_proxy_query(SHOP, TEST_API_SECRET),
        data=json.dumps({"events": events}),
        headers={"User-Agent": CHROME, "Content-Type": "text/plain"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_page_view_with_an_order_like_id_does_not_block_the_orders_purchase(hooks):
    AppSettings.create(
        app_id=SHOP, pixel_id="1234567890", send_to_meta=True, consent_when_unknown="send"
    )
    assert track(hooks.app_url, f"order-{ORDER_ID}")["accepted"] == 1

    sent = hooks.send("orders/paid", hooks.order(order_id=ORDER_ID))

    assert (sent.status, sent.body["status"]) == (200, "received")
    (purchase,) = purchases()
    assert (purchase.event_id, purchase.order_id) == (f"order:{ORDER_ID}", str(ORDER_ID))
    assert [d.event_id for d in Delivery.select()] == [purchase.id]  # Meta's Purchase queued


def test_storefront_ids_in_the_servers_format_are_refused(hooks):
    answer = track(hooks.app_url, f"order:{ORDER_ID}", "evt_fine_0001")
    assert answer["accepted"] == 1
    assert [r["index"] for r in answer["rejected"]] == [0]
    assert "letters, digits" in answer["rejected"][0]["error"]
    assert [e.event_id for e in Event.select()] == ["evt_fine_0001"]


def test_an_order_has_one_purchase_whatever_its_event_id(db):
    # Every purchase of an order is stored under the order's id, and an id is stored once.
    order = {"order_id": "5"}
    with pytest.raises(ValueError, match="order:5"):
        write_events(SHOP, [NewEvent("first", "purchase", order)])
    assert write_events(SHOP, [NewEvent("order:5", "purchase", order)]) == ["order:5"]
    assert write_events(SHOP, [NewEvent("order:5", "purchase", order)]) == []
    # Other shops, and other events of the order, are not affected.
    assert write_events("other.myshopify.com", [NewEvent("order:5", "purchase", order)])
    assert write_events(SHOP, [NewEvent("refund-5", "refund", order)])
    assert Event.select().count() == 3
    if not is_postgresql(db):  # SQLite also keeps migration 0010's partial unique index
        with pytest.raises(IntegrityError), db.atomic():
            Event.create(app_id=SHOP, event_id="second", event_name="purchase", order_id="5")


def test_a_purchase_that_cannot_be_stored_is_an_error_not_a_silent_no_op(hooks):
    # Whatever came to hold the order's purchase id (here: a row stored by hand).
    write_events(SHOP, [NewEvent(f"order:{ORDER_ID}", "page_view")])

    sent = hooks.send("orders/paid", hooks.order(order_id=ORDER_ID))

    assert sent.body["status"] == "received"  # acknowledged; processing failed after
    (row,) = inbox()
    assert row.status == WebhookStatus.FAILED
    assert "PurchaseConflictError" in row.last_error and f"order:{ORDER_ID}" in row.last_error
    assert purchases() == []


def test_orders_create_then_paid_and_retries_store_one_purchase(hooks):
    order = hooks.order(order_id=ORDER_ID)
    for topic in ("orders/create", "orders/paid", "orders/paid"):
        assert hooks.send(topic, order).body["status"] == "received"
    assert [p.event_id for p in purchases()] == [f"order:{ORDER_ID}"]
    assert WebhookDelivery.select().where(WebhookDelivery.status == "failed").count() == 0
