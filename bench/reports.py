"""Report latency at scale, and what keeping the rollups costs ingest, on PostgreSQL.

    .venv/bin/python bench/reports.py [--millions 10] [--repeat 9] [--ingest-seconds 20]

1. Generates N million events for one shop (sessions of six events over 95 days, in
   Europe/Berlin) plus 10 % more spread over the other shops, with set-based SQL
   (generate_series), then `rebuild.rebuild()` as `sightline rollup --rebuild` would.
2. Runs every report over 7, 30 and 90 days `--repeat` times and prints p50 and p95 (ms).
3. Ingest: the app's writer (`write_events`, COPY in batches of 100) for `--ingest-seconds`
   without the rollup duty, then the same with the duty running beside it every 5 s: events/s
   of each, in the same run.
The machine's load average is printed before and after: this box is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import db, open_database, partitions, utcnow  # noqa: E402
from models.schema import migrate  # noqa: E402
from shopify_app.analytics import localtime, rebuild, rollups  # noqa: E402
from shopify_app.analytics.funnel import funnel  # noqa: E402
from shopify_app.analytics.period import last_days  # noqa: E402
from shopify_app.analytics.reports import (  # noqa: E402
    attribution,
    breakdown,
    dashboard,
    overview,
    pages,
    timeseries,
)
from shopify_app.ingest.writer import NewEvent, write_events  # noqa: E402
from tests import pg  # noqa: E402

SHOP = "big-shop.myshopify.com"
ZONE = "Europe/Berlin"
CHUNK = 1_000_000

# One row per event; i is the event's number, s = i / 6 its session. A session's attributes
# come from hashes of s, so they are constant within it, as real sessions are.
FILL_SQL = """
INSERT INTO events (app_id, event_name, custom_data, created_at, session_id, device_type,
    browser, country, utm_source, utm_medium, utm_campaign, page_type, url, value, currency,
    source, event_id)
SELECT
    {shop},
    CASE WHEN i %% 6 = 5 AND (i / 6) %% 5 = 0 THEN 'purchase'
         WHEN i %% 6 = 4 AND (i / 6) %% 3 = 0 THEN 'add_to_cart'
         WHEN i %% 6 = 3 AND (i / 6) %% 4 = 0 THEN 'click'
         ELSE 'page_view' END,
    '{{}}'::jsonb,
    now() AT TIME ZONE 'utc' - (((i / 6) * 7919) %% (95 * 86400)) * interval '1 second'
        + (i %% 6) * interval '40 seconds',
    's-' || {offset} + i / 6,
    (ARRAY['mobile','desktop','tablet'])[1 + (i / 6) %% 3],
    (ARRAY['Chrome','Safari','Firefox','Edge'])[1 + (i / 6 / 3) %% 4],
    (ARRAY['DE','US','FR','GB','NL','AT','CH','IT'])[1 + (i / 6 / 7) %% 8],
    (ARRAY['facebook','google','newsletter',NULL,NULL])[1 + (i / 6 / 11) %% 5],
    (ARRAY['cpc','email','social',NULL])[1 + (i / 6 / 13) %% 4],
    CASE WHEN (i / 6) %% 4 = 0 THEN 'campaign-' || (i / 6 / 17) %% 12 END,
    (ARRAY['index','product','collection','cart','search'])[1 + i %% 5],
    'https://big-shop.example/products/p-' || (i %% 200),
    CASE WHEN i %% 6 = 5 AND (i / 6) %% 5 = 0 THEN 10 + (i %% 190) END,
    CASE WHEN i %% 6 = 5 AND (i / 6) %% 5 = 0 THEN 'EUR' END,
    'storefront',
    'gen-' || {offset} + i
