"""Webhooks against one `sightline serve` (gunicorn 2 workers x 8 threads) per backend, SQLite
and PostgreSQL, in one run, with the machine's load average beside each figure:

1. closed loop: 50 concurrent clients send the mix a shop sends (mostly orders/paid, some
   orders/create of the same orders, 15 % duplicates with the same webhook id), then the same
   server's floor, signed deliveries of a topic we ignore (HMAC checked, nothing stored);
2. open loop: deliveries offered at fixed rates (--rates, default 300/s and 1,000/s) for
   --seconds each; each latency is measured from the delivery's *scheduled* send time, so a
   server that falls behind cannot hide it (no coordinated omission);
3. processing: the acknowledgement only stores the delivery; the serving processes' own threads
   (or, with --worker-nice, one `sightline worker`) process it. For each open-loop run:
   ack-to-stored delay per delivery (processed_at minus received_at, both written by the server)
   and how long after the last scheduled send the last purchase was stored. Then the floor at
   the same rate: the ignored topic, open loop, on the same server (what the server and the
   load generator can do at that rate with nothing stored).

    .venv/bin/python bench/webhooks.py [--deliveries 3000] [--rates 300,1000] [--seconds 20]
        [--worker-nice 10]   # processing in one `sightline worker` at that CPU niceness

Beside each run: the cores the load generator's own processes used (it runs on the same
machine) and the cores the server's processes used (gunicorn, and the worker if any; the
database's CPU is in neither). Bodies are built and signed before the clock starts. Afterwards
the database is checked: exactly one purchase per order and every delivery processed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.servers import Served, environment, served  # noqa: E402
from bench.stats import percentile  # noqa: E402
from bench.webhook_clients import Run, closed_loop, open_loop  # noqa: E402
from bench.webhook_db import check, processing_delays, wait_processed  # noqa: E402
from bench.webhook_load import SECRET, ignored, mix, new_orders  # noqa: E402
from tests import pg  # noqa: E402


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def measured(server: Served, send: Callable[[], Run]) -> tuple[Run, float]:
    """The run, and the CPU seconds the server's processes used during it."""
    before = server.cpu_seconds()
    result = send()
    return result, server.cpu_seconds() - before


def summary(run: Run, server_cpu: float) -> str:
    """Latencies, rate, and CPU: the server's per request, and the cores the load generator
    took over the run (its last answer included)."""
    latencies = run.latencies
    return (
        f"p50 {statistics.median(latencies):.1f} ms, p90 {percentile(latencies, 90):.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms, "
        f"{run.rate:.0f} req/s, {run.retried} answered 503 and resent; "
        f"CPU: server {server_cpu / len(latencies) * 1000:.2f} ms a request, "
        f"load generator {run.generator_cores:.2f} cores"
    )


def bench(backend: str, database_url: str, args: argparse.Namespace) -> None:
    warmup, warm_orders = mix(200, seed=1)
    deliveries, orders = mix(args.deliveries, seed=2)
    rates = [float(r) for r in args.rates.split(",") if r]
    offered = {rate: new_orders(int(rate * args.seconds), seed=10 + int(rate)) for rate in rates}
    total_orders = orders + warm_orders + sum(len(prepared) for prepared in offered.values())
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
    env = environment(database_url, SECRET)
    with served(env, args.workers, args.threads, args.worker_nice) as server:
        url = server.url
        closed_loop(url, warmup, args.concurrency)
        wait_processed(database_url)
        before = load()
        orders_run, orders_cpu = measured(
            server, lambda: closed_loop(url, deliveries, args.concurrency)
        )
        during = load()
        drained = wait_processed(database_url)
        floor, floor_cpu = measured(
            server, lambda: closed_loop(url, ignored(args.deliveries), args.concurrency)
        )
        print(
            f"  closed loop, {args.concurrency} clients, {args.deliveries} deliveries "
            f"(load {before} -> {during}):\n"
            f"    orders (acknowledged = stored):  {summary(orders_run, orders_cpu)}\n"
            f"    floor (verified, ignored topic): {summary(floor, floor_cpu)} (load {load()})\n"
            f"    ratio {orders_run.rate / floor.rate:.2f}; "
            f"last delivery processed {drained:.1f} s after the last acknowledgement",
            flush=True,
        )
        for rate in rates:
            prepared = offered[rate]
            before = load()
            result, cpu = measured(server, lambda p=prepared, r=rate: open_loop(url, p, r))
            during = load()
            wait_processed(database_url)
            after_burst = time.time() - result.schedule_end
            delays = processing_delays(database_url, [p.webhook_id for p in prepared])
            floor_load, unhandled = load(), ignored(len(prepared))
            floor_run, floor_cpu = measured(
                server, lambda p=unhandled, r=rate: open_loop(url, p, r)
            )
            print(
                f"  open loop {rate:.0f}/s for {args.seconds:.0f} s ({len(prepared)} deliveries, "
                f"load {before} -> {during}):\n"
                f"    ack latency from scheduled send: {summary(result, cpu)}\n"
                f"    ack -> purchase stored: p50 {statistics.median(delays):.0f} ms, "
                f"p99 {percentile(delays, 99):.0f} ms, max {max(delays):.0f} ms; "
                f"every purchase stored {after_burst:.1f} s after the last scheduled send\n"
                f"    floor at {rate:.0f}/s (load {floor_load} -> {load()}): "
                f"{summary(floor_run, floor_cpu)}",
                flush=True,
            )
    print(f"  check: {check(database_url, env, total_orders)} (load {load()})", flush=True)


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
    python = sys.version.split()[0]
    print(f"{os.cpu_count()} CPUs, load average {load()} at start, Python {python}")
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
