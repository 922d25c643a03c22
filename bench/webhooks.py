"""Webhooks against one `sightline serve` (gunicorn 2 workers x 8 threads) per backend, SQLite
and PostgreSQL, in one run, with the machine's load average beside each figure:

1. closed loop: 50 concurrent clients send the mix a shop sends (mostly orders/paid, some
   orders/create of the same orders, 15 % duplicates with the same webhook id), then the same
   server's floor, signed deliveries of a topic we ignore (HMAC checked, nothing stored);
2. open loop: deliveries offered at fixed rates (--rates, default 300/s and 1,000/s) for
   --seconds each; each latency is measured from the delivery's *scheduled* send time, so a
   server that falls behind cannot hide it (no coordinated omission);
3. processing: the acknowledgement only stores the delivery; the serving processes' own threads
   process it. For each open-loop run: ack-to-stored delay per delivery (processed_at minus
   received_at, both written by the server) and how long after the last send the last
   purchase was stored.

    .venv/bin/python bench/webhooks.py [--deliveries 3000] [--rates 300,1000] [--seconds 20]
        [--worker-nice 10]   # processing in one `sightline worker` at that CPU niceness

Bodies are built and signed before the clock starts. Afterwards the database is checked: exactly
one purchase per order and every delivery processed.
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
    schedule_end: float = 0.0  # open loop: wall-clock time of the last scheduled send


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
def served(
    database_url: str, workers: int, threads: int, worker_nice: int | None = None
) -> Iterator[str]:
    """`sightline serve` on a loopback port of the system's choosing (port 0), migrated first;
    yields its URL. With `worker_nice`, processing is left to one `sightline worker` at that
    CPU niceness (the serving processes only acknowledge)."""
    env = environment(database_url)
    if worker_nice is not None:
        env["WEBHOOKS_IN_SERVER"] = "0"
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
    worker = None
    if worker_nice is not None:
        worker = subprocess.Popen(
            ["nice", "-n", str(worker_nice), SIGHTLINE, "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
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
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)


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


def open_loop(url: str, deliveries: list[Prepared], rate: float) -> Run:
    """Send delivery i at t0 + i / rate, from a few processes with many threads each; each
    latency runs from the scheduled time to the answer."""
    processes = CLIENT_PROCESSES
    start_at = time.time() + 1.0  # every process starts its schedule on the same clock
    chunks = [(url, deliveries, rate, start_at, k, processes) for k in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.starmap(_scheduled_client, chunks)
    wall = len(deliveries) / rate
    run = Run([ms for latencies, _ in parts for ms in latencies], wall, sum(r for _, r in parts))
    run.schedule_end = start_at + wall
    return run


OPEN_LOOP_THREADS = 40  # per process: enough that a slow answer does not delay later sends


def _scheduled_client(  # type: ignore[no-untyped-def]
    url: str, deliveries: list[Prepared], rate: float, start_at: float, k: int, step: int
):
    import http.client
    import queue
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(k, len(deliveries), step):
        todo.put(i)
    latencies: list[float] = []
    lock = threading.Lock()
    retried = 0

    def worker() -> None:
        nonlocal retried
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                break
            scheduled = start_at + i / rate
            delay = scheduled - time.time()
            if delay > 0:
                time.sleep(delay)  # the schedule itself, not a wait for a condition
            delivery = deliveries[i]
            for _ in range(9):
                try:
                    conn.request("POST", "/webhooks", body=delivery.body, headers=delivery.headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                    status = 599
                if status == 200:
                    break
                if status < 500:
                    raise RuntimeError(f"delivery refused with {status}")
                with lock:
                    retried += 1
            with lock:
                latencies.append((time.time() - scheduled) * 1000)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(OPEN_LOOP_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, retried


def new_orders(count: int, seed: int) -> tuple[list[Prepared], int]:
    """`count` orders/paid deliveries of new orders (the open-loop load)."""
    rng = random.Random(seed)
    result = []
    for _ in range(count):
        shop = rng.choice(SHOPS)
        order = shopify.order(shop, note_attributes={"_sightline_session": uuid.uuid4().hex})
        body = shopify.encode(order)
        headers = shopify.headers_for(
            "orders/paid", shop, body, SECRET, webhook_id=str(uuid.uuid4())
        )
        result.append(Prepared("orders/paid", shop, body, headers))
    return result, count


def query(database_url: str, sql: str, params: tuple = ()) -> list[tuple]:  # type: ignore[type-arg]
    if database_url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(database_url[len("sqlite:///") :], timeout=30)
        try:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            conn.close()
    with psycopg.connect(database_url) as conn:
        return conn.execute(sql, params).fetchall()


def wait_processed(database_url: str, timeout: float = 600) -> float:
    """Seconds until no delivery is left unprocessed (polled every 50 ms)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pending = query(
            database_url,
            "SELECT COUNT(*) FROM webhook_deliveries WHERE status IN ('received', 'failed')",
        )[0][0]
        if not pending:
            return time.monotonic() - started
        time.sleep(0.05)
    raise RuntimeError("deliveries still unprocessed")


