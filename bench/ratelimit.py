"""Cost of the storefront rate limits per request (a visitor hit and a shop hit), through the
`limits` library: memory storage, and Redis on a unix socket (a private redis-server started
here, or `--redis URI`).

    .venv/bin/python bench/ratelimit.py [--requests 20000]

Single-threaded, so the figure is the CPU (and round-trip) time a request spends on its limits.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shopify_app.proxy.ratelimit import RateLimiter, open_storage  # noqa: E402

VISITORS = 500  # distinct shoppers, so the storage holds realistic key counts


def measure(uri: str, requests: int) -> dict:
    storage = open_storage(uri)
    visitor = RateLimiter(storage, "visitor", 1e6, 1e6)
    shop = RateLimiter(storage, "shop", 1e6, 1e6)
    start = time.perf_counter()
    for n in range(requests):
        visitor.allow(f"bench.myshopify.com|198.51.{n % VISITORS // 250}.{n % 250}")
        shop.allow("bench.myshopify.com")
    elapsed = time.perf_counter() - start
    return {
        "storage": uri.split(":")[0],
        "requests": requests,
        "us_per_request": round(elapsed / requests * 1e6, 1),
        "requests_per_s_one_thread": round(requests / elapsed),
    }


def private_redis(folder: str) -> tuple[subprocess.Popen, str]:
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server not found: install it or pass --redis URI")
    sock = os.path.join(folder, "redis.sock")
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "ready to accept connections" in line.lower():
            return process, f"redis+unix://{sock}"
    raise SystemExit("redis-server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--redis", help="a Redis URI; default: a private redis-server")
    args = parser.parse_args()
    print(json.dumps({"loadavg": Path("/proc/loadavg").read_text().split()[:3]}))
    print(json.dumps(measure("memory://", args.requests)))
    if args.redis:
        print(json.dumps(measure(args.redis, args.requests)))
        return
    with tempfile.TemporaryDirectory() as folder:
        process, uri = private_redis(folder)
        try:
            print(json.dumps(measure(uri, args.requests)))
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