FROM generate_series(1, {rows}) AS i
"""


def shop_expr(others: bool) -> str:
    if not others:
        return f"'{SHOP}'"
    return "'shop-' || (1 + i %% 99) || '.myshopify.com'"


# The generated events' keys, as the app's writers store them (event_keys: see
# shopify_app/ingest/keyed_insert.py).
KEYS_SQL = (
    "INSERT INTO event_keys (app_id, event_id, id) SELECT app_id, event_id, id FROM events "
    "WHERE id > %s AND event_id IS NOT NULL"
)


def fill(database: Any, rows: int, others: bool, offset: int) -> None:
    done = 0
    while done < rows:
        n = min(CHUNK, rows - done)
        sql = FILL_SQL.format(shop=shop_expr(others), rows=n, offset=offset + done)
        with database.atomic():
            (before,) = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()
            database.execute_sql(sql)
            database.execute_sql(KEYS_SQL, (before,))
        done += n
        print(f"  {'other shops' if others else SHOP}: {done:,} / {rows:,}", flush=True)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    fn()  # warm-up, not counted
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def reports(repeat: int) -> list[tuple[str, int, float, float]]:
    now = utcnow()
    results = []
    for days in (7, 30, 90):
        period = last_days(days, ZONE, now)
        cases: dict[str, Callable[[], Any]] = {
            "dashboard (GET /api/reports/dashboard)": lambda d=days: dashboard(SHOP, d, now),
            "overview with previous period": lambda p=period: overview(SHOP, p),
            "time series per day": lambda p=period: timeseries(SHOP, p),
            "breakdown by country": lambda p=period: breakdown(SHOP, p, "country"),
            "breakdown by utm_source, filter country:DE": lambda p=period: breakdown(
                SHOP, p, "utm_source", {"country": ["DE"]}
            ),
            "funnel page_view > add_to_cart > purchase": lambda p=period: funnel(
                SHOP, p, ["page_view", "add_to_cart", "purchase"]
            ),
            "top pages": lambda p=period: pages(SHOP, p),
            "attribution (first touch)": lambda p=period: attribution(SHOP, p),
        }
        for name, fn in cases.items():
            p50, p95 = timed(fn, repeat)
            results.append((name, days, p50, p95))
            print(f"  {days:>2} days  {name:<45} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms", flush=True)
    return results


def ingest(seconds: float, with_rollups: bool) -> float:
    """Events/s through the app's writer, batches of 100, for `seconds`."""
    stop = threading.Event()
    worker = None
    rounds: list[float] = []
    if with_rollups:

        def loop() -> None:
            while not stop.is_set():
                started = time.perf_counter()
                rollups.run_round()
                rounds.append(time.perf_counter() - started)
                stop.wait(5.0)

        worker = threading.Thread(target=loop, daemon=True)
        worker.start()
    written = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        batch = [
            NewEvent(
                event_id=uuid.uuid4().hex,
                event_name="page_view",
                columns={
                    "session_id": f"live-{written // 6}",
                    "device_type": "mobile",
                    "country": "DE",
                    "url": "https://big-shop.example/",
                    "page_type": "index",
                },
            )
            for _ in range(100)
        ]
        written += len(write_events(SHOP, batch))
    elapsed = time.perf_counter() - started
    stop.set()
    if worker:
        worker.join()
        if rounds:
            print(
                f"  rollup rounds while ingesting: {len(rounds)}, "
                f"median {statistics.median(rounds) * 1000:.0f} ms each",
                flush=True,
            )
    return written / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--millions", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--ingest-seconds", type=float, default=20.0)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    rows = int(args.millions * 1_000_000)
    print(load())
    name = pg.create_database("sightline_bench_reports")
    try:
        database = open_database(pg.url_for(name), pooled=False)
        db.initialize(database)
        with database.connection_context():
            migrate(database)
            database.execute_sql(
                "INSERT INTO shops (domain, state, scopes, token_version, config_version, "
                "iana_timezone, created_at, updated_at) SELECT "
                "CASE WHEN n = 0 THEN %s ELSE 'shop-' || n || '.myshopify.com' END, "
                "'installed', '', 0, 0, %s, now(), now() FROM generate_series(0, 99) AS n",
                (SHOP, ZONE),
            )
            # Monthly partitions for the 95 days generated, as the months would have been made
            # ahead while the events arrived.
            now = utcnow()
            months = partitions.ensure_months(database, now - dt.timedelta(days=96), now)
            print(f"partitions made for the generated months: {', '.join(months) or 'none'}")
            started = time.perf_counter()
            fill(database, rows, False, 0)
            fill(database, rows // 10, True, rows)
            database.execute_sql("ANALYZE")
            took = time.perf_counter() - started
            print(f"generated {rows + rows // 10:,} events in {took:.0f} s ({load()})")

            started = time.perf_counter()
            steps = rebuild.rebuild()
            print(
                f"rollup rebuild: {steps} steps in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            database.execute_sql("ANALYZE")
            counts = {
                t: database.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("events", "rollups_daily", "rollups_by_dimension", "sessions")
            }
            print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
            today = localtime.today(ZONE, utcnow())
            print(f"reports for {SHOP} ({ZONE}, today {today}), {args.repeat} runs each:")
            reports(args.repeat)

            print(f"ingest through the writer, {args.ingest_seconds:.0f} s each ({load()}):")
            without = ingest(args.ingest_seconds, with_rollups=False)
            print(f"  without the rollup duty: {without:,.0f} events/s", flush=True)
            with_duty = ingest(args.ingest_seconds, with_rollups=True)
            print(f"  with the rollup duty every 5 s: {with_duty:,.0f} events/s", flush=True)
            print(f"  cost: {100 * (without - with_duty) / without:.1f} % ({load()})")
    finally:
        db.close() if not db.is_closed() else None
        if args.keep:
            print(f"kept database {name}")
        else:
            pg.drop_database(name)


if __name__ == "__main__":
    main()
