"""Where an ingest request's CPU goes, per stage, in µs per request (and per event): in-process,
one thread, warm caches, SQLite and PostgreSQL, for 1-, 10- and 50-event batches.

    .venv/bin/python bench/ingest_profile.py [--rounds 300]

Stages, each timed as CPU of this process (`client`) and, on PostgreSQL, of the backend serving
it (`pg`, from /proc):
- `decode`: msgspec decode and validation of the raw body (`validate.parse_body`);
- `service`: shop context, enrichment, fingerprint, the rows (`Ingestor.track` with a committer
  that keeps the batch);
- `write`: one `write_storefront` per request, as the request thread runs it on PostgreSQL (one
  autocommit statement) and the group committer runs it on SQLite (one transaction);
- `write, no fsync` (PostgreSQL): the same with `synchronous_commit = off` for this session,
  to show what the commit's WAL flush costs (the product keeps it on: a reply means stored);
- `write, 16 per statement`: 16 requests per statement, as the group committer does under load;
- `round trip` (PostgreSQL): `SELECT 1`, what any statement costs before it does anything.

The load generator, Flask and gunicorn, and thread switches under load are not here:
`bench/ingest.py` prints the whole request's CPU per process group.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.cpu import process_seconds  # noqa: E402
from bench.ingest import body  # noqa: E402
from models import db, open_database  # noqa: E402
from models.database import is_postgresql  # noqa: E402
from models.schema import migrate  # noqa: E402
from shopify_app.ingest.track import Ingestor, RequestFacts  # noqa: E402
from shopify_app.ingest.validate import parse_body  # noqa: E402
from shopify_app.ingest.writer import StorefrontBatch, write_storefront  # noqa: E402
from tests import pg  # noqa: E402

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0"
FACTS = RequestFacts(ip="8.8.8.8", user_agent=UA, customer_id=None)
SHOP = "profile.myshopify.com"
GROUP = 16


class Keeper:
    """A committer that keeps the batches instead of storing them (the service stage alone)."""

    def __init__(self) -> None:
        self.batches: list[StorefrontBatch] = []
        self.commits = 0

    def submit(self, batch: StorefrontBatch) -> int:
        self.batches.append(batch)
        return len(batch.events)


class Clock:
    """CPU µs of this process and of the PostgreSQL backend (if any) over a block of work."""

    def __init__(self, backend_pid: int | None) -> None:
        self.backend_pid = backend_pid

    def _backend(self) -> float:
        return (process_seconds(self.backend_pid) or 0.0) if self.backend_pid else 0.0

    def time(self, work: Callable[[], Any], requests: int) -> dict[str, float]:
        client, backend = time.process_time(), self._backend()
        work()
        return {
            "client": (time.process_time() - client) / requests * 1e6,
            "pg": (self._backend() - backend) / requests * 1e6,
        }


def _each(function: Callable[[Any], Any], items: Iterable[Any]) -> Callable[[], None]:
    def run() -> None:
        for item in items:
            function(item)

    return run


def profile(name: str, url: str, rounds: int) -> None:
    database = open_database(url, pooled=False)
    db.initialize(database)
    migrate(database)
    postgresql = is_postgresql(database)
    pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0] if postgresql else None
    clock = Clock(pid)
    print(f"{name} (load average {os.getloadavg()[0]:.1f}); CPU µs per request [per event]")
    for events in (1, 10, 50):
        bodies = [body(events) for _ in range(rounds)]
        keeper = Keeper()
        ingestor = Ingestor(committer=keeper)  # type: ignore[arg-type]
        ingestor.track(SHOP, bodies[0], FACTS)  # warm: shop context, salt
        keeper.batches.clear()
        stages: dict[str, dict[str, float]] = {}
        stages["decode"] = clock.time(_each(parse_body, bodies), rounds)
        track = functools.partial(ingestor.track, SHOP, facts=FACTS)
        tracked = clock.time(_each(track, bodies), rounds)
        stages["service"] = {k: tracked[k] - stages["decode"][k] for k in tracked}
        batches = keeper.batches
        stages["write"] = clock.time(_each(lambda b: write_storefront([b]), batches), rounds)
        if postgresql:
            db.execute_sql("SET synchronous_commit = off")
            fresh = [_renamed(b) for b in batches]
            stages["write, no fsync"] = clock.time(
                _each(lambda b: write_storefront([b]), fresh), rounds
            )
            db.execute_sql("SET synchronous_commit = on")
        fresh = [_renamed(b) for b in batches]
        groups = [fresh[start : start + GROUP] for start in range(0, len(fresh), GROUP)]
        stages[f"write, {GROUP} per statement"] = clock.time(
            _each(write_storefront, groups), rounds
        )
        if postgresql:
            stages["round trip"] = clock.time(
                _each(lambda _: db.execute_sql("SELECT 1").fetchall(), range(rounds)), rounds
            )
        print(f"  {events}-event batches:")
        for stage, cpu in stages.items():
            total = cpu["client"] + cpu["pg"]
            parts = f"client {cpu['client']:6.0f}" + (f"  pg {cpu['pg']:6.0f}" if pid else "")
            print(f"    {stage:24s} {parts}  = {total:6.0f} [{total / events:5.1f}]")
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
