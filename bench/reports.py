"""Report latency at scale, and what keeping the rollups costs ingest, on PostgreSQL.

    .venv/bin/python bench/reports.py [--millions 10] [--repeat 9] [--ingest-seconds 20]

1. Generates N million events for one shop (sessions of six events over 95 days) plus 10 %
   more spread over the other shops, with set-based SQL (generate_series), then
   `rebuild.rebuild()` as `sightline rollup --rebuild` would (it also makes the rows of today
   so far). The shop's zone is one where the reports run late in the evening (`--zone late`):
   today then holds nearly a whole day of events, the worst time for a report.
2. Writes the largest tail the worker lets build up before it redoes today's rows (the
   policy's threshold, less one), through the app's writer: half in sessions already seen
   today, with another country, half in new sessions.
3. Runs every report over 7, 30 and 90 days `--repeat` times and prints p50 and p95 (ms); then
   the dashboards and the overview again with today read from raw events (rows forgotten), on
   the same data, side by side.
4. Ingest: the app's writer (`write_events`, COPY in batches of 100) for `--ingest-seconds`
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
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import RollupToday, db, open_database, partitions, utcnow  # noqa: E402
from models.schema import migrate  # noqa: E402
from shopify_app.analytics import localtime, rebuild, rollups, today  # noqa: E402
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
CHUNK = 1_000_000
SECONDS_PER_MILLION = 75  # generation + rebuild on this box, to aim the zone's evening

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


def late_zone(lead: dt.timedelta, latest: dt.time = dt.time(23, 0)) -> str:
    """The zone whose clock, `lead` from now, shows the latest time of day not after `latest`."""
    at = dt.datetime.now(dt.UTC) + lead
    best, best_time = "UTC", dt.time(0)
    for name in sorted(zoneinfo.available_timezones()):
        if name.startswith(("Etc/", "SystemV/")) or "/" not in name:
            continue
        local = at.astimezone(zoneinfo.ZoneInfo(name)).time()
        if best_time < local <= latest:
            best, best_time = name, local
    return best


def forget_writes(database: Any) -> None:
    """Delete what an earlier run wrote through the writer (its tail and ingest: event ids
    that are not generated ones), so a reused database starts as a fresh one."""
    database.execute_sql(
        "DELETE FROM event_keys k USING events e WHERE e.app_id = %s "
        "AND e.event_id NOT LIKE 'gen-%%' AND k.app_id = e.app_id AND k.event_id = e.event_id",
        (SHOP,),
    )
    gone = database.execute_sql(
        "DELETE FROM events WHERE app_id = %s AND event_id NOT LIKE 'gen-%%'", (SHOP,)
    ).rowcount
    print(f"deleted {gone:,} events an earlier run wrote", flush=True)


def write_tail(zone: str) -> tuple[int, int]:
    """The largest tail before the worker redoes today's rows; returns (today's events, tail)."""
    mark = RollupToday.get(RollupToday.app_id == SHOP)
    policy = today.DEFAULT_POLICY
    size = int(max(policy.min_tail, policy.fraction * mark.events)) - 1
    start, end = localtime.day_bounds(mark.day, mark.day, zone)
    seen = [
        s
        for (s,) in db.execute_sql(
            "SELECT DISTINCT session_id FROM events WHERE app_id = %s AND created_at >= %s "
            "AND created_at < %s LIMIT %s",
            (SHOP, start, end, size // 2),
        ).fetchall()
    ]
    sessions = seen + [f"tail-{n}" for n in range(size - len(seen))]
    batch = [
        NewEvent(
            event_id=uuid.uuid4().hex,
            event_name="page_view" if n % 5 else "add_to_cart",
            columns={
                "session_id": session,
                "device_type": "desktop",
                "country": "ES",
                "utm_campaign": "tail-campaign",
                "url": "https://big-shop.example/",
                "page_type": "product",
            },
        )
        for n, session in enumerate(sessions)
    ]
    for i in range(0, len(batch), 100):
        write_events(SHOP, batch[i : i + 100])
    return mark.events, len(batch)


def report_cases(zone: str, days: int, now: dt.datetime) -> dict[str, Callable[[], Any]]:
    period = last_days(days, zone, now)
    return {
        "dashboard (GET /api/reports/dashboard)": lambda: dashboard(SHOP, days, now),
        "overview with previous period": lambda: overview(SHOP, period),
        "time series per day": lambda: timeseries(SHOP, period),
        "breakdown by country": lambda: breakdown(SHOP, period, "country"),
        "breakdown by utm_source, filter country:DE": lambda: breakdown(
            SHOP, period, "utm_source", {"country": ["DE"]}
        ),
        "funnel page_view > add_to_cart > purchase": lambda: funnel(
            SHOP, period, ["page_view", "add_to_cart", "purchase"]
        ),
        "top pages": lambda: pages(SHOP, period),
        "attribution (first touch)": lambda: attribution(SHOP, period),
    }


def reports(zone: str, repeat: int, only: tuple[str, ...] = ()) -> None:
    now = utcnow()
    for days in (7, 30, 90):
        for name, fn in report_cases(zone, days, now).items():
            if only and not name.startswith(only):
                continue
            p50, p95 = timed(fn, repeat)
            print(f"  {days:>2} days  {name:<45} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms", flush=True)


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
                    "session_id": f"live-{(written + n) // 6}",
                    "device_type": "mobile",
                    "country": "DE",
                    "url": "https://big-shop.example/",
                    "page_type": "index",
                },
            )
            for n in range(100)
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


def generate(database: Any, rows: int, zone: str) -> None:
    database.execute_sql(
        "INSERT INTO shops (domain, state, scopes, token_version, config_version, "
        "iana_timezone, created_at, updated_at) SELECT "
        "CASE WHEN n = 0 THEN %s ELSE 'shop-' || n || '.myshopify.com' END, "
        "'installed', '', 0, 0, %s, now(), now() FROM generate_series(0, 99) AS n",
        (SHOP, zone),
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
    print(f"rollup rebuild: {steps} steps in {time.perf_counter() - started:.0f} s", flush=True)
    database.execute_sql("ANALYZE")
    counts = {
        t: database.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("events", "rollups_daily", "rollups_by_dimension", "sessions")
    }
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--millions", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--ingest-seconds", type=float, default=20.0)
    parser.add_argument("--zone", default="late", help="the big shop's zone, or 'late'")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", metavar="DATABASE", help="a database kept by --keep")
    args = parser.parse_args()
    rows = int(args.millions * 1_000_000)
    print(load())
    name = args.reuse or pg.create_database("sightline_bench_reports")
    try:
        database = open_database(pg.url_for(name), pooled=False)
        db.initialize(database)
        with database.connection_context():
            if args.reuse:
                zone = localtime.shop_zone(SHOP)
                now = utcnow()
                forget_writes(database)
                today.refresh(SHOP, zone, localtime.today(zone, now), now)
            else:
                lead = dt.timedelta(seconds=SECONDS_PER_MILLION * args.millions)
                zone = late_zone(lead) if args.zone == "late" else args.zone
                migrate(database)
                generate(database, rows, zone)
            day_events, tail = write_tail(zone)
            local = localtime.to_local(utcnow(), zone)
            print(
                f"reports for {SHOP} ({zone}, {local:%Y-%m-%d %H:%M} there): today holds "
                f"{day_events:,} events in the worker's rows and {tail:,} after them (the "
                f"most it lets build up); {args.repeat} runs each ({load()}):"
            )
            reports(zone, args.repeat)
            kept = RollupToday.get(RollupToday.app_id == SHOP)
            today.forget(SHOP)
            print(f"the same with today read from raw events, side by side ({load()}):")
            reports(zone, args.repeat, only=("dashboard", "overview"))
            today.refresh(SHOP, zone, kept.day, utcnow())  # the ingest below runs with rows

            print(f"ingest through the writer, {args.ingest_seconds:.0f} s each ({load()}):")
            without = ingest(args.ingest_seconds, with_rollups=False)
            print(f"  without the rollup duty: {without:,.0f} events/s", flush=True)
            with_duty = ingest(args.ingest_seconds, with_rollups=True)
            print(f"  with the rollup duty every 5 s: {with_duty:,.0f} events/s", flush=True)
            print(f"  cost: {100 * (without - with_duty) / without:.1f} % ({load()})")
    finally:
        db.close() if not db.is_closed() else None
        if args.keep or args.reuse:
            print(f"kept database {name}")
        else:
            pg.drop_database(name)


if __name__ == "__main__":
    main()
