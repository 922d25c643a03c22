"""Ingest benchmark: requests/s and events/s of POST /proxy/track with 1-, 10- and 50-event
batches beside the floor, the same route with an empty batch (same signature check, rate limits
and body decoding, nothing stored), under one gunicorn server (2 workers x 8 threads, gthread)
per backend, SQLite and PostgreSQL, in one run; the machine's load average beside each figure;
plus the tracker's raw and gzipped size.

    .venv/bin/python bench/ingest.py [--seconds 8] [--clients 32] [--backend all]

The load generator runs on the same 2 cores (processes with keep-alive connections), so the
absolute numbers are lower than a remote client would see; the ratio to the floor, measured
side by side, is the point. The cases alternate floor / batch so the other load on a shared
machine hits both alike.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.cpu import CpuMeter, process_tree  # noqa: E402
from devstore.proxy import signed_proxy_query  # noqa: E402
from models import open_database  # noqa: E402
from models.schema import migrate  # noqa: E402
from shopify_app.ingest.group_commit import WRITERS_ENV  # noqa: E402

SECRET = "bench-secret-that-is-long-enough-for-hmac-sha256-0000"  # noqa: S105 (bench only)
SHOPS = [f"bench-{i}.myshopify.com" for i in range(50)]
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0"
PG_ADMIN = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


_EVENT = (
    '{"id":"%s","name":"page_view","url":"https://bench.example/products/a?utm_source=bench",'
    '"page_type":"product","data":{"title":"A"}}'
)
_sequence = itertools.count()


def body(events: int) -> bytes:
    """A batch of `events` new page views: ids from a per-process counter (cheap to make, so the
    load generator leaves the CPU to the server)."""
    prefix = f"b{os.getpid()}_{threading.get_ident() % 100000}_"
    ids = [f"{prefix}{next(_sequence)}" for _ in range(events)]
    items = ",".join(_EVENT % event_id for event_id in ids)
    return f'{{"session_id":"{uuid.uuid4().hex}","marketing":true,"events":[{items}]}}'.encode()


def client(port: int, path: str, events: int, deadline: float, counter) -> None:  # type: ignore[no-untyped-def]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done = failed = 0
    shop_index = os.getpid() + threading.get_ident()
    while time.monotonic() < deadline:
        shop_index += 1
        shop = SHOPS[shop_index % len(SHOPS)]
        query = urlencode(signed_proxy_query(shop, SECRET))
        headers = {"Content-Type": "text/plain", "User-Agent": UA, "X-Forwarded-For": "8.8.8.8"}
        try:
            conn.request("POST", f"{path}?{query}", body=body(events), headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                done += 1
            else:
                failed += 1
        except (OSError, http.client.HTTPException):
            failed += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()
    with counter.get_lock():
        counter[0] += done
        counter[1] += failed


def load_process(port: int, path: str, events: int, threads: int, deadline: float, counter) -> None:  # type: ignore[no-untyped-def]
    workers = [
        threading.Thread(target=client, args=(port, path, events, deadline, counter))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with counter.get_lock():
        counter[2] += round(time.process_time() * 1e6)  # this load process's CPU, in µs


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def measure(
    port: int, path: str, events: int, seconds: float, clients: int, meter: CpuMeter | None = None
) -> dict:
    load_before = os.getloadavg()[0]
    busy_before, total_before = cpu_times()
    if meter:
        meter.start()
    counter = multiprocessing.Array("q", 3)
    processes = 2
    start = time.monotonic()
    deadline = start + seconds
    procs = [
        multiprocessing.Process(
            target=load_process, args=(port, path, events, clients // processes, deadline, counter)
        )
        for _ in range(processes)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    elapsed = time.monotonic() - start
    ok, failed = counter[0], counter[1]
    busy, total = cpu_times()
    # CPU µs per answered request, by who spent it: what a noisy machine does not change much.
    cpu = {name: s * 1e6 for name, s in (meter.stop() if meter else {}).items()}
    cpu["load generator"] = counter[2]
    return {
        "path": path,
        "events_per_request": events,
        "requests_per_s": round(ok / elapsed),
        "events_per_s": round(ok * events / elapsed),
        "failed": failed,
        "load": f"{load_before:.1f}->{os.getloadavg()[0]:.1f}",
        "cpu_busy": f"{(busy - busy_before) / max(1, total - total_before):.0%}",
        "cpu_us_per_request": {name: round(us / max(1, ok)) for name, us in cpu.items()},
    }


def serve(database_url: str, sock: socket.socket) -> subprocess.Popen:
    """gunicorn on `sock`, bound here first (port 0) and handed over: the port cannot be lost."""
    port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHOPIFY_API_SECRET": SECRET,
        "SHOPIFY_API_KEY": "bench",
        "PYTHONPATH": str(REPO),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "--threads",
            os.environ.get("BENCH_THREADS", "8"),
            "-k",
            "gthread",
            "--preload",
            "-b",
            f"fd://{sock.fileno()}",
            "bench.ingest_app:app",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=(sock.fileno(),),
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "gunicorn did not start")


def stored_events(database_url: str) -> int:
    database = open_database(database_url, pooled=False)
    with database.connection_context():
        return database.execute_sql("SELECT count(*) FROM events").fetchone()[0]


def run_backend(
    name: str, database_url: str, seconds: float, clients: int, sizes: list[int]
) -> list[dict]:
    database = open_database(database_url, pooled=False)
    with database.connection_context():
        migrate(database)
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
        server = serve(database_url, sock)
    groups = {"server": lambda: process_tree(server.pid)}
    if database_url.startswith("postgresql"):
        groups["postgres"] = lambda: backend_pids(database_url)
    meter = CpuMeter(groups)
    try:
        results = []
        measure(port, "/proxy/track", 10, 2, clients)  # warm-up: caches, connections
        floors: list[dict] = []
        for events in sizes:
            floor = measure(port, "/proxy/track", 0, seconds, clients, meter)
            result = measure(port, "/proxy/track", events, seconds, clients, meter)
            floors.append(floor)
            result["backend"] = floor["backend"] = name
            result["floor_requests_per_s"] = floor["requests_per_s"]
            result["ratio"] = round(result["requests_per_s"] / max(1, floor["requests_per_s"]), 2)
            results.append(result)
            print(json.dumps(floor), flush=True)
            print(json.dumps(result), flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    accepted = round(sum(r["events_per_s"] for r in results) * seconds)
    print(f"{name}: {stored_events(database_url)} events stored (~{accepted} accepted + warm-up)")
    return results


def backend_pids(database_url: str) -> list[int]:
    """The PostgreSQL backends serving the benchmark's database (the server's connections)."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database_url.rsplit("/", 1)[1],),
        ).fetchall()
    return [pid for (pid,) in rows]


