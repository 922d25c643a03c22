"""Webhook acknowledgement latency: 50 concurrent signed deliveries against `sightline serve`
(gunicorn), on SQLite and on PostgreSQL.

    .venv/bin/python bench/webhooks.py [--deliveries 3000] [--concurrency 50] [--backend all]

Every delivery is acknowledged only after its raw body is committed and processed (the inbox
processes inline), so the latency measured is the whole durable path. The mix is what a shop
sends: mostly orders/paid, some orders/create for the same orders, and duplicate deliveries
(Shopify retries with the same webhook id). Bodies are built and signed before the clock starts.
Afterwards the database is checked: exactly one purchase per order, nothing failed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstore import webhooks as shopify  # noqa: E402
from tests import pg  # noqa: E402

SECRET = "bench-webhook-secret-0123456789abcdef"  # noqa: S105 (benchmark-only value)
ENCRYPTION_KEY = "YmVuY2gtd2ViaG9vay1rZXktbm90LXNlY3JldCEhISE="
SHOPS = [f"bench-shop-{i}.myshopify.com" for i in range(20)]
CLIENT_PROCESSES = 5
SIGHTLINE = str(Path(sys.executable).parent / "sightline")


@dataclass(frozen=True)
class Prepared:
    topic: str
    shop: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Run:
    latencies: list[float]  # ms, every request (retries included)
    wall: float  # s
    retried: int  # requests answered 5xx (not stored) and sent again


def prepare(count: int, seed: int = 7) -> tuple[list[Prepared], int]:
    """`count` signed deliveries (70% paid, 15% create of a paid order, 15% duplicates)."""
    rng = random.Random(seed)
    deliveries: list[Prepared] = []
    orders: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    while len(deliveries) < count:
        roll = rng.random()
        if roll < 0.70 or not orders:
            shop = rng.choice(SHOPS)
            order = shopify.order(shop, note_attributes={"_sightline_session": uuid.uuid4().hex})
            orders.append((shop, order))
            topic = "orders/paid"
        elif roll < 0.85:
            shop, order = rng.choice(orders)
            topic = "orders/create"
        else:
            deliveries.append(rng.choice(deliveries))  # a retry: same webhook id and body
            continue
        body = shopify.encode(order)
        headers = shopify.headers_for(topic, shop, body, SECRET, webhook_id=str(uuid.uuid4()))
        deliveries.append(Prepared(topic, shop, body, headers))
    rng.shuffle(deliveries)
    return deliveries, len(orders)


def ignored(count: int) -> list[Prepared]:
    """Signed deliveries of a topic we do not handle: verified, then dropped (the floor)."""
    result = []
    for _ in range(count):
        body = shopify.encode({"id": shopify.new_id(), "title": "Linen shirt"})
        headers = shopify.headers_for(
            "products/update", SHOPS[0], body, SECRET, webhook_id=str(uuid.uuid4())
        )
        result.append(Prepared("products/update", SHOPS[0], body, headers))
    return result


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SIGHTLINE"))}
    env.update(
        DATABASE_URL=database_url,
        SHOPIFY_API_SECRET=SECRET,
        SHOPIFY_API_KEY="bench-api-key",
        TOKEN_ENCRYPTION_KEY=ENCRYPTION_KEY,
    )
    return env


@contextmanager
def served(database_url: str, workers: int, threads: int) -> Iterator[str]:
    """`sightline serve` on a loopback port of the system's choosing (port 0), migrated first;
    yields its URL."""
    env = environment(database_url)
    subprocess.run([SIGHTLINE, "migrate"], env=env, check=True, capture_output=True)
    command = [SIGHTLINE, "serve", "--host", "127.0.0.1", "--port", "0"]
    command += ["--workers", str(workers), "--threads", str(threads)]
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: gunicorn's workers stop with it
    )
    try:
        url = listening_url(server)
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("sightline serve did not come up")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def listening_url(server: subprocess.Popen[str]) -> str:
    """gunicorn binds the port and logs where: `Listening at: http://127.0.0.1:<port>`."""
    assert server.stderr is not None
    for line in server.stderr:
        match = re.search(r"Listening at: (http://\S+)", line)
        if match:
            # Keep draining its log, or gunicorn blocks once the pipe is full.
            threading.Thread(target=server.stderr.read, daemon=True).start()
            return match.group(1)
    raise RuntimeError("sightline serve did not come up")


def run(url: str, deliveries: list[Prepared], concurrency: int) -> Run:
    """Send every delivery with `concurrency` clients spread over a few processes (one Python
    process cannot keep 50 connections busy without its own GIL inflating the latencies)."""
    processes = max(1, min(CLIENT_PROCESSES, concurrency))
    chunks = [(url, deliveries[i::processes], concurrency // processes) for i in range(processes)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.starmap(_client, chunks)
    wall = time.perf_counter() - started
    return Run([ms for latencies, _ in parts for ms in latencies], wall, sum(r for _, r in parts))


def _client(url: str, deliveries: list[Prepared], threads: int) -> tuple[list[float], int]:
    """One load-generator process: `threads` keep-alive clients; a 5xx is sent again, as
    Shopify would. Returns every request's latency (ms) and how many were retried."""
    local = threading.local()
    lock = threading.Lock()
    latencies: list[float] = []
    retried = 0

    def post(delivery: Prepared) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        start = time.perf_counter()
        response = session.post(
            f"{url}/webhooks", data=delivery.body, headers=delivery.headers, timeout=10
        )
        response.close()
        with lock:
            latencies.append((time.perf_counter() - start) * 1000)
        return response.status_code

    def one(delivery: Prepared) -> None:
        nonlocal retried
        for _ in range(9):  # Shopify: the first try and 8 retries
            status = post(delivery)
            if status == 200:
                return
            if status < 500:
                raise RuntimeError(f"delivery refused with {status}")
            with lock:
                retried += 1
        raise RuntimeError("delivery never acknowledged")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, deliveries))
    return latencies, retried


