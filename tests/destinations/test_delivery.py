"""The delivery loop against devstore's fake Graph API: every answer Meta can give."""

from __future__ import annotations

import datetime as dt
import socket
from collections import Counter

from models import AppSettings, Delivery, DeliveryStatus, utcnow
from shopify_app.destinations.delivery import Deliverer
from shopify_app.destinations.meta_client import MetaClient
from tests.destinations.conftest import (
    PIXEL,
    TOKEN,
    client_for,
    later,
    queue_events,
    statuses,
)


def test_a_batch_is_delivered_and_meta_answer_kept(stack, meta, shop, deliverer):
    ids = queue_events(3)

    result = deliverer.deliver_due()

    assert (result.claimed, result.sent, result.requests) == (3, 3, 1)
    assert sorted(e["event_id"] for e in meta.received()) == sorted(ids)
    for delivery in Delivery.select():
        assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None
        assert delivery.events_received == 3 and delivery.fbtrace_id
        assert delivery.claim_token is None


def test_batches_carry_at_most_a_thousand_events(stack, meta, shop):
    queue_events(2500)
    sender = Deliverer(client_for(stack), concurrency=1)
    try:
        result = sender.deliver_due()
    finally:
        sender.close()

    assert (result.sent, result.requests) == (2500, 3)
    assert meta.log()["batch_sizes"] == [1000, 1000, 500]
    assert len({e["event_id"] for e in meta.received()}) == 2500


def test_concurrent_senders_keep_batches_within_the_limit(stack, meta, shop):
    queue_events(4500)
    sender = Deliverer(client_for(stack), concurrency=4)
    try:
        assert sender.deliver_due().sent == 4500
    finally:
        sender.close()

    sizes = meta.log()["batch_sizes"]
    assert sum(sizes) == 4500 and max(sizes) == 1000 and len(sizes) >= 5


def test_the_batch_size_is_configurable(stack, meta, shop):
    queue_events(5)
    sender = Deliverer(MetaClient(stack.app.config["META_GRAPH_URL"], "v24.0"), batch_size=2)
    try:
        result = sender.deliver_all_due()
    finally:
        sender.close()
    assert (result.sent, result.requests) == (5, 3)


def test_server_errors_are_retried_later_then_delivered_once(stack, meta, shop, deliverer):
    ids = queue_events(4)
    meta.faults(kind="5xx", status=503)

    first = deliverer.deliver_due()

    assert (first.sent, first.retrying) == (0, 4)
    delivery = Delivery.select().first()
    assert delivery.status == DeliveryStatus.PENDING and "HTTP 503" in delivery.last_error
    assert delivery.next_attempt_at > utcnow()  # backoff: not due at once
    assert deliverer.deliver_due().claimed == 0
    meta.faults(kind="off")

    retried = deliverer.deliver_due(now=later(3600))

    assert retried.sent == 4
    assert sorted(e["event_id"] for e in meta.received()) == sorted(ids)


def test_a_timeout_is_retried(stack, meta, shop, deliverer):
    queue_events(2)
    meta.faults(kind="timeout", times=1)

    assert deliverer.deliver_due().retrying == 2
    assert "no answer from Meta within 1.5 s" in Delivery.select().first().last_error
    assert deliverer.deliver_due(now=later(3600)).sent == 2
    assert len(meta.received()) == 2


def test_throttling_honours_retry_after_for_the_whole_pixel(stack, meta, shop, deliverer):
    queue_events(2)
    meta.faults(kind="throttle", retry_after=600, times=1)

    throttled = deliverer.deliver_due()

    assert throttled.retrying == 2
    for delivery in Delivery.select():
        assert delivery.next_attempt_at >= utcnow() + dt.timedelta(seconds=590)
        assert delivery.error_code == 17
    queue_events(1)  # a fresh event for the same pixel waits too
    assert deliverer.deliver_due().waiting == 1
    assert meta.requests() == 1
    assert deliverer.deliver_due(now=later(601)).sent == 3


def test_the_usage_headers_regain_time_is_honoured(stack, meta, shop, deliverer):
    queue_events(1)
    meta.faults(kind="throttle", regain_minutes=3, times=1)

    assert deliverer.deliver_due().retrying == 1

    assert Delivery.get().next_attempt_at >= utcnow() + dt.timedelta(seconds=170)
    assert deliverer.deliver_due(now=later(120)).claimed == 0
    assert meta.requests() == 1
    assert deliverer.deliver_due(now=later(181)).sent == 1


def test_one_bad_event_is_found_by_bisecting_and_the_rest_go(stack, meta, shop, deliverer):
    ids = queue_events(16)
    bad = ids[5]
    meta.faults(reject_event_ids=[bad])

    result = deliverer.deliver_due()

    assert (result.sent, result.failed) == (15, 1)
    assert sorted(e["event_id"] for e in meta.received()) == sorted(set(ids) - {bad})
    failed = Delivery.get(Delivery.status == DeliveryStatus.FAILED)
    assert failed.event.event_id == bad
    assert bad in failed.last_error and failed.error_code == 100 and failed.fbtrace_id
    assert result.requests <= 1 + 2 * 4  # one request per level of the halving, and the first


