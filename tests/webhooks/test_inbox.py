"""The inbox: bad input is refused without a 500 and kept as failed; failures are retried."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from devstore import webhooks as shopify
from models import Event, WebhookDelivery, WebhookStatus, utcnow
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.test_cli import run_cli
from tests.webhooks.conftest import SHOP, inbox, purchases
from webhooks.inbox import MAX_ATTEMPTS, retry_failed_webhooks


def test_malformed_json_with_valid_signature_is_400_and_kept_as_failed(hooks):
    sent = hooks.send("orders/paid", b'{"id": 1, "total_price": "1.00"', webhook_id="wh-bad")
    assert sent.status == 400
    assert "malformed JSON" in sent.body["error"]
    (row,) = inbox()
    assert (row.webhook_id, row.status, row.attempts) == ("wh-bad", WebhookStatus.FAILED, 1)
    assert row.body == '{"id": 1, "total_price": "1.00"'
    assert "malformed JSON" in row.last_error
    assert Event.select().count() == 0


def test_shopify_retries_of_a_bad_delivery_stay_one_failed_row(hooks):
    tries = shopify.send_until_acknowledged(
        hooks.app_url,
        "orders/paid",
        SHOP,
        b"not json",
        secret="test-api-secret-that-is-long-enough-for-hs256",
    )
    assert [t.status for t in tries] == [400] * 9
    (row,) = inbox()
    assert (row.status, row.attempts) == (WebhookStatus.FAILED, 9)


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"[1, 2, 3]", "not a JSON object"),
        (b"\xff\xfe\x00garbage", "malformed JSON"),
    ],
)
def test_bodies_that_are_not_json_objects_are_400_before_storing_never_500(
    hooks, payload, fragment
):
    sent = hooks.send("orders/paid", payload)
    assert sent.status == 400
    assert fragment in sent.body["error"]
    (row,) = inbox()
    assert row.status == WebhookStatus.FAILED and fragment in row.last_error


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b'{"id": 42, "line_items": [], "total_price": "ten", "currency": "EUR"}', "total_price"),
        (b'{"id": 42, "line_items": [], "total_price": "-5", "currency": "EUR"}', "total_price"),
        (b'{"id": 42, "line_items": [], "total_price": "10.00", "currency": "euros"}', "currency"),
        (b'{"id": "42; x", "line_items": [], "total_price": "1", "currency": "EUR"}', "order id"),
    ],
)
def test_orders_the_handler_cannot_use_are_acknowledged_then_kept_failed(hooks, payload, fragment):
    # The acknowledgement only stores: what the handler finds wrong shows up on the row.
    sent = hooks.send("orders/paid", payload)  # settles: processed once
    assert (sent.status, sent.body) == (200, {"status": "received"})
    (row,) = inbox()
    assert row.status == WebhookStatus.FAILED and fragment in row.last_error
    assert row.claimed_until > utcnow()  # backing off before the next attempt
    assert purchases() == []


def test_odd_values_inside_a_valid_order_are_cleaned_not_fatal(hooks):
    order = hooks.order(note_attributes={"_sightline_session": "s\u0000-1"})
    order["client_details"] = "not an object"
    order["line_items"] = [None, {"sku": ["x"], "quantity": "many"}]
    order["browser_ip"] = "999.1.1.1"
    assert hooks.send("orders/paid", order).status == 200
    (p,) = purchases()
    assert p.session_id == "s-1"
    assert p.ip_address is None and p.user_agent is None
    assert p.custom_data["line_items"][0]["quantity"] == 1


def test_unknown_topic_is_acknowledged_and_ignored(hooks):
    sent = hooks.send("products/update", {"id": 1, "title": "Shirt"})
    assert (sent.status, sent.body) == (200, {"status": "ignored", "topic": "products/update"})
    assert WebhookDelivery.select().count() == 0
    assert Event.select().count() == 0


def test_signed_delivery_without_a_shop_is_400_and_not_stored(hooks):
    sent = hooks.send("orders/paid", hooks.order(), headers={"X-Shopify-Shop-Domain": "evil.com"})
    assert sent.status == 400
    assert WebhookDelivery.select().count() == 0


def test_shopify_retry_of_a_failed_delivery_processes_it(hooks):
    # What a processing failure (say, the database went away mid-way) leaves behind.
    order = hooks.order()
    WebhookDelivery.create(
        webhook_id="wh-retry",
        app_id=SHOP,
        topic="orders/paid",
        body=json.dumps(order),
        status=WebhookStatus.FAILED,
        attempts=1,
        last_error="OperationalError: server closed the connection unexpectedly",
    )
    sent = hooks.send("orders/paid", order, webhook_id="wh-retry")  # settles: processed
    assert (sent.status, sent.body["status"]) == (200, "duplicate")
    (row,) = inbox()
    assert (row.status, row.attempts, row.last_error, row.body) == (
        WebhookStatus.PROCESSED,
        2,
        None,
        "",
    )
    assert len(purchases()) == 1


def failed_order(webhook_id: str, order: dict, **fields) -> WebhookDelivery:  # type: ignore[type-arg]
    return WebhookDelivery.create(
        webhook_id=webhook_id,
        app_id=SHOP,
        topic="orders/paid",
        body=json.dumps(order),
        status=fields.pop("status", WebhookStatus.FAILED),
        attempts=fields.pop("attempts", 1),
        last_error="OperationalError: database is locked",
        **fields,
    )


def test_retry_processes_failed_and_interrupted_deliveries(db):
    failed_order("wh-failed", shopify.order(SHOP, 1001))
    failed_order(
        "wh-stuck",
        shopify.order(SHOP, 1002),
        status=WebhookStatus.RECEIVED,
        attempts=0,
        received_at=utcnow() - dt.timedelta(minutes=30),
    )
    failed_order("wh-fresh", shopify.order(SHOP, 1003), status=WebhookStatus.RECEIVED, attempts=0)
    failed_order("wh-given-up", shopify.order(SHOP, 1004), attempts=MAX_ATTEMPTS)
    failed_order("wh-broken", {"id": "x", "line_items": []})
    report = retry_failed_webhooks()
    assert (report.processed, report.failed) == (3, 1)
    assert sorted(p.order_id for p in purchases()) == ["1001", "1002", "1003"]
    status = {d.webhook_id: d.status for d in WebhookDelivery.select()}
    assert status == {
        "wh-failed": WebhookStatus.PROCESSED,
        "wh-stuck": WebhookStatus.PROCESSED,
        "wh-fresh": WebhookStatus.PROCESSED,  # nobody held a claim on it
        "wh-given-up": WebhookStatus.FAILED,
        "wh-broken": WebhookStatus.FAILED,
    }
    assert WebhookDelivery.get(WebhookDelivery.webhook_id == "wh-broken").attempts == 2


def test_webhooks_retry_command(db, database_url, tmp_path):
    failed_order("wh-cli", shopify.order(SHOP, 2001))
    db.close()
    result = run_cli(
        "webhooks-retry",
        env={"DATABASE_URL": database_url, "TOKEN_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY},
        cwd=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "1 processed, 0 still failing" in result.stdout
    assert [p.order_id for p in purchases()] == ["2001"]
