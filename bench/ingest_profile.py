"""Where an ingest request's CPU goes, per stage, in µs per event: in-process, one thread,
warm caches, PostgreSQL (and SQLite), for 1-, 10- and 50-event batches.

    .venv/bin/python bench/ingest_profile.py [--rounds 300]

Stages: `decode` (msgspec decode and validation of the raw body: `validate.parse_body`),
`service` (shop context, enrichment, fingerprint, the rows: `Ingestor.track` with a committer
that stores nothing), `write` (one `write_storefront` transaction for one request's batch, as
the group committer runs it), and `write-grouped` (the same rows, 16 requests per transaction,
as under load). The old per-event checks (`validate.parse_batch` of json.loads) are timed too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.ingest import body  # noqa: E402
from models import db, open_database  # noqa: E402
from models.schema import migrate  # noqa: E402
from shopify_app.ingest.track import Ingestor, RequestFacts  # noqa: E402
from shopify_app.ingest.validate import parse_batch, parse_body  # noqa: E402
from shopify_app.ingest.writer import StorefrontBatch, write_storefront  # noqa: E402
from tests import pg  # noqa: E402

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0"
FACTS = RequestFacts(ip="8.8.8.8", user_agent=UA, customer_id=None)
SHOP = "profile.myshopify.com"


class Keeper:
    """A committer that keeps the batches instead of storing them (the service stage alone)."""

    def __init__(self) -> None:
        self.batches: list[StorefrontBatch] = []
        self.commits = 0

    def submit(self, batch: StorefrontBatch) -> int:
        self.batches.append(batch)
        return len(batch.events)


def per_event(seconds: float, rounds: int, events: int) -> float:
    return seconds / (rounds * events) * 1e6


def profile(name: str, url: str, rounds: int) -> None:
    database = open_database(url, pooled=False)
    db.initialize(database)
    migrate(database)
    print(f"{name} (load average {os.getloadavg()[0]:.1f})")
    for events in (1, 10, 50):
        bodies = [body(events) for _ in range(rounds)]
        started = time.perf_counter()
        for raw in bodies:
            parse_body(raw)
        decode = time.perf_counter() - started
        started = time.perf_counter()
        for raw in bodies:
            parse_batch(json.loads(raw))
        old = time.perf_counter() - started

        keeper = Keeper()
        ingestor = Ingestor(committer=keeper)  # type: ignore[arg-type]
        ingestor.track(SHOP, bodies[0], FACTS)  # warm: shop context, salt
        keeper.batches.clear()
        started = time.perf_counter()
        for raw in bodies:
            ingestor.track(SHOP, raw, FACTS)
        service = time.perf_counter() - started - decode

        batches = keeper.batches
        started = time.perf_counter()
        for batch in batches:
            write_storefront([batch])
        write = time.perf_counter() - started
        fresh = [_renamed(b) for b in batches]
        started = time.perf_counter()
        for start in range(0, len(fresh), 16):
            write_storefront(fresh[start : start + 16])
        grouped = time.perf_counter() - started
        stages: dict[str, Any] = {
            "decode": per_event(decode, rounds, events),
            "service": per_event(service, rounds, events),
            "write": per_event(write, rounds, events),
            "write-grouped": per_event(grouped, rounds, events),
            "old json.loads+checks": per_event(old, rounds, events),
        }
        print(
            f"  {events:>2}-event batches, µs per event: "
            + ", ".join(f"{stage} {value:.1f}" for stage, value in stages.items())
        )
    db.close()


def _renamed(batch: StorefrontBatch) -> StorefrontBatch:
    suffix = uuid.uuid4().hex[:6]
    events = [{**e, "event_id": f"{e['event_id']}_{suffix}"} for e in batch.events]
    return StorefrontBatch(batch.app_id, batch.shared, events, {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        profile("sqlite", f"sqlite:///{tmp}/profile.db", args.rounds)
    reason = pg.reachable()
    if reason:
        print(f"postgresql skipped: {reason}")
        return
    with pg.scratch_database() as url:
        profile("postgresql", url, args.rounds)


if __name__ == "__main__":
    main()