def processing_delays(database_url: str, webhook_ids: list[str]) -> list[float]:
    """Per delivery: ms from its acknowledgement (received_at) to its purchase (processed_at)."""
    delays = []
    for start in range(0, len(webhook_ids), 500):
        chunk = webhook_ids[start : start + 500]
        marks = ",".join(["%s"] * len(chunk))
        rows = query(
            database_url,
            f"SELECT received_at, processed_at FROM webhook_deliveries "
            f"WHERE webhook_id IN ({marks})",
            tuple(chunk),
        )
        for received, processed in rows:
            if isinstance(received, str):
                received, processed = _parse(received), _parse(processed)
            delays.append((processed - received).total_seconds() * 1000)
    return delays


def _parse(value: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime.fromisoformat(value)


def rate_of(run: Run) -> float:
    return len(run.latencies) / run.wall


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


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
    rates = [float(r) for r in args.rates.split(",") if r]
    offered = {rate: new_orders(int(rate * args.seconds), seed=10 + int(rate)) for rate in rates}
    total_orders = orders + warm_orders + sum(count for _, count in offered.values())
    where = (
        "the serving processes' own threads"
        if args.worker_nice is None
        else f"one `sightline worker` at nice {args.worker_nice} (WEBHOOKS_IN_SERVER=0)"
    )
    print(
        f"{backend}: gunicorn {args.workers} workers x {args.threads} threads, processing in "
        f"{where}",
        flush=True,
    )
    with served(database_url, args.workers, args.threads, args.worker_nice) as url:
        run(url, warmup, args.concurrency)
        wait_processed(database_url)
        before = load()
        measured = run(url, deliveries, args.concurrency)
        during = load()
        drained = wait_processed(database_url)
        floor = run(url, ignored(args.deliveries), args.concurrency)
        print(
            f"  closed loop, {args.concurrency} clients, {args.deliveries} deliveries "
            f"(load {before} -> {during}):\n"
            f"    orders (acknowledged = stored):        {summary(measured)}\n"
            f"    floor (verified, ignored topic):       {summary(floor)} (load {load()})\n"
            f"    ratio {rate_of(measured) / rate_of(floor):.2f}; "
            f"last delivery processed {drained:.1f} s after the last acknowledgement",
            flush=True,
        )
        for rate in rates:
            prepared, _ = offered[rate]
            before = load()
            result = open_loop(url, prepared, rate)
            during = load()
            wait_processed(database_url)
            after_burst = time.time() - result.schedule_end
            ids = [p.headers["X-Shopify-Webhook-Id"] for p in prepared]
            delays = processing_delays(database_url, ids)
            print(
                f"  open loop {rate:.0f}/s for {args.seconds:.0f} s ({len(prepared)} deliveries, "
                f"load {before} -> {during}):\n"
                f"    ack latency from scheduled send: {summary(result)}\n"
                f"    ack -> purchase stored: p50 {statistics.median(delays):.0f} ms, "
                f"p99 {percentile(delays, 99):.0f} ms, max {max(delays):.0f} ms; "
                f"every purchase stored {after_burst:.1f} s after the last scheduled send",
                flush=True,
            )
    verdict = check(database_url, total_orders)
    print(f"  check: {verdict} (load {load()})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--rates", default="300,1000", help="open-loop offered rates, per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="each open-loop run")
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=None,
        help="process in one `sightline worker` at this niceness instead of the servers",
    )
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
