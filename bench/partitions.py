"""How long migration 0019 keeps `events` locked when it converts a table in place.

    .venv/bin/python bench/partitions.py [--millions 1] [--prepared]
    .venv/bin/python bench/partitions.py --ingest [--rounds 40]

Fills a scratch PostgreSQL database at migration 0018 with N million events (set-based SQL:
three months of sessions with event ids, 1 % of them with a Meta delivery), then times
`migrate` to 0019: the in-place conversion (one transaction, `events` locked throughout), or
with `--prepared` first `sightline partition-events`'s preparation (the app could keep
writing) and then the migration's switch (the only locked part). The load average is printed
beside each figure: this machine is shared.

`--ingest` measures what partitioning and `event_keys` cost the storefront writer's statement
itself: two scratch databases, one at 0018 (plain table, the old `ON CONFLICT (app_id,
event_id)` statement) and one at 0019 (partitioned, the keyed statement), the same group
commits (16 requests of 10 events, new ids; then the same group again: all duplicates),
alternating between the two, each in its own transaction; median µs per event.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import open_database, utcnow  # noqa: E402
from models.event_conversion import prepare  # noqa: E402
from models.schema import migrate  # noqa: E402
from shopify_app.ingest import storefront_sql  # noqa: E402
from tests import pg  # noqa: E402

FILL_SQL = """
INSERT INTO events (app_id, event_name, custom_data, created_at, session_id, url, source,
    event_id)
SELECT 'shop-' || (i %% 100) || '.myshopify.com', 'page_view', '{}'::jsonb,
    now() AT TIME ZONE 'utc' - ((i::bigint * 7919) %% (90 * 86400)) * interval '1 second',
    's-' || i / 6, 'https://shop.example/products/p-' || (i %% 200), 'storefront', 'gen-' || i
FROM generate_series(1, %s) AS i
"""
DELIVERIES_SQL = """
INSERT INTO deliveries (app_id, event_id, destination, event_name, status, attempts,
    next_attempt_at, created_at, updated_at)
SELECT app_id, id, 'meta', 'PageView', 'sent', 1, now(), now(), now() FROM events
WHERE id %% 100 = 0
"""


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} on {os.cpu_count()} CPUs"


# The statement before 0019: the same rows, ON CONFLICT on the plain table's unique index.
OLD_INSERT = (
    f"INSERT INTO events ({storefront_sql._TARGET_LIST}) "
    f"SELECT * FROM ({storefront_sql.POSTGRESQL_ROWS}) AS s "
    "ON CONFLICT (app_id, event_id) DO NOTHING RETURNING id, app_id, event_id"
)


def group(round_no: int, requests: int = 16, events: int = 10) -> str:
    """One group commit's parameter, as write_storefront builds it."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat()
    payload = []
    for r in range(requests):
        payload.append(
            {
                "app_id": f"shop-{r % 8}.myshopify.com",
                "created_at": now,
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0",
                "ip_address": "81.2.69.142",
                "device_type": "desktop",
                "browser": "Chrome",
                "country": "GB",
                "session_id": f"s-{round_no}-{r}",
                "marketing_consent": True,
                "utm_source": "bench",
                "events": [
                    {
                        "event_id": f"e{round_no}_{r}_{e}",
                        "event_name": "page_view",
                        "url": f"https://shop.example/products/p-{e}",
                        "page_type": "product",
                        "custom_data": {"title": "A"},
                    }
                    for e in range(events)
                ],
            }
        )
    return json.dumps(payload)


def ingest(rounds: int) -> None:
    names = [
        pg.create_database("sightline_bench_plain"),
        pg.create_database("sightline_bench_parts"),
    ]
    try:
        plain, parts = (open_database(pg.url_for(n), pooled=False) for n in names)
        migrate(plain, "0018_reconciliation_days")
        migrate(parts)
        cases = {"plain table (0018)": (plain, OLD_INSERT), "partitioned + keys": (parts, None)}
        timings: dict[str, dict[str, list[float]]] = {c: {"new": [], "dup": []} for c in cases}
        print(f"ingest statement, {rounds} rounds of 160 events ({load()})", flush=True)
        for round_no in range(rounds):
            param = group(round_no)
            order = list(cases.items()) if round_no % 2 else list(reversed(cases.items()))
            for name, (database, statement) in order:
                statement = statement or storefront_sql.POSTGRESQL_INSERT
                for kind in ("new", "dup"):
                    started = time.perf_counter()
                    with database.atomic():
                        stored = database.execute_sql(statement, (param,)).fetchall()
                    timings[name][kind].append((time.perf_counter() - started) / 160 * 1e6)
                    assert len(stored) == (160 if kind == "new" else 0)
        for name, by_kind in timings.items():
            print(
                f"  {name:<20} new events {statistics.median(by_kind['new']):6.1f} µs/event, "
                f"duplicates {statistics.median(by_kind['dup']):6.1f} µs/event"
            )
        print(f"  ({load()})")
    finally:
        for name in names:
            pg.drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--millions", type=float, default=1.0)
    parser.add_argument("--prepared", action="store_true")
    parser.add_argument("--ingest", action="store_true")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    if args.ingest:
        ingest(args.rounds)
        return
    rows = int(args.millions * 1_000_000)
    name = pg.create_database("sightline_bench_partitions")
    try:
        database = open_database(pg.url_for(name), pooled=False)
        with database.connection_context():
            migrate(database, "0018_reconciliation_days")
            with database.atomic():
                database.execute_sql(FILL_SQL, (rows,))
                database.execute_sql(DELIVERIES_SQL)
            database.execute_sql("VACUUM ANALYZE events")
            print(f"{rows:,} events at 0018 ({load()})", flush=True)
            how = "in place"
            if args.prepared:
                started = time.perf_counter()
                prepare(database, utcnow(), echo=lambda _line: None)
                print(
                    f"prepared (not locking): {time.perf_counter() - started:.1f} s ({load()})",
                    flush=True,
                )
                how = "switch of the prepared table"
            started = time.perf_counter()
            migrate(database)
            took = time.perf_counter() - started
            (months,) = database.execute_sql(
                "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'events'::regclass"
            ).fetchone()
            rate = f"{rows / took:,.0f} events/s; " if not args.prepared else ""
            print(
                f"0019, {how}: {took:.1f} s for {rows:,} events into {months} partitions "
                f"({rate}{load()})"
            )
    finally:
        pg.drop_database(name)


if __name__ == "__main__":
    main()