def tracker_size() -> dict:
    raw = (REPO / "theme_extension" / "assets" / "sightline.js").read_bytes()
    return {"raw_bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, 9))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--events", default="1,10,50", help="batch sizes, comma-separated")
    parser.add_argument(
        "--writers",
        default="",
        help="group-commit writers per process to compare, comma-separated (default: the "
        "backend's own: up to 4 on PostgreSQL, 1 on SQLite)",
    )
    parser.add_argument(
        "--pg-setting",
        action="append",
        default=[],
        help="name=value set on the benchmark's database (e.g. commit_delay=50), repeatable",
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.events.split(",")]
    for writers in args.writers.split(",") if args.writers else [""]:
        if writers:
            os.environ[WRITERS_ENV] = writers  # the server inherits it
            print(json.dumps({"writers": int(writers)}), flush=True)
        run(args, sizes)


def run(args: argparse.Namespace, sizes: list[int]) -> None:
    print(json.dumps({"tracker": tracker_size(), "cpus": os.cpu_count()}))
    if args.backend in ("sqlite", "all"):
        with tempfile.TemporaryDirectory() as tmp:
            run_backend("sqlite", f"sqlite:///{tmp}/bench.db", args.seconds, args.clients, sizes)
    if args.backend == "sqlite":
        return
    import psycopg

    name = f"sightline_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        for setting in args.pg_setting:  # this database only: the server's config is left alone
            key, value = setting.split("=", 1)
            conn.execute(f'ALTER DATABASE "{name}" SET {key} = {value}')
    try:
        run_backend(
            "postgresql",
            PG_ADMIN.rsplit("/", 1)[0] + f"/{name}",
            args.seconds,
            args.clients,
            sizes,
        )
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
