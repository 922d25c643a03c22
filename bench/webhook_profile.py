"""Where a webhook delivery's CPU goes, per stage, in µs per delivery: in-process, one thread,
PostgreSQL (and SQLite). The database's own CPU is included: it runs on the same machine.

    .venv/bin/python bench/webhook_profile.py [--deliveries 2000]

Stages: `ack` (the acknowledgement's INSERT: one group of one, as a lone request commits it, and
groups of 16, as concurrent requests share a commit: `webhooks.acks.store_arrivals`),
`process one by one` (each delivery's handler and write transaction: `webhooks.inbox.process`),
`process batched` (claimed batches whose orders share one transaction:
`webhooks.inbox.process_claimed`, as the worker and the servers' threads run it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhook_load import new_orders  # noqa: E402
from models import db, open_database, utcnow  # noqa: E402
from models.schema import migrate  # noqa: E402
from tests import pg  # noqa: E402
from webhooks.acks import Arrival, store_arrivals  # noqa: E402
from webhooks.inbox import CLAIM_BATCH, claim, process, process_claimed  # noqa: E402


def arrivals(count: int, seed: int) -> list[Arrival]:
    return [
        Arrival(p.webhook_id, p.shop, p.topic, p.body.decode(), utcnow())
        for p in new_orders(count, seed)
    ]


def timed(step: Callable[[], object], count: int) -> float:
    """Wall µs per delivery: this thread's CPU and its waits on the database (same cores)."""
    started = time.perf_counter()
    step()
    return (time.perf_counter() - started) / count * 1e6


def acknowledge(items: list[Arrival], group: int) -> None:
    for start in range(0, len(items), group):
        store_arrivals(items[start : start + group])


def process_each() -> None:
    while batch := claim(CLAIM_BATCH):
        for delivery in batch:
            process(delivery)


def process_batches() -> None:
    while batch := claim(CLAIM_BATCH):
        process_claimed(batch)


def profile(name: str, url: str, count: int) -> None:
    database = open_database(url, pooled=False)
    db.initialize(database)
    migrate(database)
    with database.connection_context():
        acknowledge(arrivals(200, seed=1), 16)  # warm caches (and the statement cache)
        process_batches()
        one, grouped, later = arrivals(count, 2), arrivals(count, 3), arrivals(count, 4)
        ack_one = timed(lambda: acknowledge(one, 1), count)
        ack_group = timed(lambda: acknowledge(grouped, 16), count)
        each = timed(process_each, 2 * count)  # both sets just acknowledged
        acknowledge(later, 16)
        batched = timed(process_batches, count)
    print(
        f"{name:10} | {ack_one:6.0f} | {ack_group:6.0f} | {each:6.0f} | {batched:6.0f} | "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    args = parser.parse_args()
    print(f"µs per delivery, {args.deliveries} orders/paid deliveries, claims of {CLAIM_BATCH}")
    print("backend    | ack, 1 a commit | ack, 16 a commit | process one by one | batched")
    with tempfile.TemporaryDirectory() as tmp:
        profile("sqlite", f"sqlite:///{tmp}/profile.db", args.deliveries)
    if not pg.reachable():
        with pg.scratch_database() as url:
            profile("postgresql", url, args.deliveries)


if __name__ == "__main__":
    main()
