"""Processing after the acknowledgement: claims keep processors from doing a delivery twice,
expired claims are taken again, and the worker's loop processes what the server only stored."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from devstore import webhooks as shopify
from models import WebhookDelivery, WebhookStatus, utcnow
from tests.conftest import TEST_API_SECRET
from tests.live import live_stack
from tests.webhooks.conftest import SHOP, inbox, purchases
from webhooks.inbox import RetryReport, claim, process_due
from webhooks.loop import run_webhook_loop

ORDERS = 60


def stored_orders(count: int, first: int = 5_000) -> None:
    for n in range(count):
        WebhookDelivery.create(
            webhook_id=f"wh-queued-{n}",
            app_id=SHOP,
            topic="orders/paid",
            body=json.dumps(shopify.order(SHOP, first + n)),
        )


def wait_for(condition, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)  # polling the condition, with a deadline
    return False


def test_racing_processors_process_each_delivery_exactly_once(db):
    stored_orders(ORDERS)

    def processor(_: int) -> RetryReport:
        try:
            return process_due()
        finally:
            db.close()  # this thread's own connection

    with ThreadPoolExecutor(4) as pool:
        reports = list(pool.map(processor, range(4)))
    assert sum(r.processed for r in reports) == ORDERS
    assert sum(r.failed for r in reports) == 0
    # A delivery processed twice would have 2 attempts (each processing counts one).
    assert {(d.status, d.attempts) for d in inbox()} == {(WebhookStatus.PROCESSED, 1)}
    assert len(purchases()) == ORDERS


def test_a_claim_held_by_a_dead_process_is_taken_when_its_lease_ends(db):
    stored_orders(1)
    (held,) = claim()  # the process that claimed it dies here
    assert process_due().processed == 0  # nobody else takes it while the lease runs
    WebhookDelivery.update(claimed_until=utcnow() - dt.timedelta(seconds=1)).where(
        WebhookDelivery.id == held.id
    ).execute()  # the lease has ended
    assert process_due().processed == 1
    assert [(d.status, d.attempts) for d in inbox()] == [(WebhookStatus.PROCESSED, 1)]


def test_a_failed_delivery_waits_for_its_back_off(db):
    WebhookDelivery.create(
        webhook_id="wh-bad-currency",
        app_id=SHOP,
        topic="orders/paid",
        body=json.dumps({"id": 1, "line_items": [], "total_price": "1", "currency": "euros"}),
    )
    assert (process_due().failed, process_due().failed) == (1, 0)
    (row,) = inbox()
    assert (row.status, row.attempts) == (WebhookStatus.FAILED, 1)
    assert row.claimed_until > utcnow()


def test_the_worker_loop_processes_what_a_server_without_processing_stored(database_url):
    with live_stack(database_url, WEBHOOKS_IN_SERVER=False) as stack:
        order = shopify.order(SHOP, 777)
        sent = shopify.send(stack.app_url, "orders/paid", SHOP, order, secret=TEST_API_SECRET)
        assert (sent.status, sent.body) == (200, {"status": "received"})
        assert [d.status for d in inbox()] == [WebhookStatus.RECEIVED]  # nobody processed it

        stop = threading.Event()
        worker = threading.Thread(target=run_webhook_loop, args=(stack.app, stop), daemon=True)
        worker.start()
        try:
            assert wait_for(lambda: [p.order_id for p in purchases()] == ["777"])
            # Woken by the next acknowledgement (NOTIFY on PostgreSQL, polling on SQLite).
            again = shopify.send(
                stack.app_url, "orders/paid", SHOP, shopify.order(SHOP, 778), secret=TEST_API_SECRET
            )
            assert again.status == 200
            assert wait_for(lambda: len(purchases()) == 2)
        finally:
            stop.set()
            worker.join(timeout=10)
        assert not worker.is_alive()
        assert {d.status for d in inbox()} == {WebhookStatus.PROCESSED}
