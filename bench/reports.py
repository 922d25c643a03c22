"""Dashboard latency on a large shop: the 30-day report (`analytics.reports.dashboard`) over
N million events of one shop (plus noise from other shops), on PostgreSQL.

    .venv/bin/python bench/reports.py [--millions 1] [--repeat 5]

Rows are generated inside PostgreSQL (generate_series), so building the data set is quick;
the figures are the report's own wall time, first (cold) and then warm runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import db, open_database  # noqa: E402
from models.schema import migrate  # noqa: E402
from shopify_app.analytics.reports import dashboard  # noqa: E402
from tests import pg  # noqa: E402

SHOP = "big-shop.myshopify.com"
FILL_SQL = """
INSERT INTO events (app_id, event_name, custom_data, created_at, session_id, device_type,
                    country, utm_campaign, value, currency, source)
SELECT CASE WHEN mod(i, 10) = 0 THEN 'other-' || mod(i, 7) || '.myshopify.com' ELSE %(shop)s END,
       (ARRAY['page_view','page_view','page_view','add_to_cart','purchase'])[1 + mod(i, 5)],
       '{}'::jsonb,
       now() - (mod(i, 3600000) * interval '1 second') * 1.2,
       'session-' || (i / 6),
       (ARRAY['mobile','desktop','tablet'])[1 + mod(i, 3)],
       (ARRAY['US','DE','FR','GB','NL','CA'])[1 + mod(i, 6)],
       CASE WHEN mod(i, 4) = 0 THEN 'campaign-' || mod(i, 12) END,
       CASE WHEN mod(i, 5) = 4 THEN mod(i, 200) + 0.99 END,
       CASE WHEN mod(i, 5) = 4 THEN 'EUR' END,
       'storefront'
FROM generate_series(1, %(rows)s) AS i
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--millions", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = int(args.millions * 1_000_000)
    name = pg.create_database("sightline_bench_reports")
    try:
        database = open_database(pg.url_for(name), pooled=False)
        db.initialize(database)
        with database.connection_context():
            migrate(database)
            started = time.perf_counter()
            database.execute_sql(
                FILL_SQL.replace("%(shop)s", f"'{SHOP}'").replace("%(rows)s", str(rows))
            )
            database.execute_sql("ANALYZE events")
            print(f"generated {rows:,} events in {time.perf_counter() - started:.1f} s")
            timings = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                report = dashboard(SHOP, days=30)
                timings.append((time.perf_counter() - started) * 1000)
            print(
                f"30-day dashboard, {report['totals']['events']:,} events in window: "
                f"cold {timings[0]:.0f} ms, warm median {statistics.median(timings[1:]):.0f} ms"
            )
    finally:
        pg.drop_database(name)


if __name__ == "__main__":
    main()
