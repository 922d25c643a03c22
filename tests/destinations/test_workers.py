"""Workers side by side, a worker that dies holding rows, and waking on new rows."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from models import Delivery, DeliveryStatus, utcnow
from shopify_app.destinations.delivery import Deliverer
from shopify_app.destinations.outbox import LEASE
from shopify_app.destinations.service import run_delivery_loop
from shopify_app.worker import run_round
from tests.conftest import is_postgresql
from tests.destinations.conftest import client_for, queue_events, statuses


def test_two_workers_racing_on_postgresql_never_send_the_same_row(stack, meta, shop, db_kind):
    if db_kind != "postgresql":
        pytest.skip("SQLite runs one worker")
    ids = queue_events(3000)
    workers = [Deliverer(client_for(stack), batch_size=250, concurrency=2) for _ in range(2)]
    claimed: list[int] = [0, 0]
    start = threading.Barrier(2)

    def work(index: int) -> None:
        start.wait()
        for _ in range(50):
            result = workers[index].deliver_due()
            claimed[index] += result.claimed
            if result.claimed == 0:
                return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:
        worker.close()

    received = Counter(e["event_id"] for e in meta.received())
    assert set(received) == set(ids) and max(received.values()) == 1
    assert sum(claimed) == 3000 and min(claimed) > 0  # both worked, no row twice
    assert statuses() == {"sent": 3000}


CLAIM_AND_DIE = """
import os, signal, sys
from models import open_database, db
from models.crypto import configure_cipher
from shopify_app.destinations.outbox import claim_due, new_claim_token
configure_cipher(sys.argv[2])
database = open_database(sys.argv[1], pooled=False)
db.initialize(database)
rows = claim_due(1000, token=new_claim_token())
print(len(rows), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # dies holding the rows, mid-batch
"""


def test_rows_of_a_worker_killed_mid_batch_come_due_after_the_lease(stack, meta, shop, deliverer):
    ids = queue_events(40)
    child = subprocess.run(
        [sys.executable, "-c", CLAIM_AND_DIE, stack.app.config["DATABASE_URL"], _key(stack)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert child.returncode == -9 and child.stdout.strip() == "40", child.stderr
    assert all(d.claim_token for d in Delivery.select())

    assert deliverer.deliver_due().claimed == 0  # still leased to the dead worker
    assert LEASE.total_seconds() <= 60
    result = deliverer.deliver_due(now=utcnow() + LEASE)

    assert result.sent == 40
    assert sorted(e["event_id"] for e in meta.received()) == sorted(ids)
    assert {d.attempts for d in Delivery.select()} == {2}  # the dead claim counts as a try


def _key(stack) -> str:  # type: ignore[no-untyped-def]
    return stack.app.config["TOKEN_ENCRYPTION_KEY"]


def test_an_idle_loop_wakes_for_a_new_row(stack, meta, shop):
    # Woken by NOTIFY on PostgreSQL, a half-second poll on SQLite; the idle wait itself is long,
    # so only the wake-up can deliver the event in time.
    stop, idle = threading.Event(), threading.Event()
    loop = threading.Thread(target=run_delivery_loop, args=(stack.app.config, stop, 30.0, idle))
    loop.start()
    try:
        assert idle.wait(10)  # the loop found nothing due and waits
        started = time.monotonic()
        (event_id,) = queue_events(1)
        (received,) = meta.received(wait_for=1, timeout=5)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        loop.join(timeout=35)
    assert received["event_id"] == event_id
    assert elapsed < 2.0


def test_worker_once_sends_everything_due(stack, meta, shop):
    queue_events(3)
    report = run_round(stack.app)
    assert report.meta_sent == 3
    assert "meta: 3 sent" in str(report)
    assert statuses() == {"sent": 3}


def test_a_retry_comes_due_by_itself(stack, meta, shop, deliverer):
    queue_events(1)
    meta.faults(kind="5xx", times=1)
    assert deliverer.deliver_due().retrying == 1
    due_at = Delivery.get().next_attempt_at
    assert due_at > utcnow()
    assert deliverer.deliver_due(now=due_at).sent == 1
    assert Delivery.get().status == DeliveryStatus.SENT


@pytest.fixture
def db_kind(stack) -> str:  # type: ignore[no-untyped-def]
    from models import db

    return "postgresql" if is_postgresql(db.obj) else "sqlite"
