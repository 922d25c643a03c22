"""A process that dies between storing a delivery and processing it: Shopify's retry (same
webhook id) processes it at once, and every acknowledged order becomes exactly one purchase
without anyone running the worker."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from devstore import webhooks as shopify
from models import Event, WebhookDelivery, WebhookStatus, utcnow
from tests.app_process import AppProcess
from tests.conftest import TEST_API_SECRET
from tests.webhooks.conftest import SHOP, inbox, purchases
from webhooks.inbox import retry_failed_webhooks

ORDERS = 48
SENDERS = 6
KILL_AFTER = 16  # acknowledged deliveries before the kill


def wait_until_all_processed(timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = WebhookDelivery.select().where(WebhookDelivery.status != WebhookStatus.PROCESSED)
        if not pending.exists():
            return True
        time.sleep(0.1)  # polling the condition, with a deadline
    return False


def test_retry_of_a_delivery_left_received_is_processed_at_once(hooks):
    # What a process killed right after committing the delivery leaves: a fresh `received` row.
    order = hooks.order()
    WebhookDelivery.create(
        webhook_id="wh-crashed", app_id=SHOP, topic="orders/paid", body=json.dumps(order)
    )
    sent = hooks.send("orders/paid", order, webhook_id="wh-crashed")
    # Acknowledged as already stored; the app's own thread processes it right after.
    assert (sent.status, sent.body["status"]) == (200, "duplicate")
    assert [(d.status, d.attempts) for d in inbox()] == [(WebhookStatus.PROCESSED, 1)]
    assert len(purchases()) == 1


def test_the_worker_picks_up_deliveries_stuck_for_two_minutes(db):
    WebhookDelivery.create(
        webhook_id="wh-stuck",
        app_id=SHOP,
        topic="orders/paid",
        body=json.dumps(shopify.order(SHOP, 4242)),
        received_at=utcnow() - dt.timedelta(minutes=3),
    )
    assert retry_failed_webhooks().processed == 1
    assert [p.order_id for p in purchases()] == ["4242"]


def test_kill_9_mid_stream_then_shopify_retries_gives_one_purchase_per_order(
    db, database_url, tmp_path
):
    orders = [shopify.order(SHOP, 9_100_000_000_000 + n) for n in range(ORDERS)]
    webhook_ids = [f"wh-kill-{n}" for n in range(ORDERS)]
    acknowledged: set[int] = set()
    lock = threading.Lock()
    enough = threading.Event()
    killed = threading.Event()

    def deliver(n: int, app_url: str) -> None:
        if killed.is_set():
            return  # Shopify will retry it
        try:
            sent = shopify.send(
                app_url,
                "orders/paid",
                SHOP,
                orders[n],
                secret=TEST_API_SECRET,
                webhook_id=webhook_ids[n],
                timeout=5,
            )
        except requests.RequestException:
            return  # the connection died with the process: not acknowledged
        if sent.status == 200:
            with lock:
                acknowledged.add(n)
                if len(acknowledged) >= KILL_AFTER:
                    enough.set()

    db.close()  # the app process owns the writes; this one only reads afterwards
    # Rows the killed process had claimed are claimed again when their lease ends: short here.
    with AppProcess(database_url, str(tmp_path / "app.log"), WEBHOOK_CLAIM_SECONDS="2") as app:
        app.start()
        with ThreadPoolExecutor(SENDERS) as pool:
            sending = [pool.submit(deliver, n, app.url) for n in range(ORDERS)]
            assert enough.wait(timeout=60), "the app acknowledged too few deliveries"
            killed.set()
            app.kill()
            for future in sending:
                future.result()
        acknowledged_before_kill = set(acknowledged)

        app.start()
        # Shopify's retries: every delivery it holds no 2xx for, with its webhook id.
        for n in range(ORDERS):
            if n in acknowledged_before_kill:
                continue
            tries = shopify.send_until_acknowledged(
                app.url,
                "orders/paid",
                SHOP,
                orders[n],
                secret=TEST_API_SECRET,
                webhook_id=webhook_ids[n],
            )
            assert tries[-1].status == 200, tries
        # Processing follows the acknowledgements, in the restarted app's own thread.
        assert wait_until_all_processed(timeout=60), "deliveries left unprocessed"
        app.kill()

    per_order: dict[str, int] = {}
    for event in Event.select().where(Event.event_name == "purchase"):
        per_order[event.order_id] = per_order.get(event.order_id, 0) + 1
    assert per_order == {str(o["id"]): 1 for o in orders}
    statuses = {d.status for d in WebhookDelivery.select()}
    assert statuses == {WebhookStatus.PROCESSED}
    assert len(acknowledged_before_kill) >= KILL_AFTER