def test_an_invalid_token_pauses_the_shop_until_a_new_token_is_saved(stack, meta, shop, deliverer):
    from tests.admin.conftest import ShopClient

    queue_events(2)
    meta.faults(kind="token_invalid")

    paused = deliverer.deliver_due()

    assert (paused.sent, paused.waiting) == (0, 2)
    settings = AppSettings.get(AppSettings.app_id == shop.app_id)
    assert settings.meta_paused_at is not None and "access token" in settings.meta_pause_reason
    assert statuses() == {"pending": 2}
    assert deliverer.deliver_due(now=later(3600)).claimed == 0  # paused: nothing is claimed
    meta.faults(kind="off")

    admin = ShopClient(stack.app.test_client(), shop.app_id)
    saved = admin.put("/api/settings", {"access_token": "EAAB-a-fresh-token-0002"})

    assert saved.status_code == 200, saved.get_json()
    assert AppSettings.get(AppSettings.app_id == shop.app_id).meta_paused_at is None
    assert deliverer.deliver_due().sent == 2


def test_a_pixel_meta_does_not_know_pauses_the_shop_without_bisecting(stack, meta, shop, deliverer):
    meta.register("5550001111", TOKEN)  # the account has another pixel, not the shop's
    queue_events(64)

    result = deliverer.deliver_due()

    assert (result.requests, result.failed, result.waiting) == (1, 0, 64)
    reason = AppSettings.get().meta_pause_reason
    assert "pixel ID" in reason and "does not exist" in reason
    assert statuses() == {"pending": 64}


def test_a_bisection_stops_inside_the_lease_and_leaves_the_rest_for_a_new_claim(stack, meta, shop):
    ids = queue_events(8)
    meta.faults(reject_event_ids=ids)  # every event bad: 15 requests to find them all
    ticks = iter(range(1000))  # a clock that moves one second per reading
    # A 10 s lease: a worker sends while under 7.5 s of it are used, so 7 requests.
    sender = Deliverer(
        client_for(stack), concurrency=1, lease=dt.timedelta(seconds=10), clock=lambda: next(ticks)
    )
    try:
        result = sender.deliver_due()
    finally:
        sender.close()

    # [8] [4] [2] [1] [1] [2] [1] are sent; the rest goes back unsent for a new claim.
    assert (result.requests, result.failed, result.waiting) == (7, 3, 5)
    assert statuses() == {"failed": 3, "pending": 5}
    assert len(meta.received()) == 0


def test_events_older_than_seven_days_expire_and_are_never_sent(stack, meta, shop, deliverer):
    queue_events(2, created_at=utcnow() - dt.timedelta(days=7, minutes=1))
    fresh = queue_events(1)

    result = deliverer.deliver_due()

    assert (result.expired, result.sent) == (2, 1)
    assert [e["event_id"] for e in meta.received()] == fresh
    assert statuses() == {"expired": 2, "sent": 1}


def test_an_expired_token_pauses_deliveries(stack, meta, shop, deliverer):
    AppSettings.update(token_expires_at=utcnow() - dt.timedelta(minutes=1)).execute()
    queue_events(1)

    assert deliverer.deliver_due().claimed == 0
    assert meta.requests() == 0


def test_rows_of_a_shop_that_stopped_sending_are_cancelled(stack, meta, shop, deliverer):
    queue_events(2)
    AppSettings.update(send_to_meta=False).execute()

    assert deliverer.deliver_due().cancelled == 2
    assert statuses() == {"cancelled": 2} and meta.requests() == 0


def test_stand_in_down_for_a_run_loses_nothing_and_sends_nothing_twice(
    stack, meta, shop, deliverer
):
    ids = queue_events(1200)
    # A port that is bound but not listening: every connection is refused, as with a host down.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        down = Deliverer(MetaClient(f"http://127.0.0.1:{closed.getsockname()[1]}", "v24.0"))
        try:
            for hours in range(3):  # several rounds while nothing answers
                down.deliver_all_due(now=later(hours * 3600))
        finally:
            down.close()
    assert statuses() == {"pending": 1200}
    assert "cannot reach Meta" in Delivery.select().first().last_error

    back = deliverer.deliver_all_due(now=later(5 * 3600))

    assert back.sent == 1200
    received = Counter(e["event_id"] for e in meta.received())
    assert set(received) == set(ids) and max(received.values()) == 1
    assert statuses() == {"sent": 1200}


def test_the_payload_uses_the_pixel_token_and_test_event_code(stack, meta, shop, deliverer):
    meta.register(PIXEL, TOKEN)
    AppSettings.update(test_event_code="TEST12345").execute()
    queue_events(1)

    assert deliverer.deliver_due().sent == 1
    (record,) = meta.log()["events"]
    assert (record["pixel_id"], record["test_event_code"]) == (PIXEL, "TEST12345")
