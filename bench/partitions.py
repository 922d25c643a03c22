"""How long migration 0019 keeps `events` locked when it converts a table in place.

    .venv/bin/python bench/partitions.py [--millions 1] [--prepared]

Fills a scratch PostgreSQL database at migration 0018 with N million events (set-based SQL:
three months of sessions with event ids, 1 % of them with a Meta delivery), then times
`migrate` to 0019: the in-place conversion (one transaction, `events` locked throughout), or
with `--prepared` first `sightline partition-events`'s preparation (the app could keep
writing) and then the migration's switch (the only locked part). The load average is printed
beside each figure: this machine is shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import open_database, utcnow  # noqa: E402
from models.event_conversion import prepare  # noqa: E402
from models.schema import migrate  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--millions", type=float, default=1.0)
    parser.add_argument("--prepared", action="store_true")
    args = parser.parse_args()
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
