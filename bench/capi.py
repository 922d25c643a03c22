"""Conversions API delivery: events/s delivered to devstore's fake Graph API in batches of 1,000,
and the delay from an order webhook to Meta's acknowledgement, on PostgreSQL, while storefront
ingest runs beside it.

    .venv/bin/python bench/capi.py [--events 20000] [--orders 300] [--rate 20] [--no-ingest]

Everything runs on this machine: `sightline serve` (gunicorn 2 x 8), devstore (the fake Graph API,
its own process), `sightline worker` (the delivery loop, woken by LISTEN/NOTIFY) and, unless
`--no-ingest`, a load generator posting signed 10-event storefront batches to /proxy/track for
the whole run. The machine's load average is printed beside every figure.

1. Throughput: `--events` mapped events are queued in the outbox, then one worker process is
   started and the clock runs until every row is `sent` (read from the database).
2. Delay: `--orders` signed orders/paid webhooks at `--rate` per second while the worker runs;
   for each, from the moment the webhook is sent to the moment devstore acknowledged the Purchase
   (devstore's receipt time: it answers right after).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.servers import (  # noqa: E402
    ENCRYPTION_KEY,
    SIGHTLINE,
    environment,
    listening_url,
    process,
    wait_until_up,
)
from bench.stats import percentile  # noqa: E402
from devstore import webhooks as shopify  # noqa: E402
from devstore.proxy import signed_proxy_query  # noqa: E402
from shopify_app.sockets import bound_port, listening_socket  # noqa: E402
from tests import pg  # noqa: E402

SECRET = "bench-capi-secret-0123456789abcdef-0123456789"  # noqa: S105 (benchmark-only value)
SHOPS = [f"capi-shop-{i}.myshopify.com" for i in range(4)]
PIXELS = {shop: str(1_000_000_000 + i) for i, shop in enumerate(SHOPS)}
TOKEN = "bench-capi-token"  # noqa: S105
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def prepare_database(database_url: str) -> None:
    from models import AppSettings, db, open_database
    from models.crypto import configure_cipher
    from models.schema import migrate

    configure_cipher(ENCRYPTION_KEY)
    database = open_database(database_url, pooled=False)
    db.initialize(database)
    with database.connection_context():
        migrate(database)
        for shop in SHOPS:
            AppSettings.create(
                app_id=shop,
                pixel_id=PIXELS[shop],
                access_token=TOKEN,
                send_to_meta=True,
                consent_when_unknown="send",
            )


def queue(database_url: str, count: int) -> None:
    """`count` mapped storefront events (and their outbox rows), written as ingest writes them."""
    from models import db, open_database
    from shopify_app.ingest.writer import NewEvent, write_events

    database = open_database(database_url, pooled=False)
    db.initialize(database)
    with database.connection_context():
        for start in range(0, count, 2000):
            shop = SHOPS[(start // 2000) % len(SHOPS)]
            write_events(
                shop,
                [
                    NewEvent(
                        event_id=f"b-{uuid.uuid4().hex}",
                        event_name="add_to_cart",
                        columns={
                            "url": f"https://{shop}/products/linen-shirt",
                            "user_agent": UA,
                            "ip_address": "8.8.8.8",
                            "fbp": "fb.1.1596403881668.1116446470",
                            "value": "29.90",
                            "currency": "EUR",
                            "custom_data": {"content_ids": ["A-1"], "content_type": "product"},
                        },
                        meta_event_name="AddToCart",
                        marketing_consent=True,
                    )
                    for _ in range(min(2000, count - start))
                ],
            )


def sent_count(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'").fetchone()
    return row[0] if row else 0


def ingest_load(app_url: str, stop: multiprocessing.synchronize.Event, counter) -> None:  # type: ignore[no-untyped-def,name-defined]
    """Signed 10-event page-view batches to /proxy/track until stopped (one keep-alive client)."""
    session = requests.Session()
    while not stop.is_set():
        shop = SHOPS[int(time.time() * 10) % len(SHOPS)]
        events = [
            {
                "id": uuid.uuid4().hex,
                "name": "page_view",
                "url": f"https://{shop}/",
                "page_type": "index",
            }
            for _ in range(10)
        ]
        query = urlencode(signed_proxy_query(shop, SECRET))
        try:
            response = session.post(
                f"{app_url}/proxy/track?{query}",
                data=json.dumps(
                    {"session_id": uuid.uuid4().hex, "marketing": True, "events": events}
                ),
                headers={"User-Agent": UA, "X-Forwarded-For": "8.8.8.8"},
                timeout=10,
            )
            if response.status_code == 200:
                with counter.get_lock():
                    counter.value += response.json().get("accepted", 0)
        except requests.RequestException:
            time.sleep(0.1)


@contextmanager
def ingest_running(app_url: str, clients: int) -> Iterator[object]:
    stop = multiprocessing.Event()
    counter = multiprocessing.Value("l", 0)
    workers = [
        multiprocessing.Process(target=ingest_load, args=(app_url, stop, counter))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    try:
        yield counter
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=15)


def received_summary(graph_url: str) -> dict[str, int]:
    store = graph_url.rsplit("/meta", 1)[0]
    return requests.get(f"{store}/_devstore/meta/events?summary=1", timeout=30).json()


def throughput(database_url: str, env: dict[str, str], events: int) -> tuple[float, float, float]:
    """(events/s from the worker's start, its seconds, events/s while sending) for one worker
    process to send `events` queued rows. The second rate leaves out the process start-up: it
    counts from the first batch acknowledged to the last (so one batch fewer)."""
    queue(database_url, events)
    started = time.perf_counter()
    with process([SIGHTLINE, "worker", "--interval", "3600"], env):
        while sent_count(database_url) < events:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    with psycopg.connect(database_url) as conn:
        first, last = conn.execute(
            "SELECT MIN(sent_at), MAX(sent_at) FROM deliveries WHERE status = 'sent'"
        ).fetchone()  # type: ignore[misc]
    sending = (last - first).total_seconds()
    steady = (events - 1000) / sending if sending > 0 else float("nan")
    return events / elapsed, elapsed, steady


def delay(
    app_url: str, graph_url: str, env: dict[str, str], orders: int, rate: float
) -> list[float]:
    """Webhook sent → Purchase acknowledged by the fake Graph API, in ms, per order."""
    store = graph_url.rsplit("/meta", 1)[0]
    requests.post(f"{store}/_devstore/meta/reset", timeout=5).close()
    sent_at: dict[str, float] = {}
    with process([SIGHTLINE, "worker", "--interval", "3600"], env):
        time.sleep(1.0)  # the worker starts and goes idle, waiting on LISTEN
        session = requests.Session()
        interval = 1.0 / rate
        next_at = time.perf_counter()
        for i in range(orders):
            shop = SHOPS[i % len(SHOPS)]
            order = shopify.order(shop)
            body = shopify.encode(order)
            headers = shopify.headers_for(
                "orders/paid", shop, body, SECRET, webhook_id=str(uuid.uuid4())
            )
            while time.perf_counter() < next_at:
                time.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += interval
            sent_at[str(order["id"])] = time.time()
            answer = session.post(f"{app_url}/webhooks", data=body, headers=headers, timeout=10)
            if answer.status_code != 200:
                raise RuntimeError(f"webhook answered {answer.status_code}")
        received = requests.get(
            f"{store}/_devstore/meta/events", params={"wait_for": orders, "timeout": 60}, timeout=70
        ).json()["events"]
    delays = []
    for record in received:
        order_id = record["event"].get("custom_data", {}).get("order_id")
        if order_id in sent_at:
            delays.append((record["received_at"] - sent_at[order_id]) * 1000)
    if len(delays) != orders:
        raise RuntimeError(f"{len(delays)} of {orders} purchases reached Meta")
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="order webhooks per second")
    parser.add_argument("--ingest-clients", type=int, default=2)
    parser.add_argument("--no-ingest", action="store_true")
    args = parser.parse_args()
    if pg.reachable():
        sys.exit(f"PostgreSQL unreachable: {pg.reachable()}")
    name = pg.create_database("sightline_bench_capi")
    database_url = pg.url_for(name)
    try:
        prepare_database(database_url)
        # devstore serves on a socket bound here (its port is ours); the app binds port 0.
        store_socket = listening_socket("127.0.0.1", 0)
        store_port = bound_port(store_socket)
        graph_url = f"http://127.0.0.1:{store_port}/meta"
        env = environment(database_url, SECRET, META_GRAPH_URL=graph_url)
        devstore = [sys.executable, "-m", "devstore", "--fd", str(store_socket.fileno())]
        devstore += ["--api-secret", SECRET, "--api-key", "bench-api-key"]
        serve = [SIGHTLINE, "serve", "--port", "0", "--workers", "2", "--threads", "8"]
        with (
            process(devstore, env, pass_fds=(store_socket.fileno(),)) as store,
            process(serve, env, log=True) as app,
        ):
            store_socket.close()  # devstore holds its own copy
            app_url = listening_url(app)
            wait_until_up(f"http://127.0.0.1:{store_port}/_devstore", store, "devstore")
            wait_until_up(f"{app_url}/healthz", app, "sightline serve")
            clients = 0 if args.no_ingest else args.ingest_clients
            print(f"before: {load()}")
            with ingest_running(app_url, clients) as ingested:
                started = time.perf_counter()
                rate, seconds, steady = throughput(database_url, env, args.events)
                seen = received_summary(graph_url)
                if seen["count"] != args.events or seen["distinct"] != args.events:
                    raise RuntimeError(f"the fake Graph API saw {seen} for {args.events} events")
                ingest_rate = ingested.value / (time.perf_counter() - started)  # type: ignore[attr-defined]
                print(
                    f"throughput: {args.events} events in {seconds:.2f} s = {rate:,.0f} events/s "
                    f"delivered with the worker's start-up, {steady:,.0f} events/s while sending "
                    f"(batches of 1,000, 4 in flight, 1 worker; {seen['requests']} requests, each "
                    f"event received once), ingest beside it "
                    f"{ingest_rate:,.0f} events/s; {load()}"
                )
                delays = delay(app_url, graph_url, env, args.orders, args.rate)
                print(
                    f"webhook -> Meta ack ({args.orders} orders at {args.rate:g}/s): "
                    f"p50 {statistics.median(delays):.0f} ms, p90 {percentile(delays, 90):.0f} ms, "
                    f"p99 {percentile(delays, 99):.0f} ms, max {max(delays):.0f} ms; {load()}"
                )
    finally:
        pg.drop_database(name)


if __name__ == "__main__":
    main()
