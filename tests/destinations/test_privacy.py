"""Uninstall and GDPR: nothing of an uninstalled shop or a redacted customer reaches Meta."""

from __future__ import annotations

from devstore import webhooks as shopify
from models import Delivery
from tests.conftest import TEST_API_SECRET
from tests.destinations.conftest import SHOP, queue_events, statuses
from tests.webhooks.conftest import wait_processed
from webhooks.attribution import CONSENT_ATTRIBUTE


def send(stack, topic: str, payload) -> None:  # type: ignore[no-untyped-def]
    sent = shopify.send(stack.app_url, topic, SHOP, payload, secret=TEST_API_SECRET)
    assert sent.status == 200, sent.body
    wait_processed(sent.webhook_id, 0)  # processing follows the acknowledgement


def test_an_uninstalled_shops_pending_rows_are_cancelled(stack, meta, shop, deliverer):
    queue_events(3)
    send(stack, "app/uninstalled", shopify.shop_resource(SHOP))
    assert statuses() == {"cancelled": 3}
    assert deliverer.deliver_due().claimed == 0 and meta.requests() == 0


def test_a_redacted_customers_undelivered_rows_never_reach_meta(stack, meta, shop, deliverer):
    customer = 7_000_000_001
    order = shopify.order(SHOP, customer_id=customer, note_attributes={CONSENT_ATTRIBUTE: "1"})
    send(stack, "orders/paid", order)
    other = queue_events(1)
    assert Delivery.select().count() == 2

    send(stack, "customers/redact", shopify.customers_redact(SHOP, customer, orders=[order["id"]]))

    assert Delivery.select().count() == 1  # the customer's row (and its hashes) are gone
    assert deliverer.deliver_due().sent == 1
    assert [e["event_id"] for e in meta.received()] == other