COUNTS = (
    "SELECT (SELECT COUNT(*) FROM events), "
    "(SELECT COUNT(*) FROM webhook_deliveries WHERE status != 'processed')"
)


def counts(database_url: str) -> tuple[int, int]:
    """(purchases, deliveries not processed)."""
    if database_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(database_url[len("sqlite:///") :])
        try:
            return conn.execute(COUNTS).fetchone()
        finally:
            conn.close()
    with psycopg.connect(database_url) as conn:
        return conn.execute(COUNTS).fetchone()  # type: ignore[return-value]


def check(database_url: str, orders: int) -> str:
    """Exactly one purchase per order and every delivery processed, read from the database;
    deliveries whose processing failed are first given to `sightline webhooks-retry`."""
    purchases, unprocessed = counts(database_url)
    note = ""
    if unprocessed:
        subprocess.run(
            [SIGHTLINE, "webhooks-retry"],
            env=environment(database_url),
            check=True,
            capture_output=True,
        )
        note = f" ({unprocessed} failed to process at first, e.g. SQLite busy; webhooks-retry)"
        purchases, unprocessed = counts(database_url)
    if purchases != orders or unprocessed:
        raise RuntimeError(f"{purchases} purchases for {orders} orders, {unprocessed} failed")
    return f"{purchases} purchases for {orders} orders, all deliveries processed{note}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(run: Run) -> str:
    latencies = run.latencies
    return (
        f"p50 {statistics.median(latencies):.1f} ms, p90 {percentile(latencies, 90):.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms, "
        f"{len(latencies) / run.wall:.0f} req/s, {run.retried} answered 503 and resent"
    )


def bench(backend: str, database_url: str, args: argparse.Namespace) -> None:
    warmup, warm_orders = prepare(200, seed=1)
    deliveries, orders = prepare(args.deliveries, seed=2)
    with served(database_url, args.workers, args.threads) as url:
        run(url, warmup, args.concurrency)
        measured = run(url, deliveries, args.concurrency)
        floor = run(url, ignored(args.deliveries), args.concurrency)
    verdict = check(database_url, orders + warm_orders)
    print(
        f"{backend}: {args.deliveries} deliveries, {args.concurrency} concurrent, "
        f"gunicorn {args.workers} workers x {args.threads} threads\n"
        f"  orders (stored, processed, acknowledged): {summary(measured)}\n"
        f"  no-op floor (verified, ignored topic):    {summary(floor)}\n"
        f"  check: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    args = parser.parse_args()
    load, python = os.getloadavg()[0], sys.version.split()[0]
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at start, Python {python}")
    if args.backend in ("sqlite", "all"):
        with tempfile.TemporaryDirectory() as tmp:
            bench("sqlite", f"sqlite:///{tmp}/bench.db", args)
    if args.backend in ("postgresql", "all"):
        reason = pg.reachable()
        if reason:
            print(f"postgresql skipped: {reason}")
            return
        with pg.scratch_database() as url:
            bench("postgresql", url, args)


if __name__ == "__main__":
    main()
