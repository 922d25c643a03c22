"""Acknowledgements share commits, and claimed orders are processed in one transaction, with
each delivery's failure its own: a bad order never fails or loses the others."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from typing import Any

from devstore import webhooks as shopify
from models import AppSettings, Delivery, WebhookDelivery, WebhookStatus, utcnow
from shopify_app.ingest.writer import NewEvent, write_events
from tests.webhooks.conftest import SHOP, inbox, purchases
from webhooks.acks import AckCommitter, Arrival, store_arrivals
from webhooks.inbox import process_due


def arrival(webhook_id: str, order_id: int) -> Arrival:
    body = json.dumps(shopify.order(SHOP, order_id))
    return Arrival(webhook_id, SHOP, "orders/paid", body, utcnow())


def queued(webhook_id: str, order: dict[str, Any], topic: str = "orders/paid") -> None:
    WebhookDelivery.create(webhook_id=webhook_id, app_id=SHOP, topic=topic, body=json.dumps(order))


def test_one_group_stores_each_webhook_id_once(db):
    first, second = arrival("wh-a", 1), arrival("wh-b", 2)

    assert store_arrivals([first, second, first]) == [True, True, False]
    assert store_arrivals([second]) == [False]  # Shopify's retry of a stored delivery
    assert [(d.webhook_id, d.status) for d in inbox()] == [
        ("wh-a", WebhookStatus.RECEIVED),
        ("wh-b", WebhookStatus.RECEIVED),
    ]


def test_a_retry_of_a_failed_delivery_makes_it_due_at_once(db):
    store_arrivals([arrival("wh-failed", 3)])
    later = utcnow().replace(year=2100)
    WebhookDelivery.update(status=WebhookStatus.FAILED, claimed_until=later).execute()

    assert store_arrivals([arrival("wh-failed", 3)]) == [False]
    assert inbox()[0].claimed_until is None


class HeldCommitter(AckCommitter):
    """Its first commit waits until `release` is set, so the next requests queue up."""

    def __init__(self) -> None:
        super().__init__(writers=1)
        self.release = threading.Event()
        self.groups: list[int] = []

    def write(self, items: Sequence[Any]) -> list[Any]:
        self.groups.append(len(items))
        if len(self.groups) == 1:
            self.release.wait(10)
        return super().write(items)


def test_concurrent_acknowledgements_share_one_commit_and_each_waits_for_its_own(db):
    committer = HeldCommitter()
    results: dict[int, bool] = {}

    def acknowledge(n: int) -> None:
        try:
            results[n] = committer.submit(arrival(f"wh-{n}", 100 + n))
        finally:
            db.close()  # this thread's connection

    threads = [threading.Thread(target=acknowledge, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while sum(committer.groups) + committer._queue.qsize() < 12 and time.monotonic() < deadline:
        time.sleep(0.01)  # polling the condition (all 12 handed over), with a deadline
    assert results == {}  # nobody answered before its commit
    committer.release.set()
    for thread in threads:
        thread.join(10)

    assert results == {n: True for n in range(12)}
    # The first commit took what had queued when it began, the second all the rest.
    assert len(committer.groups) <= 2 and sum(committer.groups) == 12
    assert len(inbox()) == 12


def test_a_bad_order_in_a_batch_neither_fails_nor_loses_the_others(db):
    # Order 2's purchase id is taken by another event (a conflict at write time); order 4's
    # currency is unusable (refused before writing); the rest share one transaction.
    write_events(SHOP, [NewEvent("order:2", "page_view")])  # through the writer: keys too
    for n in range(1, 7):
        order = shopify.order(SHOP, n, currency="EURO" if n == 4 else "EUR")
        queued(f"wh-{n}", order)

    report = process_due()

    assert (report.processed, report.failed) == (4, 2)
    rows = {d.webhook_id: d for d in inbox()}
    assert rows["wh-2"].status == WebhookStatus.FAILED
    assert "PurchaseConflictError" in rows["wh-2"].last_error
    assert rows["wh-4"].status == WebhookStatus.FAILED and "currency" in rows["wh-4"].last_error
    processed = {w for w, d in rows.items() if d.status == WebhookStatus.PROCESSED}
    assert processed == {"wh-1", "wh-3", "wh-5", "wh-6"}
    assert {d.attempts for d in rows.values()} == {1}
    assert sorted(p.order_id for p in purchases()) == ["1", "3", "5", "6"]


def test_create_and_paid_of_one_order_in_one_batch_store_one_purchase_and_one_meta_row(db):
    AppSettings.create(
        app_id=SHOP,
        pixel_id="123",
        access_token="t",
        send_to_meta=True,
        consent_when_unknown="send",
    )
    order, other = shopify.order(SHOP, 10), shopify.order(SHOP, 11)
    queued("wh-create", order, "orders/create")
    queued("wh-paid", order)
    queued("wh-other", other)
    queued("wh-paid-again", order)  # a second delivery of the same topic (another webhook id)

    assert process_due().processed == 4

    assert sorted(p.order_id for p in purchases()) == ["10", "11"]
    assert Delivery.select().count() == 2  # one Purchase for Meta per order
    assert {d.status for d in inbox()} == {WebhookStatus.PROCESSED}
